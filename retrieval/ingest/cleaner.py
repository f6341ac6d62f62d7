"""Rebuild articles and real paragraphs from messy text.

The seeds show what the layout does to text: columns hard-wrapped every ~17 characters
(with or without blank lines between), paragraphs cut in the middle of a word by a photo
caption, several articles flattened into one file with their site navigation, headings
standing alone between paragraphs. `clean_text` undoes that, keeping every character of
the body text in order (a moved caption becomes its own paragraph after the one it cut).
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from retrieval.text import display_width, ends_sentence, is_cjk, join_lines
from retrieval.language.tokenizer import get_segmenter
from retrieval.ingest.lines import (
    NUMBERED,
    SOFT_END,
    Kind,
    Segment,
    has_inner_stop,
    heading_shaped,
    is_photo_credit,
    segments,
    starts_mid_sentence,
    stated_date,
)

# A wrapped line shorter than this share of the wrap width ends its paragraph (or is a heading).
FULL_LINE = 0.7
# In unwrapped text a line without end punctuation longer than this is a cut paragraph, not a heading.
MAX_HEADING_WIDTH = 50
MAX_CAPTION_WIDTH = 60
# Below this a line is too short to judge by a word cut across it ("亮点三|聚力…" is a heading).
MIN_CUT_LINE_WIDTH = 10
MAX_SECTION_CHARS = 30


@dataclass
class Article:
    """One cleaned article: its title, dates and (paragraph text, section heading) pairs.

    `date` is the article's own date, stated in its heading lines (a report's delivery date);
    `posted` the date line the site put beside it, often only the day it was reposted.
    """

    title: str | None = None
    date: str | None = None
    paragraphs: list[tuple[str, str | None]] = field(default_factory=list)
    posted: str | None = None


def wrap_width(segs: list[Segment]) -> float | None:
    """The column width of hard-wrapped text, or None when lines are whole paragraphs.

    In wrapped text every line but a paragraph's last has about the same width, the widest
    usual one; in paragraph-per-line text widths scatter.
    """
    widths = sorted(seg.width for seg in segs if seg.kind is Kind.BODY and seg.width >= 4)
    if len(widths) < 4:
        return None
    column = widths[(3 * len(widths)) // 4]
    if column > 60:
        return None
    tolerance = max(1.5, 0.15 * column)
    near = sum(1 for width in widths if abs(width - column) <= tolerance)
    return column if near / len(widths) >= 0.4 else None


def word_across(tail: str, head: str) -> bool:
    """Does a dictionary word run across the joint of `tail` + `head` (金|家岭, 再优|化)?"""
    left, right = tail.rstrip()[-6:], head.lstrip()[:6]
    if not left or not right or not (is_cjk(left[-1]) and left[-1].isalpha()):
        return False
    if not (is_cjk(right[0]) and right[0].isalpha()):
        return False
    position = 0
    for word in get_segmenter().cut(left + right, HMM=False):
        end = position + len(word)
        if position < len(left) < end:
            return True
        position = end
    return False


def _joins_well(tail: str, head: str) -> bool:
    return starts_mid_sentence(head) or word_across(tail, head)


def section_label(text: str) -> str:
    """Short label of a numbered heading: '(一)聚焦强化政治担当,圆满…' -> '(一)聚焦强化政治担当'."""
    marker = NUMBERED.match(text)
    start = marker.end() if marker else 0
    rest = text[start:].lstrip()
    cut = re.search(r"[，,。；;：:！？!?\s]", rest[1:])
    rest = rest[: cut.start() + 1] if cut else rest
    # Reports run the heading into the next sentence: "回顾2018年,是…" / "建设各位代表,为…".
    glued = re.search(r"(?<=\D)\d{4}年|各位代表", rest[2:])
    rest = rest[: glued.start() + 2] if glued else rest
    return (text[:start] + rest)[:MAX_SECTION_CHARS].strip()


class _Sections:
    """Current heading: a standalone heading line, or numbered outline levels 一、 / (一)."""

    def __init__(self) -> None:
        self.line: str | None = None
        self.level1: str | None = None
        self.level2: str | None = None

    def heading_line(self, text: str) -> None:
        self.line, self.level1, self.level2 = text, None, None

    def numbered(self, text: str) -> None:
        marker = NUMBERED.match(text)
        if marker is None:
            return
        if marker.group(1):
            self.level1, self.level2 = section_label(text), None
        else:
            self.level2 = section_label(text)

    @property
    def current(self) -> str | None:
        if self.level1 or self.level2:
            return " / ".join(part for part in (self.level1, self.level2) if part)
        return self.line


class _Assembler:
    def __init__(self, segs: list[Segment], title_hint: str | None) -> None:
        self.segs = segs
        self.wrap = wrap_width(segs)
        self.title_hint = title_hint
        self.articles: list[Article] = []
        self.article = Article(title=title_hint)
        self.sections = _Sections()
        self.headings: list[str] = []  # heading lines not yet applied
        self.paragraph: str | None = None
        self.captions: list[str] = []  # moved out of a paragraph, emitted after it

    # ------------------------------------------------------------ decisions

    def _is_full(self, seg: Segment, paragraph: str) -> bool:
        """Would a paragraph ending with this line obviously go on?"""
        if seg.text[-1] in SOFT_END:
            return True
        if self.wrap is not None:
            return seg.width >= FULL_LINE * self.wrap
        return has_inner_stop(paragraph) or display_width(paragraph) > MAX_HEADING_WIDTH

    def _caption_like(self, seg: Segment) -> bool:
        if seg.kind is not Kind.BODY:
            return False
        if not (ends_sentence(seg.text) or heading_shaped(seg.text, MAX_CAPTION_WIDTH)):
            return False  # a block cut off mid-sentence is text, not a caption
        if self.wrap is not None:
            return seg.indented or is_photo_credit(seg.text)
        return seg.width <= MAX_CAPTION_WIDTH

    def _body(self, index: int) -> Segment | None:
        if index < len(self.segs) and self.segs[index].kind is Kind.BODY:
            return self.segs[index]
        return None

    def continuation(self, last: int, paragraph: str) -> tuple[int, list[int]] | None:
        """Where the paragraph ending at segment `last` goes on, and captions that cut it."""
        tail = self.segs[last]
        following = self._body(last + 1)
        if ends_sentence(tail.text) or is_photo_credit(tail.text) or following is None:
            return None
        if following.after_gap:
            return None  # the gap inside the source line already marks a paragraph end
        for skipped in (1, 2):
            candidate = self._body(last + 1 + skipped)
            between = range(last + 1, last + 1 + skipped)
            if candidate is None or not all(self._caption_like(self.segs[i]) for i in between):
                break
            if is_photo_credit(following.text) or (
                _joins_well(tail.text, candidate.text) and not _joins_well(tail.text, following.text)
            ):
                return last + 1 + skipped, list(between)
        if is_photo_credit(following.text):
            return None
        if self._is_full(tail, paragraph):
            if self.wrap is not None and following.indented:
                return None
            return last + 1, []
        # A short line without end punctuation: a heading, unless the next line plainly goes
        # on with it (a particle first, or a word cut in two: "高质量发|展若干政策").
        goes_on = starts_mid_sentence(following.text) or (
            tail.width >= MIN_CUT_LINE_WIDTH and word_across(tail.text, following.text)
        )
        return (last + 1, []) if goes_on else None

    def _is_heading(self, index: int) -> bool:
        text = self.segs[index].text
        if not self.article.paragraphs and heading_shaped(text, 60) and not re.search(r"[，,、]", text):
            # Title zone, before an article's first paragraph: title lines stand alone unless
            # the next line plainly goes on with the same sentence (a wrapped first line).
            following = self._body(index + 1)
            if following is None or starts_mid_sentence(following.text):
                return following is None
            return self.segs[index].width < MIN_CUT_LINE_WIDTH or not word_across(text, following.text)
        if self.wrap is not None and self.segs[index].indented:
            return False  # an indented short line inside wrapped text is a photo caption
        limit = FULL_LINE * self.wrap if self.wrap is not None else MAX_HEADING_WIDTH
        if not heading_shaped(text, limit):
            return False
        return self.continuation(index, text) is None

    # ------------------------------------------------------------ output

    def _apply_headings(self) -> None:
        if not self.headings:
            return
        if not self.article.paragraphs and self.article.title is None:
            self.article.title = " ".join(self.headings)
        else:
            plain: list[str] = []
            for heading in self.headings:
                if NUMBERED.match(heading):
                    if plain:
                        self.sections.heading_line(" ".join(plain))
                        plain = []
                    self.sections.numbered(heading)
                elif heading != self.article.title:
                    plain.append(heading)
            if plain:
                self.sections.heading_line(" ".join(plain))
        self.headings = []

    def _close_paragraph(self) -> None:
        if self.paragraph is not None:
            self._apply_headings()
            self.sections.numbered(self.paragraph)
            self.article.paragraphs.append((self.paragraph, self.sections.current))
            self.paragraph = None
        for caption in self.captions:
            self.article.paragraphs.append((caption, self.sections.current))
        self.captions = []

    def _new_article(self, title: str | None) -> None:
        self._close_paragraph()
        if self.article.paragraphs:
            first_paragraph = self.article.paragraphs[0][0]
            self.article.date = stated_date([self.article.title, first_paragraph])
            self.articles.append(self.article)
        self.article = Article(title=title)
        self.sections = _Sections()
        self.headings = []

    def _byline(self) -> None:
        self._close_paragraph()
        if self.article.paragraphs and self.headings:
            # A title and a byline after body text: a second article in the same file.
            title = " ".join(self.headings)
            self._new_article(title)
        elif not self.article.paragraphs and self.headings and self.article.title is None:
            self.article.title = " ".join(self.headings)
            self.headings = []

    def run(self) -> list[Article]:
        index = 0
        while index < len(self.segs):
            seg = self.segs[index]
            if seg.kind is Kind.TITLE_TAG:
                self._new_article(seg.value)
            elif seg.kind is Kind.DATE:
                self._close_paragraph()
                if self.article.posted is None:
                    self.article.posted = seg.value
            elif seg.kind is Kind.BYLINE:
                self._byline()
            elif seg.kind is Kind.BOILERPLATE:
                self._close_paragraph()
            elif self._is_heading(index):
                self._close_paragraph()
                self.headings.append(seg.text)
            else:
                self._close_paragraph()
                self.paragraph = seg.text
                while (found := self.continuation(index, self.paragraph)) is not None:
                    index, captions = found
                    self.captions.extend(self.segs[i].text for i in captions)
                    self.paragraph = join_lines(self.paragraph, self.segs[index].text)
                self._close_paragraph()
            index += 1
        self._close_paragraph()
        if self.article.paragraphs:
            # Short lines after the last paragraph (an issuer, a signature) head nothing:
            # they are text, kept rather than lost.
            self.article.paragraphs.extend((line, self.sections.current) for line in self.headings)
            self.headings = []
        self._new_article(None)
        return self.articles


def clean_text(raw: str, title_hint: str | None = None) -> list[Article]:
    """Articles (title, date, paragraphs with their section) found in a raw text."""
    return _Assembler(segments(raw), title_hint).run()
