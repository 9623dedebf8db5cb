"""Printable PDF for every plugin (report summaries, certificates), the same way everywhere.

fpdf2 writes the file in pure Python; the core fonts of PDF are Latin-1 only, so a Vietnamese
name would lose its diacritics ("Nguyễn" needs ễ, U+1EC5). The document therefore embeds DejaVu
Sans (shipped in ``fonts/`` under its free licence, subset to the glyphs used), so a PDF prints
the same on any machine without fonts installed. Text is laid out by fpdf2 (wrapping, page
breaks); QR codes come from segno as PNG.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Sequence

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from lms_core.http.downloads import attachment

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"


class Document(FPDF):
    """An A4 page (portrait unless told) with the Unicode font, a running footer (title and
    page x / n) and small helpers for the shapes reports need: headings, paragraphs, label and
    value pairs, tables that repeat their header on each page."""

    def __init__(self, title: str, *, landscape: bool = False, author: str = "",
                 footer: str = "") -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        if author:
            self.set_author(author)
        self.set_creator("LMS")
        self._footer_text = footer or title
        self.alias_nb_pages()
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(15, 15, 15)
        self.add_page()
        self.set_font(FAMILY, size=10)

    def footer(self) -> None:  # fpdf2 calls it on every page
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(110)
        self.cell(0, 5, f"{self._footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    def heading(self, text: str, level: int = 1) -> None:
        size = {1: 16, 2: 13, 3: 11}.get(level, 11)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)
        self.set_font(FAMILY, size=10)

    def paragraph(self, text: str, size: float = 10) -> None:
        self.set_font(FAMILY, size=size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def key_values(self, pairs: Sequence[tuple[str, Any]], label_width: float = 60) -> None:
        for label, value in pairs:
            self.set_font(FAMILY, "B", 10)
            self.cell(label_width, 6, str(label))
            self.set_font(FAMILY, size=10)
            self.multi_cell(0, 6, _text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]],
              widths: Sequence[float] | None = None, size: float = 9) -> None:
        """Numbers right-aligned, text left; the header repeats on each new page."""
        self.set_font(FAMILY, size=size)
        numeric = [all(isinstance(r[i], (int, float)) or r[i] is None for r in rows)
                   for i in range(len(headers))] if rows else [False] * len(headers)
        align = ["RIGHT" if n else "LEFT" for n in numeric]
        with super().table(col_widths=tuple(widths) if widths else None,
                           text_align=tuple(align), line_height=size * 0.55,
                           headings_style=_HEADINGS, repeat_headings=1,
                           first_row_as_headings=True) as table:
            table.row([str(h) for h in headers])
            for r in rows:
                table.row([_text(v) for v in r])
        self.ln(2)

    def qr(self, url: str, x: float, y: float, size: float = 30) -> None:
        import segno

        buffer = io.BytesIO()
        segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
        buffer.seek(0)
        self.image(buffer, x=x, y=y, w=size, h=size)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def _text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def _headings_style() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(family=FAMILY, emphasis="BOLD", fill_color=(230, 236, 245))


_HEADINGS = _headings_style()


def pdf_response(document: Document, filename: str) -> Any:
    """The finished document as a download (``lms_core.http.downloads.attachment``)."""
    return attachment(document.to_bytes(), filename)
