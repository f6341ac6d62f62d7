"""OCR of PDF pages without a text layer (scans), Chinese and English, fully offline.

The engine is RapidOCR (PP-OCRv4 detection + recognition run by onnxruntime); its ONNX models
ship inside the `rapidocr-onnxruntime` wheel, so nothing is downloaded. It beat Tesseract
`chi_sim` on the same rendered pages (README, "Scanned PDFs"). Pages are rendered with
pypdfium2. Results are cached by the file's sha256, so a rebuild never OCRs a scan twice.

Output is one line per recognised text line, top to bottom: the cleaner then rejoins the
hard-wrapped lines exactly as it does for the seeds' column text.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from retrieval.text import is_cjk

# (page number counted from 1, pages to OCR in this file)
OcrProgress = Callable[[int, int], None]

TARGET_PAGE_PIXELS = 1700  # width a page is rendered to: ~200 dpi for A4, enough for 10 pt text
MIN_CONFIDENCE = 0.5


class OcrUnavailable(Exception):
    """The OCR engine cannot run here (package missing or broken)."""


class RapidOcrEngine:
    """RapidOCR loaded once per process (the models take ~0.5 s to load)."""

    _shared: "RapidOcrEngine | None" = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except Exception as error:  # ImportError, or a broken onnxruntime / opencv
            raise OcrUnavailable(f"{type(error).__name__}: {error}") from error
        # no angle classifier: scanned lines are upright, and it turned some whole lines upside
        # down (then dropped as unreadable) on the comparison pages
        self._ocr = RapidOCR(use_cls=False)
        self._lock = threading.Lock()  # one page at a time: onnxruntime already uses every core

    @classmethod
    def shared(cls) -> "RapidOcrEngine":
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def recognise(self, image) -> list[str]:
        """Text lines of a PIL image, top to bottom, boxes on one row joined left to right."""
        import numpy as np

        with self._lock:
            result, _ = self._ocr(np.asarray(image.convert("RGB")))
        boxes = []
        for box, text, score in result or []:
            if float(score) < MIN_CONFIDENCE or not text.strip():
                continue
            ys = [point[1] for point in box]
            xs = [point[0] for point in box]
            boxes.append((min(ys), max(ys), min(xs), text.strip()))
        return rows_to_lines(boxes)


def rows_to_lines(boxes: Sequence[tuple[float, float, float, str]]) -> list[str]:
    """Group (top, bottom, left, text) boxes into rows by vertical overlap; join each row."""
    rows: list[list[tuple[float, float, float, str]]] = []
    for box in sorted(boxes):
        top, bottom = box[0], box[1]
        if rows:
            last = rows[-1]
            row_top, row_bottom = min(b[0] for b in last), max(b[1] for b in last)
            overlap = min(bottom, row_bottom) - max(top, row_top)
            if overlap > 0.5 * min(bottom - top, row_bottom - row_top):
                last.append(box)
                continue
        rows.append([box])
    lines = []
    for row in rows:
        line = ""
        for _, _, _, text in sorted(row, key=lambda b: b[2]):
            if line and not (is_cjk(line[-1]) or is_cjk(text[0])):
                line += " "
            line += text
        lines.append(line)
    return lines


class OcrCache:
    """Page texts of OCR'd files, one JSON file per (file sha256): {"pages": {"3": [lines]}}."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) if folder else None

    def _path(self, sha256: str) -> Path | None:
        return self.folder / f"{sha256}.json" if self.folder else None

    def get(self, sha256: str) -> dict[int, list[str]]:
        path = self._path(sha256)
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path else {}
            return {int(page): [str(line) for line in lines] for page, lines in data.get("pages", {}).items()}
        except (OSError, ValueError, AttributeError, TypeError):
            return {}

    def put(self, sha256: str, pages: dict[int, list[str]]) -> None:
        path = self._path(sha256)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=".", suffix=".tmp", delete=False) as handle:
                json.dump({"pages": {str(page): lines for page, lines in pages.items()}}, handle, ensure_ascii=False)
            os.replace(handle.name, path)
        except OSError:
            pass  # a cache we cannot write only costs time


class PdfOcr:
    """What `pdf_to_text` calls for pages without a text layer."""

    def __init__(self, cache_dir: Path | None = None, progress: OcrProgress | None = None,
                 engine_factory: Callable[[], RapidOcrEngine] = RapidOcrEngine.shared) -> None:
        self.cache = OcrCache(cache_dir)
        self.progress = progress
        self._engine_factory = engine_factory

    def pages(self, path: Path, sha256: str, page_numbers: Sequence[int]) -> dict[int, list[str]]:
        """Lines of each page in `page_numbers` (counted from 0), from the cache or by OCR."""
        cached = self.cache.get(sha256)
        missing = [number for number in page_numbers if number not in cached]
        if missing:
            engine = self._engine_factory()
            for done, number in enumerate(missing, start=1):
                if self.progress is not None:
                    self.progress(done, len(missing))
                cached[number] = engine.recognise(render_pdf_page(path, number))
            self.cache.put(sha256, cached)
        return {number: cached[number] for number in page_numbers}


def render_pdf_page(path: Path, number: int):
    """Page `number` (from 0) of a PDF as a PIL image about TARGET_PAGE_PIXELS wide."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        page = document[number]
        width = page.get_width() or 595
        scale = min(4.0, max(1.0, TARGET_PAGE_PIXELS / width))
        return page.render(scale=scale, grayscale=True).to_pil()
    finally:
        document.close()
