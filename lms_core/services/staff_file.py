"""Parsing and validating an uploaded staff list (CSV or XLSX) before anything is imported.

The import is all-or-nothing, so the admin must see every problem at once, each with the line
number their spreadsheet shows (the header is line 1, blank lines count). Nothing here touches
the database: the caller turns ``ParsedStaffFile.rows`` into users only when ``ok`` is true.
Parsing 20,000 rows is CPU work: async callers should run it in ``asyncio.to_thread``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from lms_core.text import fold

MAX_ROWS = 20000
_HEADER_SCAN = 10  # title rows ("DANH SÁCH CÁN BỘ ...") may sit above the real header
_XLSX_MAGIC = b"PK\x03\x04"
_NOT_XLSX = ("Tệp không phải là tệp Excel .xlsx hợp lệ.",
             "The file is not a valid Excel .xlsx file.")

# Kept in step with lms_core.services.users (not imported: that module pulls in the ORM).
_LOGIN_RE = re.compile(r"[a-z0-9._@-]{3,150}")
_EMAIL_RE = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}"
)

_FIELDS = {  # field -> (Vietnamese label, English label, header aliases)
    "full_name": ("Họ và tên", "Full name", ["họ và tên", "họ tên", "full name", "name"]),
    "email": ("Email", "Email", ["email", "thư điện tử", "e-mail", "địa chỉ email"]),
    "unit": ("Đơn vị", "Unit", ["đơn vị", "unit", "cơ quan"]),
    "position": ("Vị trí việc làm", "Position",
                 ["vị trí việc làm", "chức danh", "position", "job position"]),
    "login": ("Tên đăng nhập", "Login", ["tên đăng nhập", "login", "username"]),
    "phone": ("Điện thoại", "Phone", ["điện thoại", "số điện thoại", "sđt", "phone"]),
    "_seq": ("STT", "No.", ["stt", "no.", "tt", "số thứ tự", "#"]),
}
_REQUIRED = ("full_name", "email")


def _header_key(text: str) -> str:
    """Case, diacritics, spaces and punctuation vary between templates; letters and digits don't."""
    folded = fold(text)
    return "".join(ch for ch in folded if ch.isalnum()) or folded.strip()


_ALIASES = {_header_key(alias): name for name, (_, _, aliases) in _FIELDS.items()
            for alias in aliases}


@dataclass(frozen=True)
class StaffRow:
    line: int
    full_name: str
    email: str
    login: str  # lower-cased, as create_user stores it, so duplicates are found here
    unit: str
    position: str
    phone: str = ""


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str
    message_en: str


class StaffFileError(Exception):
    """The file as a whole is unusable, so there are no per-row errors worth showing."""

    def __init__(self, message: str, message_en: str):
        super().__init__(message)
        self.message = message
        self.message_en = message_en


