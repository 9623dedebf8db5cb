"""File downloads (exports): one place that names the file safely for every browser.

Vietnamese file names ("thống-kê.xlsx") do not fit the plain ``filename=`` parameter, which is
Latin-1; RFC 6266 browsers read ``filename*=UTF-8''…`` and the rest get an ASCII fallback with
the diacritics folded, so an export never arrives as "download" or with mangled letters.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.responses import Response

from lms_core.text import fold

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain; charset=utf-8",
    "gift": "text/plain; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
    "ics": "text/calendar; charset=utf-8",
}

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the exact UTF-8 name; path separators and
    control characters never reach the header."""
    name = "".join(ch for ch in filename.replace("/", "-").replace("\\", "-")
                   if ch.isprintable()).strip() or "download"
    ascii_name = _UNSAFE.sub("-", fold(name)).strip("-.") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment(content: bytes | str, filename: str, media_type: str | None = None) -> Response:
    """A download response; the media type follows the extension unless given."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return Response(content, media_type=media_type or MEDIA_TYPES.get(ext,
                                                                     "application/octet-stream"),
                    headers={"Content-Disposition": content_disposition(filename),
                             "X-Content-Type-Options": "nosniff",
                             "Cache-Control": "private, no-store"})
