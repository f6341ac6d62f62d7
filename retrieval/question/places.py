"""Which administrative places a question names (retrieval/data/places.tsv). Pure apart from
reading that file once.

Asked of a district the corpus has no figure for ("市北区2022年前三季度GDP", "What is
Huangdao district's GDP growth target"), the engine finds the same indicator reported for
another district, with every other word matched. The place is the one thing wrong, and it is
cheap to see: the question names a district or city, and the quoted passage, its title,
section and date never do. Measured on both tuning parts (420 questions): none of the 246
answerable questions' top passages misses a place the question names, 19 of the 174
unanswerable ones' do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PLACES_PATH = Path(__file__).parent.parent / "data" / "places.tsv"


@dataclass(frozen=True)
class Place:
    forms: tuple[str, ...]   # Chinese, longest first: 崂山区, 崂山
    english: re.Pattern      # its English / pinyin names as whole words, on lowercased text


def parse_places(text: str, source: str = "places") -> tuple[Place, ...]:
    """Raises ValueError naming the bad line."""
    places = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        chinese, tab, english = line.partition("\t")
        forms = tuple(sorted((form.strip() for form in chinese.split("|") if form.strip()), key=len, reverse=True))
        names = [name.strip().lower() for name in english.split("|") if name.strip()]
        if not tab or not forms or not names:
            raise ValueError(f"{source} line {number}: expected '中文|中文<TAB>english|english', got {line!r}")
        pattern = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(name) for name in names) + r")(?![a-z])")
        places.append(Place(forms, pattern))
    return tuple(places)


@lru_cache(maxsize=1)
def shipped_places() -> tuple[Place, ...]:
    return parse_places(PLACES_PATH.read_text("utf-8"), source=PLACES_PATH.name)


def named_places(question: str, places: tuple[Place, ...] | None = None) -> tuple[tuple[str, ...], ...]:
    """The Chinese forms of every place `question` names, in Chinese or English."""
    lowered = question.lower()
    return tuple(place.forms for place in (shipped_places() if places is None else places)
                 if any(form in question for form in place.forms) or place.english.search(lowered))


# A street named after a place is not the place: 即墨's report paves 崂山一路, 市北 has 即墨路.
_STREET_AFTER = re.compile(r"[一二三四五六七八九十东西南北中]?(?:路|街|大道|大街|巷)")


def names_place(forms: tuple[str, ...], text: str) -> bool:
    """Whether `text` names the place in one of its forms, other than as part of a street name."""
    for form in forms:
        start = text.find(form)
        while start >= 0:
            if not _STREET_AFTER.match(text, start + len(form)):
                return True
            start = text.find(form, start + 1)
    return False


def unmatched_places(places: tuple[tuple[str, ...], ...], text: str) -> int:
    """How many of the named places `text` (a passage with its title, section and date) never names."""
    return sum(not names_place(forms, text) for forms in places)
