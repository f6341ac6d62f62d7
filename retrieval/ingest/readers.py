"""Turn a file of any supported format into plain text lines.

Every reader returns `str` with one line per visual line or block; hard-wrap joining,
headings and boilerplate are the cleaner's job. Problems raise `UnreadableFile(reason)`,
which `load_corpus` turns into a `SkippedFile`.
"""
from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from pathlib import Path

from retrieval.text import is_cjk

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".docx", ".pdf"}
MAX_FILE_BYTES = 50 * 1024 * 1024


class UnreadableFile(Exception):
    """A file we cannot turn into text; the message is the skip reason shown to the user."""


class UnsupportedFile(UnreadableFile):
    pass


class EmptyFile(UnreadableFile):
    pass


class EncryptedFile(UnreadableFile):
    pass


# ---------------------------------------------------------------- encodings


def _share_common_chinese(text: str, encoding: str, common_leads: range) -> float:
    """Share of non-ASCII characters that are common characters of `encoding`.

    A wrong legacy decoding (Big5 read as GBK or the reverse) rarely fails outright, but
    it produces rare characters, kana and symbols instead of everyday Hanzi.
    """
    others = [char for char in text if ord(char) > 0x7F]
    if not others:
        return 1.0
    common = 0
    for char in others:
        if not is_cjk(char):
            continue
        try:
            encoded = char.encode(encoding)
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and (encoded[0] in common_leads or encoded[0] in range(0xA1, 0xA4)):
            common += 1
    return common / len(others)


# GB2312 level-1 Hanzi (the 3755 most frequent) have lead bytes 0xB0-0xD7; Big5's
# "frequently used" block has lead bytes 0xA4-0xC6. 0xA1-0xA3 is punctuation in both.
_GB_COMMON = range(0xB0, 0xD8)
_BIG5_COMMON = range(0xA4, 0xC7)


