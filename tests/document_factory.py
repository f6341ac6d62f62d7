"""Documents made in the tests: a DOCX, and a scanned PDF (Chinese text rendered to an image
page, no text layer) with Noto Sans CJK from the `mplfonts` package."""
from __future__ import annotations

import io
from pathlib import Path


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def cjk_font_path() -> Path:
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"


def scanned_pdf_bytes(lines: list[str], font_px: int = 30) -> bytes:
    """One A4 page at 150 dpi holding `lines` as pixels only, as a scanner would make it."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(cjk_font_path()), font_px)
    page = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((110, 140 + number * int(font_px * 1.9)), line, font=font, fill=0)
    buffer = io.BytesIO()
    page.convert("RGB").save(buffer, "PDF", resolution=150.0)
    return buffer.getvalue()


def wrap(text: str, width: int) -> list[str]:
    """Hard-wrap `text` every `width` characters, as a column layout does."""
    return [text[start : start + width] for start in range(0, len(text), width)]
