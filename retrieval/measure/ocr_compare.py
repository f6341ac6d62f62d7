"""Compare OCR engines on the same rendered pages: character accuracy and seconds per page.

    python -m retrieval.measure.ocr_compare [--pages N] [--seeds DIR]

Pages are made from the seeds' own Chinese text, rendered with Noto Sans CJK (from the
`mplfonts` package) at 150 dpi, in two variants: clean, and scan-like (tilted 0.6°, blurred,
speckled). Accuracy is 1 - edit distance / reference length, whitespace ignored.
Tesseract runs only when the `tesseract` binary with `chi_sim` is installed.
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import tempfile
import time
import unicodedata
from pathlib import Path

PAGE_SIZE = (1240, 1754)  # A4 at 150 dpi
FONT_PX = 30
CHARS_PER_LINE = 34
LINES_PER_PAGE = 24


def cjk_font_path() -> Path:
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"


def render_page(lines: list[str], scan_like: bool = False, seed: int = 0):
    """A white page with `lines` in black, one per row; optionally made to look scanned."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = ImageFont.truetype(str(cjk_font_path()), FONT_PX)
    page = Image.new("L", PAGE_SIZE, 255)
    draw = ImageDraw.Draw(page)
    y = 120
    for line in lines:
        draw.text((110, y), line, font=font, fill=0)
        y += int(FONT_PX * 1.9)
    if scan_like:
        rng = random.Random(seed)
        page = page.rotate(0.6, resample=Image.BICUBIC, fillcolor=255).filter(ImageFilter.GaussianBlur(0.8))
        pixels = page.load()
        for _ in range(6000):
            x, y = rng.randrange(PAGE_SIZE[0]), rng.randrange(PAGE_SIZE[1])
            pixels[x, y] = rng.choice((0, 90, 160))
    return page.convert("RGB")


def page_texts(seeds_dir: Path, pages: int) -> list[list[str]]:
    """Lines of `CHARS_PER_LINE` characters taken from the seeds' paragraphs."""
    from retrieval.ingest import load_corpus

    text = "".join(document.text.replace("\n", "") for document in load_corpus(seeds_dir).documents)
    text = "".join(char for char in text if not char.isspace())
    size = CHARS_PER_LINE * LINES_PER_PAGE
    step = max(size, len(text) // max(pages, 1))
    chunks = [text[start : start + size] for start in range(0, step * pages, step)]
    return [[chunk[i : i + CHARS_PER_LINE] for i in range(0, len(chunk), CHARS_PER_LINE)] for chunk in chunks if chunk]


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def char_accuracy(reference: str, recognised: str, fold_width: bool = True) -> float:
    """With `fold_width`, full- and half-width forms count as one (NFKC): in a CJK font an
    ASCII comma and a full-width one look alike, and the seeds mix both."""
    if fold_width:
        reference, recognised = unicodedata.normalize("NFKC", reference), unicodedata.normalize("NFKC", recognised)
    reference = "".join(reference.split())
    recognised = "".join(recognised.split())
    return max(0.0, 1 - edit_distance(reference, recognised) / max(1, len(reference)))


def rapidocr_engine():
    from retrieval.ingest.ocr import RapidOcrEngine

    engine = RapidOcrEngine()
    return lambda image: "\n".join(engine.recognise(image))


def tesseract_engine():
    if not shutil.which("tesseract"):
        return None

    def recognise(image) -> str:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "page.png"
            image.save(path)
            done = subprocess.run(["tesseract", str(path), "-", "-l", "chi_sim+eng", "--psm", "6"],
                                  capture_output=True, text=True, check=True)
            return done.stdout

    return recognise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--seeds", default="seeds")
    args = parser.parse_args()
    pages = page_texts(Path(args.seeds), args.pages)
    engines = {"rapidocr": rapidocr_engine(), "tesseract chi_sim": tesseract_engine()}
    for name, recognise in engines.items():
        if recognise is None:
            print(f"{name}: not installed")
            continue
        for scan_like in (False, True):
            accuracies, raw, seconds = [], [], 0.0
            for number, lines in enumerate(pages):
                image = render_page(lines, scan_like, seed=number)
                started = time.perf_counter()
                recognised = recognise(image)
                seconds += time.perf_counter() - started
                accuracies.append(char_accuracy("".join(lines), recognised))
                raw.append(char_accuracy("".join(lines), recognised, fold_width=False))
            variant = "scan-like" if scan_like else "clean"
            print(f"{name:18} {variant:9} pages={len(pages)} char accuracy={sum(accuracies) / len(accuracies):.4f} "
                  f"min={min(accuracies):.4f} unfolded={sum(raw) / len(raw):.4f} seconds/page={seconds / len(pages):.2f}")


if __name__ == "__main__":
    main()