def decode_bytes(data: bytes) -> str:
    """Decode text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030, Big5, else guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnreadableFile(f"invalid UTF-8 after a UTF-8 BOM ({error.reason})") from error
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableFile(f"invalid UTF-16 ({error.reason})") from error
    if b"\x00" in data:
        raise UnreadableFile("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[float, str]] = []
    for encoding, common in (("gb18030", _GB_COMMON), ("big5", _BIG5_COMMON)):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_share_common_chinese(text, encoding, common), text))
    if candidates:
        score, text = max(candidates, key=lambda candidate: candidate[0])
        if score >= 0.6:
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableFile("unknown text encoding (not UTF-8, GB18030 or Big5)")
    return str(best)


def _reject_binary(text: str) -> str:
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\n\r\f\v")
    if text and controls / len(text) > 0.05:
        raise UnreadableFile("binary file (mostly control characters)")
    return text


# ---------------------------------------------------------------- markdown

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|`)")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")


def markdown_to_text(source: str) -> tuple[str, str | None]:
    """Strip Markdown markup, keep the words; headings stay on a line of their own.

    The first top-level heading is the title: the cleaner cannot see heading levels, and
    would read `# Title` followed by `## Section` as one two-line title.
    """
    lines = []
    title = None
    in_fence = False
    for line in source.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        if _MD_RULE.match(line):
            lines.append("")
            continue
        heading = _MD_HEADING.match(line)
        if heading and not in_fence:
            if title is None and line.lstrip().startswith("# "):
                title = heading.group(1).strip() or None
            lines.extend(["", heading.group(1), ""])
            continue
        line = _MD_IMAGE.sub(r"\1", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_EMPHASIS.sub("", line)
        line = _MD_LIST.sub("", line)
        lines.append(line.lstrip("> ") if line.lstrip().startswith(">") else line)
    return "\n".join(lines), title


# ---------------------------------------------------------------- HTML

_SKIPPED_TAGS = frozenset(
    {"script", "style", "nav", "header", "footer", "aside", "noscript", "template", "svg",
     "iframe", "form", "button", "select", "head"}
)
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
     "section", "article", "main", "blockquote", "pre", "hr", "dd", "dt", "dl", "figure",
     "figcaption", "caption", "title", "body", "td", "th"}
)
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "area", "base", "col"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.title = ""
        self._current: list[str] = []
        self._skip_depth = 0
        self._in_head = False
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_TAGS and tag not in _VOID_TAGS:
            self._skip_depth += 1
            self._in_head = self._in_head or tag == "head"
        elif tag == "title":
            # The page title is the <title> of <head> (or of a page without <head>), not an
            # <svg> icon's; it counts once.
            self._in_title = not self.title and self._skip_depth == int(self._in_head)
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS and self._skip_depth:
            self._skip_depth -= 1
            self._in_head = self._in_head and tag != "head"
        elif tag == "title":
            self._in_title = False
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip_depth:
            self._current.append(data)

    def _flush(self) -> None:
        block = _collapse_html_whitespace("".join(self._current))
        if block:
            self.blocks.append(block)
        self._current = []

    def close(self):
        super().close()
        self._flush()


def _collapse_html_whitespace(text: str) -> str:
    """HTML whitespace is one space, except a line break between two Chinese characters."""

    def replace(match: re.Match) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if "\n" in match.group() and before and after and is_cjk(before) and is_cjk(after):
            return ""
        return " "

    return re.sub(r"\s+", replace, text).strip()


def html_to_text(source: str) -> tuple[str, str | None]:
    """Visible text of an HTML page, one block per line; plus its <title>."""
    parser = _TextExtractor()
    parser.feed(source)
    parser.close()
    title = _collapse_html_whitespace(parser.title) or None
    return "\n\n".join(parser.blocks), title


# ---------------------------------------------------------------- docx / pdf


def docx_to_text(path: Path) -> tuple[str, str | None]:
    try:
        import docx

        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises many kinds for broken zips/xml
        raise UnreadableFile(f"not a readable .docx file ({type(error).__name__})") from error
    blocks = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append(" ".join(cell.text for cell in row.cells))
    title = (document.core_properties.title or "").strip() or None
    return "\n\n".join(blocks), title


def _has_text_layer(page_text: str) -> bool:
    """A scan often carries no text at all, or only a stamped page number."""
    return len(re.sub(r"[\s\d]", "", page_text)) >= 5


def pdf_to_text(path: Path, ocr=None, sha256: str | None = None) -> tuple[str, bool]:
    """Text of a PDF, and whether any of it came from OCR.

    Pages without a text layer are given to `ocr` (an `ocr.PdfOcr`) when there is one.
    """
    # pypdf logs its repairs ("EOF marker not found") to stderr; the skip reason says enough.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise EncryptedFile("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableFile:
        raise
    except Exception as error:  # pypdf raises many kinds for broken files
        raise UnreadableFile(f"not a readable PDF ({type(error).__name__})") from error
    scanned = [number for number, text in enumerate(pages) if not _has_text_layer(text)]
    from_ocr = False
    if scanned and ocr is not None:
        from retrieval.ingest.ocr import OcrUnavailable

        if sha256 is None:
            from retrieval.ingest.files import sha256_file

            sha256 = sha256_file(path)
        try:
            recognised = ocr.pages(path, sha256, scanned)
        except OcrUnavailable as error:
            if len(scanned) == len(pages):
                raise UnreadableFile(f"PDF has no text layer and OCR is unavailable ({error})") from error
        except Exception as error:  # a page pdfium cannot render, an engine failure
            raise UnreadableFile(f"could not OCR the scanned PDF ({type(error).__name__})") from error
        else:
            for number, lines in recognised.items():
                pages[number] = "\n".join(lines)
            from_ocr = any(lines for lines in recognised.values())
    # A lone page number between pages is layout, not text.
    lines = [line for page in pages for line in page.splitlines() if not line.strip().isdigit()]
    if not "".join(lines).strip():
        if scanned and ocr is not None:
            raise EmptyFile("no text found in the scanned PDF (OCR read nothing)")
        raise UnreadableFile("PDF has no text layer (scanned image?)")
    return "\n".join(lines), from_ocr


# ---------------------------------------------------------------- entry point


def read_text(path: Path) -> tuple[str, str | None]:
    """Text of a file plus a title hint from its metadata (None when it has none); no OCR."""
    text, title, _ = read_document(path)
    return text, title


def read_document(path: Path, ocr=None, sha256: str | None = None) -> tuple[str, str | None, bool]:
    """Text of a file, a title hint from its metadata, and whether the text came from OCR
    (scanned PDF pages, read by `ocr` when given)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFile(f"unsupported file type {suffix or '(no extension)'}")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UnreadableFile(f"cannot read file ({error.strerror or error})") from error
    if size == 0:
        raise EmptyFile("empty file")
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(f"file too large ({size // (1024 * 1024)} MiB)")
    if suffix == ".docx":
        return (*docx_to_text(path), False)
    if suffix == ".pdf":
        text, from_ocr = pdf_to_text(path, ocr, sha256)
        return text, None, from_ocr
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"cannot read file ({error.strerror or error})") from error
    text = _reject_binary(decode_bytes(data))
    if suffix in HTML_SUFFIXES:
        return (*html_to_text(text), False)
    if suffix in (".md", ".markdown"):
        return (*markdown_to_text(text), False)
    return text, None, False
