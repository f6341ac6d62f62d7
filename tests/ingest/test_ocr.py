"""OCR of scanned PDFs: a page of Chinese text rendered to an image (no text layer) is read
back by the shipped engine, rejoined like the seeds, and remembered as OCR."""
from __future__ import annotations

from document_factory import scanned_pdf_bytes, wrap
from retrieval.ingest import ChunkSettings, chunk_corpus, load_corpus
from retrieval.ingest.ocr import OcrCache, PdfOcr, RapidOcrEngine, rows_to_lines

NOTICE = ("关于支持胶州湾新材料产业园发展的若干措施",
          "对新入驻产业园的企业，按照实际租用面积给予每平方米每月十五元的租金补贴，最长补贴三年。"
          "企业年度研发投入超过五百万元的，再给予一次性奖励一百万元。")


def test_rows_are_joined_left_to_right_and_read_top_to_bottom():
    boxes = [(100, 130, 400, "世界"), (102, 131, 50, "你好"), (10, 40, 50, "标题"), (200, 230, 50, "Hello"),
             (201, 229, 300, "world")]
    assert rows_to_lines(boxes) == ["标题", "你好世界", "Hello world"]


class CountingEngine:
    def __init__(self):
        self.pages = 0
        self.engine = RapidOcrEngine.shared()

    def recognise(self, image):
        self.pages += 1
        return self.engine.recognise(image)


def test_scanned_pdf_is_read_by_ocr_and_rejoined(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    title, body = NOTICE
    (seeds / "notice.pdf").write_bytes(scanned_pdf_bytes([title, ""] + wrap(body, 26)))
    counting = CountingEngine()
    progress = []
    ocr = PdfOcr(tmp_path / "ocr-cache", progress=lambda done, total: progress.append((done, total)),
                 engine_factory=lambda: counting)

    corpus = load_corpus(seeds, ocr=ocr)
    assert not corpus.skipped
    (document,) = corpus.documents
    assert document.ocr and document.title == title
    # the hard-wrapped lines are one paragraph again, and the figures read right
    assert len(document.paragraphs) == 1
    assert "每平方米每月十五元的租金补贴" in document.text and "一次性奖励一百万元" in document.text
    assert progress == [(1, 1)]
    assert all(passage.ocr for passage in chunk_corpus(corpus, ChunkSettings()))

    # a rebuild reads the same scan from the cache: no second OCR
    again = load_corpus(seeds, ocr=ocr)
    assert counting.pages == 1 and again.documents[0].text == document.text


def test_without_ocr_a_scan_is_skipped_with_a_reason(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf_bytes(["只有图片的页面"]))
    corpus = load_corpus(tmp_path)
    assert [(item.file, "text layer" in item.reason) for item in corpus.skipped] == [("scan.pdf", True)]


def test_a_broken_cache_file_is_ignored(tmp_path):
    cache = OcrCache(tmp_path)
    (tmp_path / "abc.json").write_text("{not json", "utf-8")
    assert cache.get("abc") == {}
    cache.put("abc", {0: ["一行"]})
    assert cache.get("abc") == {0: ["一行"]}


def test_unavailable_engine_reports_why(tmp_path):
    from retrieval.ingest.ocr import OcrUnavailable

    def broken():
        raise OcrUnavailable("ImportError: no onnxruntime")

    (tmp_path / "scan.pdf").write_bytes(scanned_pdf_bytes(["只有图片的页面"]))
    corpus = load_corpus(tmp_path, ocr=PdfOcr(None, engine_factory=broken))
    assert "OCR is unavailable" in corpus.skipped[0].reason
