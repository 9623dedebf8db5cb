"""Staff-list upload parsing: no database, just bytes in and rows or located errors out."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from lms_core.services import staff_file
from lms_core.services.staff_file import (
    MAX_ROWS,
    ParsedStaffFile,
    RowError,
    StaffFileError,
    StaffRow,
    parse_staff_file,
)

HEADER = "Họ và tên,Email"


def csv_bytes(*lines: str, encoding: str = "utf-8", sep: str = "\n") -> bytes:
    return sep.join(lines).encode(encoding)


def xlsx_bytes(rows: list[list], title: str = "Sheet", extra_first: str | None = None) -> bytes:
    """Rows are placed at their index + 1; ``None`` as a row leaves that spreadsheet row empty."""
    wb = Workbook()
    ws = wb.active
    if extra_first is not None:  # an unrelated sheet in front of the real list
        ws.title = extra_first
        ws["A1"] = "Hướng dẫn điền danh sách"
        ws = wb.create_sheet(title)
    else:
        ws.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row or [], start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def errors_of(parsed: ParsedStaffFile) -> list[tuple[int, str]]:
    return [(e.line, e.column) for e in parsed.errors]


def file_error(filename: str, data: bytes) -> StaffFileError:
    with pytest.raises(StaffFileError) as info:
        parse_staff_file(filename, data)
    err = info.value
    assert err.message and err.message_en and str(err) == err.message
    return err


# --- good files ---------------------------------------------------------------------------------


def test_semicolon_csv_with_vietnamese_names_and_all_columns():
    data = csv_bytes(
        "STT;Họ và tên;Email;Đơn vị;Vị trí việc làm;Tên đăng nhập;Số điện thoại;Ghi chú",
        "1;Nguyễn   Thị  Ánh Tuyết; Tuyet.NT@Hanoi.gov.vn ;SNV;Chuyên viên;NTTuyet;0912345678;x",
        "2;Trần Đức Hưng;hung.td@hanoi.gov.vn;Sở Nội vụ;CV01;;;",
    )
    parsed = parse_staff_file("danh-sach.CSV", data)
    assert parsed.ok and parsed.errors == []
    assert parsed.rows == [
        StaffRow(2, "Nguyễn Thị Ánh Tuyết", "tuyet.nt@hanoi.gov.vn", "nttuyet", "SNV",
                 "Chuyên viên", "0912345678"),
        StaffRow(3, "Trần Đức Hưng", "hung.td@hanoi.gov.vn", "hung.td@hanoi.gov.vn", "Sở Nội vụ",
                 "CV01", ""),
    ]


def test_utf8_bom_is_stripped_from_the_first_header():
    data = b"\xef\xbb\xbf" + csv_bytes(HEADER, "Lê Văn Lộc,loc@x.vn", sep="\r\n")
    parsed = parse_staff_file("a.csv", data)
    assert parsed.rows == [StaffRow(2, "Lê Văn Lộc", "loc@x.vn", "loc@x.vn", "", "", "")]


def test_plain_utf8_is_not_misread_as_cp1258():
    # These UTF-8 bytes also decode as cp1258 (to mojibake); UTF-8 must win.
    data = csv_bytes(HEADER, "Phạm Thị Hồng Nhung,nhung@x.vn")
    assert parse_staff_file("a.csv", data).rows[0].full_name == "Phạm Thị Hồng Nhung"


def test_cp1258_file_is_decoded_and_composed_to_nfc():
    # cp1258 stores tones as combining marks: "ê" + combining tilde is how Windows writes "ễ".
    text = "Họ tên,Email\nNguy\u00ea\u0303n V\u0103n Ba\u0300,ba@x.vn\n"
    data = text.replace("Họ", "Ho").encode("cp1258")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    row = parse_staff_file("a.csv", data).rows[0]
    assert row.full_name == "Nguyễn Văn Bà"
    assert unicodedata.is_normalized("NFC", row.full_name)


def test_cp1252_fallback_when_cp1258_cannot_decode():
    # "Š" is 0x8A in cp1252, a byte cp1258 leaves undefined.
    data = "Name,Email\nŠárka Nováková,sarka@x.cz\n".encode("cp1252")
    assert parse_staff_file("a.csv", data).rows[0].full_name == "Šárka Nováková"


def test_utf16_export_from_excel_is_read():
    data = "Họ và tên\tEmail\r\nĐỗ Thị Hà\tha@x.vn\r\n".encode("utf-16")
    assert parse_staff_file("a.csv", data).rows[0].full_name == "Đỗ Thị Hà"


@pytest.mark.parametrize("header, sep", [
    ("Full Name,E-mail,Unit,Job Position,Username,Phone", ","),
    ("Ho va ten;Thu dien tu;Don vi;Chuc danh;Ten dang nhap;So dien thoai", ";"),
    ("  HỌ   VÀ TÊN \tEMAIL\tCơ quan\tChức danh\tLogin\tĐiện thoại", "\t"),
    ("name,email,unit,position,login,phone", ","),
])
def test_header_variants(header, sep):
    row = sep.join(["Vũ Minh Khôi", "khoi@x.vn", "UBND", "CV", "khoi.vm", "024 3825"])
    parsed = parse_staff_file("a.csv", csv_bytes(header, row))
    assert parsed.rows == [StaffRow(2, "Vũ Minh Khôi", "khoi@x.vn", "khoi.vm", "UBND", "CV",
                                    "024 3825")]


def test_nfd_input_is_normalised_to_nfc_in_headers_and_values():
    text = unicodedata.normalize("NFD", "Họ và tên;Email;Đơn vị\nHoàng Thị Thủy;thuy@x.vn;Sở Tư pháp")
    row = parse_staff_file("a.csv", text.encode()).rows[0]
    assert row.full_name == "Hoàng Thị Thủy" and row.unit == "Sở Tư pháp"
    assert unicodedata.is_normalized("NFC", row.full_name)
    assert unicodedata.is_normalized("NFC", row.unit)


def test_blank_lines_title_rows_and_stt_only_rows_keep_line_numbers():
    data = csv_bytes(
        "DANH SÁCH CÁN BỘ THAM GIA BỒI DƯỠNG,,",   # line 1: title
        ",,",                                       # line 2
        "STT,Họ và tên,Email",                      # line 3: header
        "1,Ngô Văn Tài,tai@x.vn",                   # line 4
        "",                                         # line 5: blank
        "2,,",                                      # line 6: pre-numbered but unused
        "3,Bùi Thị Mai,mai@x.vn",                   # line 7
        "4,Đặng Văn Nam,",                          # line 8: error
    )
    parsed = parse_staff_file("a.csv", data)
    assert [r.line for r in parsed.rows] == [4, 7]
    assert errors_of(parsed) == [(8, "Email")]


def test_quoted_multiline_cell_counts_as_one_spreadsheet_row():
    data = csv_bytes(HEADER + ",Đơn vị", 'A B,a@x.vn,"Phòng\nTổ chức"', "C,bad", sep="\r\n")
    parsed = parse_staff_file("a.csv", data)
    assert parsed.rows[0].unit == "Phòng\nTổ chức"
    assert errors_of(parsed) == [(3, "Email")]


def test_xlsx_with_numeric_phone_and_empty_row_in_the_middle():
    data = xlsx_bytes([
        ["STT", "Họ và tên", "Email", "Điện thoại", "Đơn vị"],
        [1, "Nguyễn Văn An", "AN@x.vn", 912345678, "Phòng Tổ chức"],
        None,                                              # line 3: empty
        [None, None, None, None, None],                    # line 4: empty
        [3, "Trần  Thị Bình", "binh@x.vn", 84912345678.0, 101],
        [4, "Lý Văn Cường", "khong-phai-email", None, None],  # line 6: bad email
    ])
    parsed = parse_staff_file("ds.xlsx", data)
    assert parsed.rows == [
        StaffRow(2, "Nguyễn Văn An", "an@x.vn", "an@x.vn", "Phòng Tổ chức", "", "912345678"),
        StaffRow(5, "Trần Thị Bình", "binh@x.vn", "binh@x.vn", "101", "", "84912345678"),
    ]
    assert errors_of(parsed) == [(6, "Email")]
    assert "khong-phai-email" in parsed.errors[0].message


def test_xlsx_float_phone_cells_lose_the_trailing_zero():
    # openpyxl writes whole floats as integers; other producers write "912345678.0" or
    # scientific notation, which read back as floats. Rewrite the sheet XML to get those.
    source = xlsx_bytes([["Name", "Email", "Phone"], ["A B", "a@x.vn", 111], ["C D", "c@x.vn", 222],
                         ["E F", "e@x.vn", 333]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = (body.replace(b"<v>111</v>", b"<v>912345678.0</v>")
                        .replace(b"<v>222</v>", b"<v>8.4912345678E10</v>")
                        .replace(b"<v>333</v>", b"<v>12.5</v>"))
            zout.writestr(item, body)
    rows = parse_staff_file("a.xlsx", out.getvalue()).rows
    assert [r.phone for r in rows] == ["912345678", "84912345678", "12.5"]


def test_xlsx_prefers_a_sheet_named_danh_sach():
    data = xlsx_bytes([["Họ tên", "Email"], ["Đinh Thị Lan", "lan@x.vn"]],
                      title="Danh sách cán bộ", extra_first="Hướng dẫn")
    assert [r.email for r in parse_staff_file("a.xlsx", data).rows] == ["lan@x.vn"]


def test_xlsx_bytes_under_a_csv_name_are_read_as_xlsx():
    data = xlsx_bytes([["Name", "Email"], ["Hà Văn Sơn", "son@x.vn"]])
    assert parse_staff_file("renamed.csv", data).rows[0].full_name == "Hà Văn Sơn"


# --- row errors ---------------------------------------------------------------------------------


def test_every_error_kind_with_exact_lines_and_columns():
    long_name = "Nguyễn " * 40  # 280 characters
    long_email = "a" * 64 + "@" + "b" * 190 + ".vn"
    data = csv_bytes(
        "Họ và tên;E-mail;Tên đăng nhập",
        "Nguyễn Văn Một;mot@x.vn;mot",          # 2 ok
        ";hai@x.vn;",                           # 3 name missing
        f"{long_name};ba@x.vn;",                # 4 name too long
        "12345 - ...;bon@x.vn;",                # 5 name without letters
        "Năm;;",                                # 6 email missing
        "Sáu;sau@@x.vn;",                       # 7 email invalid
        "Bảy;bay nguyen@x.vn;",                 # 8 email with a space
        f"Tám;{long_email};",                   # 9 email too long
        "Chín;chin@x.vn;ab",                    # 10 login too short
        "Mười;muoi@x.vn;người.dùng",            # 11 login with diacritics
        "Mười một;MOT@x.vn;",                   # 12 duplicate email of line 2
        "Mười hai;muoihai@x.vn;MOT",            # 13 duplicate login of line 2
        "Mười ba;mot.plus+tag@x.vn;",           # 14 email fine, unusable as login
        "Mười bốn;muoibon@x.vn;" + "x" * 151,   # 15 login too long
    )
    parsed = parse_staff_file("a.csv", data)
    assert not parsed.ok
    assert [r.line for r in parsed.rows] == [2]
    assert errors_of(parsed) == [
        (3, "Họ và tên"), (4, "Họ và tên"), (5, "Họ và tên"), (6, "E-mail"), (7, "E-mail"),
        (8, "E-mail"), (9, "E-mail"), (10, "Tên đăng nhập"), (11, "Tên đăng nhập"),
        (12, "E-mail"), (13, "Tên đăng nhập"), (14, "E-mail"), (15, "Tên đăng nhập"),
    ]
    by_line = {e.line: e for e in parsed.errors}
    assert by_line[3].message == "Thiếu họ và tên." and by_line[3].message_en
    assert "255" in by_line[4].message
    assert "chữ cái" in by_line[5].message and "letters" in by_line[5].message_en
    assert by_line[6].message == "Thiếu email."
    assert "sau@@x.vn" in by_line[7].message
    assert "trùng email với dòng 2" in by_line[12].message.lower()
    assert "line 2" in by_line[12].message_en
    assert "trùng tên đăng nhập với dòng 2" in by_line[13].message.lower()
    assert "Tên đăng nhập" in by_line[14].message and "Login" in by_line[14].message_en


def test_one_row_can_have_several_errors():
    parsed = parse_staff_file("a.csv", csv_bytes(HEADER + ",Login", ",,x"))
    assert errors_of(parsed) == [(2, "Họ và tên"), (2, "Email"), (2, "Login")]


def test_three_bad_rows_are_all_reported():
    data = csv_bytes(
        HEADER,
        "Ok Một,ok1@x.vn",
        ",missing-name@x.vn",
        "Ok Hai,ok2@x.vn",
        "Sai Email,sai.email",
        "Trùng,ok1@x.vn",
    )
    parsed = parse_staff_file("a.csv", data)
    assert not parsed.ok
    assert [e.line for e in parsed.errors] == [3, 5, 6]
    assert [r.line for r in parsed.rows] == [2, 4]
    assert all(isinstance(e, RowError) for e in parsed.errors)


def test_duplicate_email_is_case_and_space_insensitive_and_names_the_first_line():
    data = csv_bytes(HEADER, "A,x@y.vn", "B,z@y.vn", "C,  X@Y.VN ", "D,x@y.vn")
    parsed = parse_staff_file("a.csv", data)
    assert [(e.line, e.message) for e in parsed.errors] == [
        (4, "Trùng email với dòng 2."), (5, "Trùng email với dòng 2.")]


def test_login_defaulting_to_email_collides_with_an_explicit_login():
    data = csv_bytes(HEADER + ",Username", "A,a@x.vn,b@x.vn", "B,b@x.vn,")
    parsed = parse_staff_file("a.csv", data)
    assert [(e.line, e.column) for e in parsed.errors] == [(3, "Email")]
    assert "dòng 2" in parsed.errors[0].message


def test_messages_have_full_vietnamese_diacritics():
    parsed = parse_staff_file("a.csv", csv_bytes(HEADER, ",bad"))
    text = " ".join(e.message for e in parsed.errors)
    assert "Thiếu họ và tên" in text and "không hợp lệ" in text


# --- whole-file errors --------------------------------------------------------------------------


@pytest.mark.parametrize("header, missing_vi, missing_en", [
    ("Họ và tên,Đơn vị", "Email", "Email"),
    ("STT,Email,Đơn vị", "Họ và tên", "Full name"),
])
def test_missing_required_column_names_it(header, missing_vi, missing_en):
    err = file_error("a.csv", csv_bytes(header, "1,2,3"))
    assert missing_vi in err.message and "Thiếu cột" in err.message
    assert missing_en in err.message_en


def test_no_recognisable_header():
    err = file_error("a.csv", csv_bytes("a,b,c", "1,2,3"))
    assert "tiêu đề" in err.message


def test_duplicate_column_meaning_is_rejected():
    err = file_error("a.csv", csv_bytes("Họ tên,Email,Thư điện tử", "A,a@x.vn,b@x.vn"))
    assert "Thư điện tử" in err.message and "Email" in err.message


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_file(data):
    assert "rỗng" in file_error("a.csv", data).message


@pytest.mark.parametrize("name", ["a.csv", "a.xlsx"])
def test_header_without_data_rows(name):
    data = csv_bytes(HEADER, ",", "") if name.endswith("csv") else xlsx_bytes([["Name", "Email"]])
    assert "không có dòng dữ liệu" in file_error(name, data).message


@pytest.mark.parametrize("name", ["a.xls", "a.txt", "a.ods", "danh_sach", "a.csv.exe", ""])
def test_unknown_extension(name):
    assert "không được hỗ trợ" in file_error(name, csv_bytes(HEADER, "A,a@x.vn")).message


def test_undecodable_csv():
    data = b"Name,Email\nA\x81B,a@x.vn\n"  # 0x81: invalid UTF-8 and undefined in cp1258/cp1252
    assert "UTF-8" in file_error("a.csv", data).message_en


def zip_that_is_not_xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
    return buf.getvalue()


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 4,                                   # garbage
    b"PK\x03\x04" + bytes(range(200)),                       # zip magic, broken zip
    zip_that_is_not_xlsx(),
    xlsx_bytes([["Name", "Email"], ["A", "a@x.vn"]])[:800],  # truncated workbook
    csv_bytes(HEADER, "A,a@x.vn"),                           # a CSV saved as .xlsx
])
def test_invalid_xlsx_is_a_file_error(data):
    assert "xlsx" in file_error("a.xlsx", data).message_en.lower()


def test_row_limit(monkeypatch):
    monkeypatch.setattr(staff_file, "MAX_ROWS", 3)
    rows = [f"N{i},n{i}@x.vn" for i in range(3)]
    assert len(parse_staff_file("a.csv", csv_bytes(HEADER, *rows, "", "")).rows) == 3
    err = file_error("a.csv", csv_bytes(HEADER, *rows, "", "N9,n9@x.vn"))
    assert "3" in err.message and "split" in err.message_en


def test_real_row_limit_is_20000():
    assert MAX_ROWS == 20000
    rows = [f"Người {i},u{i}@x.vn" for i in range(MAX_ROWS + 1)]
    file_error("a.csv", csv_bytes(HEADER, *rows))
    assert len(parse_staff_file("a.csv", csv_bytes(HEADER, *rows[:-1])).rows) == MAX_ROWS


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), name=st.sampled_from(["a.csv", "a.xlsx"]))
def test_arbitrary_bytes_never_escape_as_other_exceptions(data, name):
    try:
        parsed = parse_staff_file(name, data)
    except StaffFileError:
        return
    assert isinstance(parsed, ParsedStaffFile)
