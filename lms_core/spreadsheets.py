"""Tables as CSV and XLSX downloads, the same way for every plugin's export.

CSV is UTF-8 with a BOM (Excel otherwise reads Vietnamese as Windows-1252), one table after
another separated by an empty row. XLSX has a sheet per table with bold, frozen headers;
numbers stay numbers and text is never a formula. Names, answers and titles are typed by
people, so every text cell is guarded against formula injection (OWASP's CSV injection).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula (``= + - @``, tab,
    CR; also after leading spaces)."""
    if text and text.lstrip(" ").startswith(_FORMULA_START):
        return "'" + text
    return text


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return neutralise(str(value))


def to_csv(sheets: Sequence[Sheet]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for index, sheet in enumerate(sheets):
        if index:
            writer.writerow([])
        writer.writerow(sheet.headers)
        writer.writerows([_cell(v) for v in row] for row in sheet.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title[:31] or "Sheet")
        for column, header in enumerate(sheet.headers, start=1):
            ws.cell(row=1, column=column, value=header).font = Font(bold=True)
        for r, values in enumerate(sheet.rows, start=2):
            for column, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=column)
                if isinstance(value, bool):
                    cell.value = value
                elif isinstance(value, (int, float)):
                    cell.value = value
                elif isinstance(value, datetime):
                    cell.value = value.replace(tzinfo=None) if value.tzinfo else value
                    cell.number_format = "dd/mm/yyyy hh:mm:ss"
                elif value is not None:
                    cell.value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
