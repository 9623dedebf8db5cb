"""The attendance sheet of one session as CSV (UTF-8 with a BOM, so Excel reads Vietnamese):
who came, for how long, when they checked in, whether they count as attended, then the
enrolled trainees who never came. Cells are guarded against formula injection."""

from __future__ import annotations

import csv
import io
from typing import Any

from lms_live_sessions.export import _when, neutralise

HEADERS = ("Họ và tên (Full name)", "Tên đăng nhập (Login)", "Vai trò (Role)",
           "Vào lần đầu (First join)", "Rời lần cuối (Last leave)",
           "Thời gian có mặt, giây (Seconds present)", "Số lần vào (Joins)",
           "Điểm danh bằng mã lúc (Checked in at)", "Tính là có mặt (Attended)")
ROLE_LABELS = {"runner": "Giảng viên (runner)", "trainee": "Học viên (trainee)",
               "guest": "Khách (guest)"}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return value if isinstance(value, int) else neutralise(str(value))


def to_csv(sheet: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for item in sheet["items"]:
        writer.writerow([_cell(v) for v in (
            item["user"]["full_name"], item["user"]["login"],
            ROLE_LABELS.get(item["role"], item["role"]), _when(item["first_join_at"]),
            _when(item["last_leave_at"]), item["seconds_present"], item["joins"],
            _when(item["checked_in_at"]), "Có (yes)" if item["attended"] else "Không (no)")])
    for person in sheet["absent"]:
        writer.writerow([_cell(person["full_name"]), _cell(person["login"]),
                         ROLE_LABELS["trainee"], "", "", 0, 0, "", "Không (no)"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
