"""Which attribute a question names (总投资, 注册资本, 法定代表人, "floor area") and whether a
passage states it at all (retrieval/data/attributes.tsv). Pure apart from reading that file once.

The commonest near miss asks a known company or project for an attribute the corpus never
states: the registered capital of a firm it names, the total investment of a park whose output
it reports. Every other word of such a question matches, and a figure of the asked kind is
often there too (产值5亿元 for "总投资是多少"); what is missing is the attribute's own name. So a
question that names an attribute needs a passage whose title, section, date or text holds one
of the words that state it.

Only phrases that *name* an attribute are read here. A phrase holding an asking word (多少家,
在哪, "how many companies", "when was it signed") asks for an answer type, which
answer_type.py and asked_figures.py read; counted here as well, it also fired on the
answerable questions' top passages: on the three tuning parts, 44 answerable against 55
unanswerable top windows lacked an attribute asked that way, 21 against 41 asked by name only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from retrieval.text import squeeze

ATTRIBUTES_PATH = Path(__file__).parent.parent / "data" / "attributes.tsv"
ASKING_ZH = re.compile(r"多少|几|哪|什么|啥|谁|何|多大|多高|多久|多长|多远|吗|怎么")
ASKING_EN = re.compile(r"\b(?:how|what|when|where|who|which|whom|whose)\b")


@dataclass(frozen=True)
class Attribute:
    name: str
    asks: tuple[str, ...]     # lowercased question phrases naming it, Chinese and English
    states: tuple[str, ...]   # squeezed words a passage stating it holds (one is enough)


def parse_attributes(text: str, source: str = "attributes") -> tuple[Attribute, ...]:
    """Raises ValueError naming the bad line. Phrases with an asking word are dropped."""
    attributes = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4 or not fields[0].strip():
            raise ValueError(f"{source} line {number}: expected 4 tab-separated fields (id, 中文, english, 中文), got {line!r}")

        def split(field: str) -> list[str]:
            return [phrase.strip() for phrase in field.split("|") if phrase.strip() and phrase.strip() != "-"]

        asks = [phrase.lower() for phrase in split(fields[1]) if not ASKING_ZH.search(phrase)]
        asks += [phrase.lower() for phrase in split(fields[2]) if not ASKING_EN.search(phrase.lower())]
        states = tuple(dict.fromkeys(squeeze(phrase) for phrase in split(fields[3])))
        if not states:
            raise ValueError(f"{source} line {number}: no words that state {fields[0]!r}")
        if asks:
            attributes.append(Attribute(fields[0].strip(), tuple(dict.fromkeys(asks)), states))
    return tuple(attributes)


@lru_cache(maxsize=1)
def shipped_attributes() -> tuple[Attribute, ...]:
    return parse_attributes(ATTRIBUTES_PATH.read_text("utf-8"), source=ATTRIBUTES_PATH.name)


def named_attributes(question: str, attributes: tuple[Attribute, ...] | None = None) -> tuple[tuple[str, ...], ...]:
    """The stating words of every attribute `question` (normalised: simplified, half-width)
    names, in Chinese or English."""
    lowered = question.lower()
    return tuple(attribute.states for attribute in (shipped_attributes() if attributes is None else attributes)
                 if any(phrase in lowered for phrase in attribute.asks))


def unstated_attributes(attributes: tuple[tuple[str, ...], ...], text: str) -> int:
    """How many of the named attributes `text` (squeezed: a passage with its title, section
    and date) states with none of their words."""
    return sum(not any(word in text for word in states) for states in attributes)
