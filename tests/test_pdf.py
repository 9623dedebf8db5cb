"""The shared PDF document (lms_core.pdf) keeps Vietnamese whole and lays tables over pages."""

from __future__ import annotations

import io

from pypdf import PdfReader

from lms_core.pdf import Document


def _read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def test_vietnamese_text_survives_with_every_diacritic() -> None:
    doc = Document("Báo cáo đánh giá sau đào tạo", footer="Sở Nội vụ")
    doc.heading("Tỉ lệ đạt chuẩn năng lực")
    doc.paragraph("Nguyễn Thị Ánh Tuyết, Phường Bến Nghé, Quận 1; ễ ặ ữ ỹ Đ")
    data = doc.to_bytes()
    assert data.startswith(b"%PDF-")
    reader = _read(data)
    text = reader.pages[0].extract_text()
    assert "Nguyễn Thị Ánh Tuyết" in text and "ễ ặ ữ ỹ Đ" in text
    assert reader.metadata.title == "Báo cáo đánh giá sau đào tạo"
    assert "Sở Nội vụ · 1/1" in text


def test_a_long_table_breaks_over_pages_and_repeats_its_header() -> None:
    doc = Document("Bảng", landscape=True)
    doc.table(["Đơn vị", "Số người", "Tỉ lệ"],
              [[f"Phường {i}", i, i / 100] for i in range(120)])
    reader = _read(doc.to_bytes())
    assert len(reader.pages) > 2
    last = reader.pages[-1].extract_text()
    assert "Đơn vị" in last and "Phường 119" in last
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height


def test_a_qr_code_is_embedded_as_an_image() -> None:
    doc = Document("Chứng nhận")
    doc.qr("https://lms.example/certificates/verify/abc", 150, 20)
    reader = _read(doc.to_bytes())
    assert len(reader.pages[0].images) == 1
