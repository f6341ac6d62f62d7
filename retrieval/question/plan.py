"""From a raw question to what the retrievers need: a `QueryPlan`.

Pure apart from the tokenizer and expander it is handed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.question.answer_type import Constraints, read_constraints
from retrieval.question.asked_figures import Figure, asked_figures
from retrieval.question.normalize import normalize_query, number_variants

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
NUMBER_VARIANT_WEIGHT = 0.5


def detect_language(text: str) -> str:
    """'zh' when CJK characters carry the question, else 'en'."""
    cjk = len(_CJK.findall(text))
    latin_words = len(re.findall(r"[A-Za-z]{2,}", text))
    if cjk == 0:
        return "en" if _LATIN.search(text) else "zh"
    return "zh" if cjk >= latin_words else "en"


@dataclass(frozen=True)
class QueryPlan:
    question: str
    normalized: str
    language: str
    own_terms: tuple[str, ...]  # content tokens of the question itself
    terms: tuple[tuple[str, float], ...]  # weighted keyword terms incl. variants and expansions
    figures: frozenset[Figure] = frozenset()  # the kinds of figure it asks for (多少钱, "how many")
    english_terms: tuple = ()  # its English words with their Chinese corpus tokens (CrossLingualExpander.explain)
    constraints: Constraints = Constraints()  # years, periods and answer types it asks about


def plan_query(question: str, tokenizer, expander=None) -> QueryPlan:
    normalized = normalize_query(question)
    language = detect_language(normalized)
    own = tuple(dict.fromkeys(tokenizer.tokenize(normalized)))
    terms: dict[str, float] = {term: 1.0 for term in own}
    for variant in number_variants(normalized):
        for token in tokenizer.tokenize(variant):
            terms.setdefault(token, NUMBER_VARIANT_WEIGHT)
    english_terms: tuple = ()
    if expander is not None and _LATIN.search(normalized):
        expansions, explained = expander.read(normalized)  # one parse of the English words
        english_terms = tuple(explained)
        for term, weight in expansions:
            for token in tokenizer.tokenize(term) or [term]:
                terms[token] = max(terms.get(token, 0.0), weight)
    return QueryPlan(
        question, normalized, language, own, tuple(terms.items()), asked_figures(normalized, language), english_terms,
        read_constraints(normalized, language),
    )


def chinese_rendering(plan: QueryPlan) -> str:
    """An English question as the documents would word it: the best Chinese form of each of its
    English words and phrases, in order ("Laoshan's GDP in the first three quarters of 2022" ->
    "崂山 生产总值 三季度 2022"); empty for a Chinese question or when no word has a form."""
    if plan.language != "en":
        return ""
    return " ".join(term.candidates[0] for term in plan.english_terms if term.candidates)