@dataclass
class ParsedStaffFile:
    rows: list[StaffRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Import only a fully clean file: a half-imported list is harder to fix than none."""
        return not self.errors


def parse_staff_file(filename: str, data: bytes) -> ParsedStaffFile:
    """Admins rename files and Excel saves CSV in odd encodings, so trust the bytes over names."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in ("csv", "xlsx"):
        raise StaffFileError(
            f"Định dạng tệp không được hỗ trợ ({filename}). Hãy lưu dưới dạng .xlsx hoặc .csv.",
            f"Unsupported file type ({filename}). Please save it as .xlsx or .csv.")
    if not data.strip():
        raise StaffFileError("Tệp rỗng.", "The file is empty.")
    if data.startswith(_XLSX_MAGIC):
        return _parse_rows(_xlsx_rows(data))
    if ext == "xlsx":
        raise StaffFileError(*_NOT_XLSX)
    return _parse_rows(_csv_rows(_decode(data)))


def _decode(data: bytes) -> str:
    """Excel on Vietnamese Windows still writes cp1258; cp1252 catches older Western files."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "cp1258", "cp1252")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise StaffFileError("Không đọc được bảng mã của tệp. Hãy lưu tệp CSV với bảng mã UTF-8.",
                         "Cannot read the file's encoding. Please save the CSV as UTF-8.")


def _csv_rows(text: str) -> Iterator[list[str]]:
    """Pick the delimiter that makes the most header names recognisable, not the most common."""
    head = text.splitlines()[:_HEADER_SCAN]

    def score(delim: str) -> tuple[int, int]:
        rows = list(csv.reader(head, delimiter=delim))
        return (max((sum(_header_key(c) in _ALIASES for c in r) for r in rows), default=0),
                max((len(r) for r in rows), default=0))

    delimiter = max([",", ";", "\t"], key=score)
    # Record numbers, not physical lines: a quoted multi-line cell is still one spreadsheet row.
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:  # e.g. a runaway quote swallowing the rest of the file
        raise StaffFileError(f"Tệp CSV sai cấu trúc: {exc}.", f"Malformed CSV: {exc}.") from exc


def _cell_text(value: Any) -> str:
    """Phone numbers typed into Excel become floats; ``912345678.0`` must read as digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    """Read-only mode streams the sheet, so a huge upload can't exhaust memory before the cap."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # BadZipFile, KeyError, InvalidFileException, XML errors...
        raise StaffFileError(*_NOT_XLSX) from exc
    try:
        preferred = [ws for ws in book.worksheets
                     if any(k in _header_key(ws.title) for k in ("danhsach", "staff"))]
        for row in (preferred or book.worksheets)[0].iter_rows(values_only=True):
            yield [_cell_text(v) for v in row]
    except Exception as exc:  # a damaged sheet, or a workbook holding only chart sheets
        raise StaffFileError("Tệp Excel bị hỏng, không đọc được.",
                             "The Excel file is damaged and cannot be read.") from exc
    finally:
        book.close()


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _find_header(rows: Iterator[list[str]]) -> tuple[int, list[str], dict[str, int]]:
    """Return the header's line, its cells as written and the column index of each field."""
    best: tuple[int, list[str], dict[str, int]] | None = None
    seen = 0
    for line, cells in enumerate(rows, start=1):
        cells = [_clean(c) for c in cells]
        if not any(cells):
            continue
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            name = _ALIASES.get(_header_key(cell))
            if name is None:
                continue
            if name in columns and name != "_seq":
                raise StaffFileError(
                    f"Dòng {line}: cột “{cells[columns[name]]}” và “{cell}” cùng là "
                    f"{_FIELDS[name][0]}; hãy xoá một cột.",
                    f"Line {line}: columns “{cells[columns[name]]}” and “{cell}” both mean "
                    f"{_FIELDS[name][1]}; please remove one.")
            columns.setdefault(name, index)
        if all(r in columns for r in _REQUIRED):
            return line, cells, columns
        if best is None or len(columns) > len(best[2]):
            best = (line, cells, columns)
        seen += 1
        if seen >= _HEADER_SCAN:
            break
    if best is None:
        raise StaffFileError("Tệp rỗng.", "The file is empty.")
    if not best[2]:
        raise StaffFileError(
            "Không tìm thấy dòng tiêu đề (cần các cột “Họ và tên” và “Email”).",
            "No header row found (the columns “Full name” and “Email” are required).")
    missing = [r for r in _REQUIRED if r not in best[2]]
    raise StaffFileError(
        "Thiếu cột bắt buộc: " + ", ".join(_FIELDS[m][0] for m in missing) + ".",
        "Missing required column: " + ", ".join(_FIELDS[m][1] for m in missing) + ".")


def _parse_rows(rows: Iterable[list[str]]) -> ParsedStaffFile:
    """Collect every problem instead of stopping at the first, so one upload shows them all."""
    rows = iter(rows)
    header_line, header, columns = _find_header(rows)
    label = {name: header[index] for name, index in columns.items()}
    result = ParsedStaffFile()
    first_email: dict[str, int] = {}
    first_login: dict[str, int] = {}
    count = 0
    for line, raw in enumerate(rows, start=header_line + 1):
        cells = [_clean(c) for c in raw]
        if not any(c for i, c in enumerate(cells) if i != columns.get("_seq")):
            continue
        count += 1
        if count > MAX_ROWS:
            raise StaffFileError(f"Tệp có quá {MAX_ROWS} dòng dữ liệu; hãy chia thành nhiều tệp.",
                                 f"More than {MAX_ROWS} data rows; please split the file.")
        get = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}
        errors: list[RowError] = []

        def bad(name: str, vi: str, en: str) -> None:
            errors.append(RowError(line, label.get(name, ""), vi, en))

        name = " ".join(get["full_name"].split())
        if not name:
            bad("full_name", "Thiếu họ và tên.", "Full name is missing.")
        elif len(name) > 255:
            bad("full_name", "Họ và tên dài quá 255 ký tự.", "Full name is over 255 characters.")
        elif not any(ch.isalpha() for ch in name):
            bad("full_name", f"Họ và tên “{name}” không có chữ cái nào.",
                f"Full name “{name}” contains no letters.")

        email = get["email"].lower()
        email_ok = False
        if not email:
            bad("email", "Thiếu email.", "Email is missing.")
        elif len(email) > 254 or not _EMAIL_RE.fullmatch(email):
            bad("email", f"Email “{get['email']}” không hợp lệ.",
                f"Email “{get['email']}” is not valid.")
        elif email in first_email:
            bad("email", f"Trùng email với dòng {first_email[email]}.",
                f"Duplicate email: same as line {first_email[email]}.")
        else:
            first_email[email] = line
            email_ok = True

        login = get.get("login", "").lower()
        login_from = "login" if login else "email"
        if not login and email_ok:
            login = email
            if not _LOGIN_RE.fullmatch(login):
                bad("email", "Email này không dùng được làm tên đăng nhập (chỉ 3–150 ký tự: "
                    "chữ không dấu, số, . _ - @); hãy thêm cột “Tên đăng nhập”.",
                    "This email cannot serve as the login (3-150 characters: letters, digits, "
                    ". _ - @); please add a “Login” column.")
                login = ""
        elif login and not _LOGIN_RE.fullmatch(login):
            bad("login", f"Tên đăng nhập “{get['login']}” không hợp lệ: cần 3–150 ký tự gồm "
                "chữ không dấu, số, dấu . _ - @.",
                f"Login “{get['login']}” is not valid: 3-150 characters of letters, digits, "
                ". _ - @.")
            login = ""
        if login:
            if login in first_login:
                bad(login_from, f"Trùng tên đăng nhập với dòng {first_login[login]}.",
                    f"Duplicate login: same as line {first_login[login]}.")
            else:
                first_login[login] = line

        if errors:
            result.errors.extend(errors)
        else:
            result.rows.append(StaffRow(line, name, email, login, get.get("unit", ""),
                                        get.get("position", ""), get.get("phone", "")))
    if count == 0:
        raise StaffFileError("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.",
                             "The file has no data rows below the header.")
    return result
