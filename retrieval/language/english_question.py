"""The English words of a question, as the cross-lingual expander matches them.

Segmentation into sentences and clauses, the words' inflected forms, and English numbers
("five", "50 million") in the digit forms Chinese documents use.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from retrieval.language.cedict import FUNCTION_WORDS, GLOSS_FILLERS, fold_english, lemma_candidates

_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,]*(?:\.\d+)?%?")
# Dictionary phrases never cross any of these; a glossary phrase may cross a clause break
# ("specialized, refined, distinctive and innovative").
_SENTENCE_BREAK = re.compile(r"[;:?!()\[\]{}\"“”。？！；：]+")
_CLAUSE_BREAK = re.compile(r"[,，、]+")

# Words a question uses to ask, not to name what it asks about: never looked up alone.
QUESTION_WORDS = frozenset("""
name named known called get got give tell list please kind type sort thing things way also only just
very too still yet again once ever more most same one ones
""".split())

NUMBER_WORDS = {word: str(value) for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split()) if value >= 2}  # "one" is mostly "a"


@dataclass(frozen=True)
class EnglishWord:
    text: str               # folded: lower case, no accents
    forms: tuple[str, ...]  # the text and its inflected bases
    is_capitalised: bool
    could_be_name: bool     # only letters: a pinyin spelling is possible
    position: int = 0       # in the clause, function words counted
    clause: int = 0         # clause breaks before it in its sentence


def english_sentences(question: str) -> list[list[EnglishWord]]:
    """Content words of each sentence-like stretch of `question`, in order; `clause` tells
    where commas split it (see `clauses`)."""
    sentences = []
    for sentence in _SENTENCE_BREAK.split(unicodedata.normalize("NFKC", question)):
        words: list[EnglishWord] = []
        clause_number = 0
        for clause in _CLAUSE_BREAK.split(sentence):
            clause_words = _clause_words(clause, clause_number)
            if clause_words:
                words += clause_words
                clause_number += 1
        if words:
            sentences.append(words)
    return sentences


def clauses(words: list[EnglishWord]) -> list[list[EnglishWord]]:
    """`words` cut where the clause changes: dictionary phrases never cross punctuation."""
    runs: list[list[EnglishWord]] = []
    for word in words:
        if runs and runs[-1][-1].clause == word.clause:
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def _clause_words(clause: str, clause_number: int) -> list[EnglishWord]:
    words = []
    position = 0  # function words count, so phrases never bridge their gaps
    for match in _ENGLISH_WORD.finditer(clause):
        raw = match.group(0)
        text = fold_english(raw)
        if text.endswith("'s"):
            text = text[:-2]
        if text[0].isdigit():
            words.append(EnglishWord(text, (text,), False, False, position, clause_number))
            position += 1
            continue
        for part in text.replace("-", " ").split():
            if part not in FUNCTION_WORDS and part not in GLOSS_FILLERS and part.strip("'"):
                part = part.strip("'")
                words.append(EnglishWord(part, tuple(lemma_candidates(part)), raw[0].isupper(), part.isalpha(),
                                         position, clause_number))
            position += 1
    return words


def scaled_number(number: str, scale: str) -> list[str]:
    """Digits as Chinese documents write them before 万/亿 (50 million -> 5000, i.e. 5000万)."""
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


def is_mostly_english(text: str) -> bool:
    """True when Latin letters outnumber Han characters."""
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    han = sum(1 for char in text if "\u3400" <= char <= "\u9fff")
    return latin > han
