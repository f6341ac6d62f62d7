"""Line-level reading of a raw text: what each line (or inline segment) is.

The cleaner decides how lines join into paragraphs; this module only answers local
questions: is this line a title tag, a date, a byline, site boilerplate, heading-shaped,
and where does a very long line hold several paragraphs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from retrieval.text import CLOSING, SENTENCE_END, display_width, ends_sentence, is_cjk


class Kind(Enum):
    BODY = "body"  # text: paragraph line or heading, decided by the cleaner
    TITLE_TAG = "title_tag"  # 【栏目】标题: starts a new article
    DATE = "date"
    BYLINE = "byline"
    BOILERPLATE = "boilerplate"


@dataclass(frozen=True)
class Segment:
    text: str  # stripped, non-empty
    kind: Kind
    indented: bool = False  # the source line started with whitespace
    after_gap: bool = False  # split off a long line at a paragraph gap: starts a paragraph
    value: str | None = None  # title for TITLE_TAG, ISO date for DATE

    @property
    def width(self) -> float:
        return display_width(self.text)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufeff\u200b\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\f\v\x1c-\x1e\x85\u2028\u2029]")

_TITLE_TAG = re.compile(r"^【([^】]{1,24})】\s*(\S.{0,120})$")
_DATE = re.compile(
    r"^(?:(?:发布|更新)?(?:时间|日期)[:：]\s*)?(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?$"
)
_BYLINE = re.compile(
    r"^(?:[□■◆▲●★▼▽]\s*\S.*|(?:记者|通讯员|作者|来源|责任编辑|编辑|文|图|撰稿)\s*[:：/／]\s*\S.*"
    r"|[(（][\u3400-\u9fff·\s]{2,30}[)）])$"
)
# A full date the document states about itself in its heading lines (`stated_date`): a speech's
# delivery line "――2019年1月31日在…大会上", a bracket opening with a date "（2019年1月31日…通过）",
# a wire dateline "新华社北京2019年1月31日电". A date elsewhere in the text is an event's, not the
# document's; a date line standing alone is the site's (`Kind.DATE`, kept as `posted`).
_FULL_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_STATED_DATES = (
    re.compile(r"(?:[―—–]{1,2}|--)\s*" + _FULL_DATE + r"\s*(?:在\S{2,60}?(?:会议|大会|会|典礼|仪式)上|$)"),
    re.compile(r"[(（]\s*" + _FULL_DATE + r"[^()（）]{0,60}[)）]"),
    re.compile(r"^\S{0,20}?" + _FULL_DATE + r"\s*(?:电|讯)"),
)
# How far into the first paragraph a heading run into it ("――2019年1月31日在…会议上各位代表:…") reaches.
HEADING_ZONE_CHARS = 80
_NAV_CRUMB = re.compile(r"^(?:[-–—|·•>»]+\s*\S{0,8}|[-–—|·•>»\s]+)$")
_BOILERPLATE_WORDS = (
    "点我投稿", "有想补充的信息", "返回顶部", "返回首页", "上一篇", "下一篇", "扫一扫", "分享到",
    "版权所有", "copyright", "©", "免责声明", "打印本页", "关闭窗口", "浏览次数", "阅读次数",
    "【打印】", "【关闭】", "【字体", "字号：", "网站地图", "all rights reserved",
)

# 一、 二十、 / (一) （二） : outline numbering of Chinese reports.
NUMBERED = re.compile(r"^(?:([一二三四五六七八九十]{1,3})、|[(（]([一二三四五六七八九十]{1,3})[)）])")
# Marks that may end a line in the middle of a sentence: the paragraph goes on.
SOFT_END = frozenset("，,、：:“‘《（(—-")
INNER_END = SENTENCE_END | {"…"}
# Characters that do not begin a sentence: a block starting with one continues another.
NON_INITIAL = frozenset("的们吗呢吧么，,、。；;：:？！?!）)》」』”’】")


def prepare(raw: str) -> str:
    """Unify line breaks and drop control characters (they are never text)."""
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", raw)).replace("\t", " ")


def _is_site_link(lowered: str, width: float) -> bool:
    """A short navigation/link line ("有想补充的信息?点我投稿"), not a sentence using the words."""
    if width > 24 or ends_sentence(lowered) or re.search(r"[，,。；;、]", lowered):
        return False
    return any(lowered.startswith(word) or lowered.endswith(word) for word in _BOILERPLATE_WORDS)


def classify_line(line: str) -> Segment | None:
    """The special kinds a whole line can be; None for a text line."""
    text = line.strip()
    lowered = text.lower()
    width = display_width(text)
    title = _TITLE_TAG.match(text)
    if title and width <= 70 and not ends_sentence(title.group(2)):
        return Segment(text, Kind.TITLE_TAG, value=title.group(2).strip())
    date = _DATE.match(text)
    if date:
        year, month, day = (int(part) for part in date.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return Segment(text, Kind.DATE, value=f"{year:04d}-{month:02d}-{day:02d}")
    if _NAV_CRUMB.match(text) and width <= 12:
        return Segment(text, Kind.BOILERPLATE)
    if _is_site_link(lowered, width):
        return Segment(text, Kind.BOILERPLATE)
    if width <= 40 and _BYLINE.match(text):
        return Segment(text, Kind.BYLINE)
    return None


def has_inner_stop(text: str) -> bool:
    """A sentence ends somewhere inside: headings never contain one."""
    return any(char in INNER_END for char in text.rstrip()[:-1])


def heading_shaped(text: str, max_width: float) -> bool:
    """Short, no sentence punctuation inside or at the end: could be a title or heading."""
    stripped = text.strip()
    if not stripped or display_width(stripped) > max_width:
        return False
    if ends_sentence(stripped) or stripped[-1] in SOFT_END or has_inner_stop(stripped):
        return False
    return True


def _stop_before(line: str, index: int, loose: bool = False) -> bool:
    """Is there a sentence end (or colon) right before the whitespace at `index`?

    Only full-width marks count, since "? " and ". " are ordinary spacing inside a paragraph,
    unless the next words are an outline number (`loose`): "六个方面工作: (一)坚持…".
    """
    back = index - 1
    while back >= 0 and line[back] in CLOSING:
        back -= 1
    marks = "。！？；…：" + (".?!;:" if loose else "")
    return back >= 0 and line[back] in marks



def split_inline(line: str) -> list[str]:
    """Split a long line holding several paragraphs at its paragraph gaps.

    Web pages flattened to one line keep a space where a paragraph ended: after a sentence
    end, or after a short heading ("一、会议背景与目的 混合所有制改革是…"). A space inside a
    sentence ("商务 二、三区", "330 亿") is text and stays.
    """
    if display_width(line) < 30:
        return [line.strip()]
    pieces: list[str] = []
    start = 0
    for gap in re.finditer(r"\s+", line):
        if gap.start() == 0 or gap.end() == len(line):
            continue
        piece = line[start : gap.start()].strip()
        if not piece:
            continue
        numbered = NUMBERED.match(piece)
        bare_marker = numbered is not None and numbered.end() == len(piece)
        # Between two Latin words a space is ordinary spacing, never a paragraph gap.
        latin_gap = not (is_cjk(piece[-1]) or is_cjk(line[gap.end()]))
        short_heading = (
            not bare_marker
            and not latin_gap
            and (numbered is not None or (not pieces and not NUMBERED.match(line[gap.end() :])))
            and heading_shaped(piece, 30)
            and all(char not in piece[numbered.end() if numbered else 0 :] for char in "，,、")
        )
        numbered_next = NUMBERED.match(line[gap.end() :]) is not None
        if _stop_before(line, gap.start(), loose=numbered_next) or short_heading:
            pieces.append(piece)
            start = gap.end()
    pieces.append(line[start:].strip())
    return [piece for piece in pieces if piece]


def segments(raw: str) -> list[Segment]:
    """Every non-blank line, classified; long text lines split at inline paragraph gaps."""
    result: list[Segment] = []
    for line in prepare(raw).split("\n"):
        if not line.strip():
            continue
        special = classify_line(line)
        if special is not None:
            result.append(special)
            continue
        indented = line[:1].isspace()
        for number, piece in enumerate(split_inline(line)):
            result.append(Segment(piece, Kind.BODY, indented=indented and number == 0, after_gap=number > 0))
    return result


_PHOTO_CREDIT = re.compile(r"(?:\s\S{1,8}\s*摄(?:影)?|(?:摄影|图片|图)\s*[:：/／]\s*\S{1,12})$")


def is_photo_credit(text: str) -> bool:
    """A caption ending with a photographer credit: '地铁11号线纵贯崂山区。 邢秀秀 摄'."""
    return display_width(text) <= 60 and _PHOTO_CREDIT.search(text.strip()) is not None


def starts_mid_sentence(text: str) -> bool:
    """Does this block begin in the middle of a sentence (a cut-off word or a particle)?"""
    if not text:
        return False
    if text[0] in NON_INITIAL or ("a" <= text[0] <= "z"):
        return True  # a particle, a closing mark, or a lowercase English word
    # One Han character then a list mark: the tail of a word cut by the layout (优|化、申报…).
    # Numerals are excluded: "一、" opens an outline item.
    return (
        len(text) > 1
        and text[1] == "、"
        and is_cjk(text[0])
        and text[0].isalpha()
        and text[0] not in "一二三四五六七八九十百千万零两"
    )


def _iso_date(year: str, month: str, day: str) -> str | None:
    y, m, d = int(year), int(month), int(day)
    return f"{y:04d}-{m:02d}-{d:02d}" if 1 <= m <= 12 and 1 <= d <= 31 else None


def stated_date(heading_lines) -> str | None:
    """The document's own date (ISO) as stated in its heading lines, or None.

    `heading_lines` are the title (and subtitle) and the start of the first paragraph, where
    a work report's delivery line or a news dateline sits; only the dateline shapes above
    count, so an event's date in a sentence ("2019年11月,…签署协议") is never taken for it.
    """
    for line in heading_lines:
        if not line:
            continue
        head = line.strip()[:HEADING_ZONE_CHARS]
        for pattern in _STATED_DATES:
            for match in pattern.finditer(head):
                found = _iso_date(*match.groups())
                if found:
                    return found
    return None
