"""Property-based tests of the cleaner and the chunker: nothing lost, nothing invented."""
from __future__ import annotations

import re
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.ingest import build_document, chunk_corpus, load_corpus
from retrieval.ingest.chunker import chunk_documents, passage_spans
from retrieval.ingest.cleaner import clean_text
from retrieval.ingest.lines import prepare
from retrieval.types import Document, Section

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def sentence():
    # A clause, a comma, another clause and a full stop: what Chinese prose is made of.
    return st.builds(lambda head, tail: f"{head}，{tail}。", st.text(HAN, min_size=1, max_size=5),
                     st.text(HAN, min_size=8, max_size=60))


paragraph = st.lists(sentence(), min_size=2, max_size=8).map("".join)


def hard_wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


@PROPERTY_SETTINGS
@given(st.integers(min_value=12, max_value=30), st.booleans(), st.data())
def test_hard_wrapped_paragraphs_are_rebuilt_without_loss(width, blank_between_lines, data):
    # A column of text: every paragraph at least three lines long, so the wrap width shows.
    paragraphs = data.draw(st.lists(paragraph.filter(lambda text: len(text) >= 3 * width), min_size=3, max_size=6))
    # An ordinary opening, so that the title line cannot read on into the first paragraph.
    paragraphs = ["记者获悉，" + paragraphs[0], *paragraphs[1:]]
    lines = ["测试文章标题"]
    for text in paragraphs:
        lines.extend(hard_wrap(text, width))
        lines.append("")
    raw = "\n\n".join(line for line in lines if line) if blank_between_lines else "\n".join(lines)
    (article,) = clean_text(raw)
    assert article.title == "测试文章标题"
    document = build_document(article, "x#1", "x.txt", "x")
    assert compact(document.text) == compact("".join(paragraphs))
    # Paragraph breaks only where a paragraph (or at least a sentence) ended.
    for start, end in document.paragraphs:
        assert document.text[end - 1] == "。"


@PROPERTY_SETTINGS
@given(st.text(max_size=600))
def test_any_text_is_cleaned_without_error_and_offsets_hold(raw):
    for number, article in enumerate(clean_text(raw), start=1):
        document = build_document(article, f"x#{number}", "x.txt", "x")
        assert document.title
        for start, end in document.paragraphs:
            assert 0 <= start < end <= len(document.text)
            piece = document.text[start:end]
            assert piece == piece.strip() and "\n" not in piece
        assert all(char in raw or char.isspace() for char in set(compact(document.text)))
        check_passages_cover(document, 150, 500)


def check_passages_cover(document: Document, min_chars: int, max_chars: int) -> None:
    spans = passage_spans(document, min_chars, max_chars)
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(document.text)
        assert end - start <= max_chars
        assert document.text[position:start].strip() == ""  # only whitespace between passages
        position = end
    assert document.text[position:].strip() == ""


@st.composite
def documents(draw):
    paragraphs = draw(st.lists(st.text(min_size=1, max_size=900).map(str.strip).filter(bool), min_size=1, max_size=12))
    paragraphs = [re.sub(r"\n", " ", text) for text in paragraphs]
    text = "\n".join(paragraphs)
    spans, offset = [], 0
    for piece in paragraphs:
        spans.append((offset, offset + len(piece)))
        offset += len(piece) + 1
    headings = draw(st.lists(st.sampled_from(range(len(spans))), max_size=3, unique=True))
    sections = tuple(Section(spans[i][0], f"小节{i}") for i in sorted(headings))
    return Document("d#1", "d.txt", "标题", None, text, tuple(spans), sections)


@PROPERTY_SETTINGS
@given(documents(), st.integers(min_value=20, max_value=200), st.integers(min_value=60, max_value=600))
def test_chunker_keeps_every_character_once_in_order(document, min_chars, max_chars):
    check_passages_cover(document, min_chars, max(min_chars, max_chars))


@PROPERTY_SETTINGS
@given(documents())
def test_passages_match_offsets_and_sections(document):
    passages = chunk_documents([document], 150, 500)
    for passage in passages:
        assert document.text[passage.start : passage.end] == passage.text
        assert passage.section == document.section_at(passage.start)
        # A passage never runs across a section heading.
        for section in document.sections:
            assert not passage.start < section.start < passage.end or \
                document.text[passage.start : section.start].strip() == ""
    joined = "".join(compact(passage.text) for passage in passages)
    # Repeats may be dropped; what is kept is in document order and nothing is invented.
    remaining = iter(compact(document.text))
    assert all(char in remaining for char in joined)


# Words that cannot spell site boilerplate, bylines, dates or outline numbers, which the
# cleaner drops or turns into metadata on purpose.
PLAIN_HAN = st.sampled_from("崂山区企业政策奖励补贴发展人才项目服务创新科技金融园产城市高质量建设经济推进重点支持提升的了在和")
LAYOUT = st.sampled_from(["，", "。", "！", "“", "”", "\n", "\n\n", " ", "  ", "Laoshan", "policy", "."])
layout_text = st.lists(st.one_of(st.text(PLAIN_HAN, min_size=1, max_size=30), LAYOUT), max_size=60).map("".join)


def kept_characters(articles) -> tuple[Counter, Counter]:
    """Characters kept as text (titles and paragraphs) and as section headings."""
    text, headings = Counter(), Counter()
    for article in articles:
        text += Counter(compact(article.title or ""))
        for paragraph, _ in article.paragraphs:
            text += Counter(compact(paragraph))
        for section in dict.fromkeys(section for _, section in article.paragraphs if section):
            headings += Counter(compact(section))
    return text, headings


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(layout_text)
def test_cleaner_neither_loses_nor_duplicates_characters(raw):
    articles = clean_text(raw)
    if not articles:
        return  # nothing but a title line: no text to index
    text, headings = kept_characters(articles)
    source = Counter(compact(raw))
    assert not text - source, "characters invented or duplicated"
    assert not source - text - headings, "characters lost"


@PROPERTY_SETTINGS
@given(st.text(max_size=400))
def test_cleaner_never_duplicates_any_unicode(raw):
    text, _ = kept_characters(clean_text(raw))
    assert not text - Counter(compact(prepare(raw)))


@PROPERTY_SETTINGS
@given(st.binary(max_size=3000), st.sampled_from([".txt", ".md", ".html"]))
def test_any_bytes_are_read_or_skipped_never_raised(tmp_path_factory, data, suffix):
    folder = tmp_path_factory.mktemp("bytes")
    (folder / f"file{suffix}").write_bytes(data)
    corpus = load_corpus(folder)
    assert len(corpus.documents) + len(corpus.skipped) >= 1
    for passage in chunk_corpus(corpus):
        document = next(doc for doc in corpus.documents if doc.doc_id == passage.doc_id)
        assert document.text[passage.start : passage.end] == passage.text
