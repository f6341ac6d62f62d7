"""Fitting Chinese terms to a corpus's vocabulary, at index-build time.

A dictionary headword becomes the corpus tokens that spell it (itself, its pieces, or the
longer tokens containing it); the corpus's short Han tokens are indexed by their toneless
pinyin for transliterated names; short headwords are kept for two-word compounds.
"""
from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Mapping

from retrieval.language.cedict import HAN

MAX_TERMS_PER_KEY = 6          # candidates kept per English word or phrase
MAX_CONTAINING_TOKENS = 3      # a headword found inside more tokens than this is too vague
SPLIT_FACTOR = 0.6             # headword matched as pieces of the vocabulary (风险投资 -> 风险 + 投资)
CONTAINED_FACTOR = 0.8         # headword matched as part of longer tokens (温变 -> 智能温变)
MAX_CHAR_MORPHEMES = 5         # one-character translations per English word tried in compounds
MAX_WORD_MORPHEMES = 3         # two-character ones
GLOSSARY_RANK_STEP = 0.05      # each later glossary form scores this much less than the one before
MAX_SPELLING_PIECES = 4        # a glossary form spelled by more vocabulary tokens is not in the corpus
SUFFIXES_PATH = Path(__file__).parent.parent / "data" / "english_suffixes.json"


def pinyin_key(token: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(token))


class VocabularyAligner:
    """Maps a Chinese headword onto vocabulary tokens: itself, its pieces, or tokens containing it."""

    def __init__(self, vocabulary: set[str]) -> None:
        self.vocabulary = vocabulary
        self.containing: dict[str, list[str]] = defaultdict(list)
        for token in vocabulary:
            if HAN.match(token) and 3 <= len(token) <= 8:
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


def name_index(vocabulary: set[str], frequency: Counter) -> dict[str, list[list]]:
    """Toneless pinyin of short Han tokens -> tokens; place suffixes also dropped (崂山区 -> laoshan)."""
    suffixes = sorted({"区", "市", "县", "镇", "路", "街道", "街", "村", "新区", "片区"}, key=len, reverse=True)
    index: dict[str, dict[str, float]] = defaultdict(dict)
    for token in vocabulary:
        if not (HAN.match(token) and 2 <= len(token) <= 5):
            continue
        index[pinyin_key(token)][token] = 1.0
        for suffix in suffixes:
            base = token[: -len(suffix)]
            if token.endswith(suffix) and len(base) >= 2:
                key = pinyin_key(base)
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


def morpheme_index(dictionary: Mapping[str, Mapping[str, float]], vocabulary: set[str]) -> dict[str, list[str]]:
    """Single English words -> their best one- or two-character headwords that can start or
    end a corpus token (the only ones a compound can use)."""
    edges = set()
    for token in vocabulary:
        if HAN.match(token) and len(token) >= 2:
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


def load_suffixes() -> dict[str, list[str]]:
    text = SUFFIXES_PATH.read_text("utf-8")
    return {key: value for key, value in json.loads(text).items() if not key.startswith("_")}


def glossary_terms(glossary: Mapping[str, tuple[str, ...]], vocabulary: set[str]) -> dict[str, list[list]]:
    """English key -> [[token, score]]: the glossary's Chinese forms as the corpus writes them.

    Forms that are corpus tokens themselves are used alone. Only when none is does an entry
    fall back to the tokens that spell a form (一般公共预算收入 -> 一般 + 公共 + 预算 + 收入, as
    the tokenizer cuts it), never to longer tokens that merely contain one. Earlier forms are
    the preferred renderings and score a little higher. Keys the corpus has no form for are
    left out, so the dictionary still gets its say on those words.
    """
    terms = {}
    for key, forms in glossary.items():
        scores: dict[str, float] = {}
        exact = [form for form in forms if form in vocabulary]
        for rank, form in enumerate(forms):
            tokens = ([form] if form in exact else []) if exact else spell(form, vocabulary)
            for token in tokens:
                scores[token] = max(scores.get(token, 0.0), round(1.0 - GLOSSARY_RANK_STEP * rank, 3))
        if scores:
            ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
            terms[key] = [[token, score] for token, score in ranked[:MAX_TERMS_PER_KEY]]
    return terms


def spell(form: str, vocabulary: set[str], most: int = MAX_SPELLING_PIECES) -> list[str]:
    """The fewest vocabulary tokens that spell `form` (世界500强 -> 世界 + 500 + 强), without
    its one-character Han pieces, which match nearly anything; [] when no such spelling."""
    best: list[list[str] | None] = [[]] + [None] * len(form)
    for end in range(1, len(form) + 1):
        for start in range(end):
            previous = best[start]
            if previous is not None and form[start:end] in vocabulary and len(previous) < most:
                if best[end] is None or len(previous) + 1 < len(best[end]):
                    best[end] = previous + [form[start:end]]
    pieces = [piece for piece in best[len(form)] or [] if not (len(piece) == 1 and HAN.match(piece))]
    return pieces
