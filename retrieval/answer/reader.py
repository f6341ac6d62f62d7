"""Reading passages against a question: which sentence to quote, what the question names and
whether a passage mentions it, and the answerability model's signals. One `PassageReader` per
engine; it keeps the per-passage caches (sentences, context, stated figures) and the last
question's concepts, and reads the build only through the search backend.
"""
from __future__ import annotations

import math
import re
from typing import Callable, Mapping

import numpy as np

from retrieval.answer.answerability import margin
from retrieval.answer.evidence import (
    Concept, Evidence, answer_clause, best_evidence, chinese_concepts, english_concepts, idf, names_nothing_asked, proper_names, windows,
)
from retrieval.answer.quotes import score_sentences, select_quote
from retrieval.answer.time_in_force import last_year_named, out_of_force
from retrieval.question.answer_type import (
    NAMED_TYPES, PERIODS, AnswerType, Constraints, missing_answer_types, names_an_answer, unmatched_periods, unmatched_years,
    without_own_words,
)
from retrieval.question.attributes import unstated_attributes
from retrieval.question.asked_figures import (
    Figure, asked_count_unit, figure_match, given_numbers, stated_figures, states_an_asked_figure, states_count_in, without_given_numbers,
)
from retrieval.question.places import unmatched_places
from retrieval.question.plan import QueryPlan
from retrieval.search.backend import SearchBackend
from retrieval.text import normalize, squeeze
from retrieval.types import Result


# Quote choice: a term naming where or when (市南区, 2022年, 前三季度) weighs this much of its
# weight. On the tuning parts the quote held the answer in 200/216 rank-1 hits at 1.0, 202 at
# 0.5 and 0.3, 202 at 0.1 (the dev set: 38, 39 and 40 of 44 at 1.0, 0.5 and 0.3); counting
# jieba's pieces of such a word (前 / 三季 / 季度) as well: 204 of 216, dev 41.
CONTEXT_FACTOR = 0.3
YEAR_TERM = re.compile(r"(?:19|20)\d{2}年?")
PERIOD_TERM = re.compile("|".join(PERIODS.values()))
_WHITESPACE = re.compile(r"\s+")
# A day or a named district is asked for precisely, and its absence near the quote is a far surer
# sign than a missing who / when / where: on the three tuning parts it fired on 0 of 332
# answerable top windows and 12 of 239 unanswerable ones. Kept as its own signal (inside
# answer_type_missing the model could not tell it from that noisier one; apart, out of fold
# 0.633 -> 0.658 unanswerable abstained at 3-6 % answerable).
PRECISE_TYPES = frozenset({AnswerType.DAY, AnswerType.DISTRICT})
OTHER_TYPES = frozenset(AnswerType) - PRECISE_TYPES
DATE_TYPES = frozenset({AnswerType.DATE, AnswerType.DAY, AnswerType.YEAR})


class PassageReader:
    def __init__(self, backend: SearchBackend, word_tags: Callable[[], Mapping[str, str]]) -> None:
        """`word_tags()` gives the dictionary's part-of-speech table (loaded on first use)."""
        self.backend = backend
        self._word_tags = word_tags
        self._sentence_cache: dict[int, tuple[list[tuple[int, int]], list[str]]] = {}
        self._stated_figures: dict[int, frozenset[Figure]] = {}
        self._context_cache: dict[int, str] = {}
        self._facts_cache: dict[int, str | None] = {}
        self._inherited_years: dict[int, str | None] = {}
        self._last_concepts: tuple[QueryPlan, list[Concept]] | None = None

    # -- the question -------------------------------------------------------------------

    def concepts(self, plan: QueryPlan) -> list[Concept]:
        """What the question names, weighted by specificity (answer/evidence.py); computed once
        per question (the last plan's are kept, read into a local first, since questions are
        answered in several threads at once)."""
        cached = self._last_concepts
        if cached is None or cached[0] is not plan:
            cached = self._last_concepts = (plan, self._concepts(plan))
        return cached[1]

    def _concepts(self, plan: QueryPlan) -> list[Concept]:
        documents = self.backend.passage_count()
        frequency = self.backend.document_frequency
        tags = self._word_tags().get
        if plan.language == "en":
            return english_concepts(plan.english_terms, frequency, documents, tags, proper_names(plan.question))
        return chinese_concepts(plan.own_terms, frequency, documents, self.backend.corpus_contains, tags)

    def own_words(self, plan: QueryPlan) -> list[str]:
        """The question's own words in the documents' language: its tokens, and for an English
        question the Chinese forms of its words."""
        return list(plan.own_terms) + [form for concept in self.concepts(plan) for form in concept.forms]

    def term_weight(self, term: str, weight: float) -> float:
        df = self.backend.document_frequency(term)
        n = self.backend.passage_count()
        return weight * (idf(df, n) if df else float(np.log(1 + n)))

    # -- a passage ----------------------------------------------------------------------

    def sentences_of(self, row: int) -> tuple[list[tuple[int, int]], list[str]]:
        """Sentence spans of a passage and their normalised text (cached: quotes need it on every ask)."""
        cached = self._sentence_cache.get(row)
        if cached is None:
            text = self.backend.passage(row).text
            spans = self.backend.sentence_spans(row)
            cached = self._sentence_cache[row] = (spans, [normalize(text[s:e]) for s, e in spans])
        return cached

    def context(self, row: int) -> str:
        """A passage's title, section, date and text, squeezed: where constraints must show."""
        cached = self._context_cache.get(row)
        if cached is None:
            passage = self.backend.passage(row)
            cached = self._context_cache[row] = squeeze("\n".join(filter(None, (passage.title, passage.section, passage.date, passage.text))))
        return cached

    def quote(self, row: int, plan: QueryPlan, sentence_dense: np.ndarray | None) -> tuple[int, int]:
        """The span of passage `row` that answers (answer/quotes.py)."""
        passage = self.backend.passage(row)
        spans, sentences = self.sentences_of(row)
        context = self._context_terms(plan)
        weighted = [(term, self.term_weight(term, weight) * (CONTEXT_FACTOR if term in context else 1.0)) for term, weight in plan.terms]
        figures = None
        if plan.figures:
            given = given_numbers(plan.normalized)
            figures = [figure_match(plan.figures, stated_figures(without_given_numbers(sentence, given))) for sentence in sentences]
        dense = sentence_dense if sentence_dense is not None and len(sentence_dense) == len(spans) else None
        named = plan.constraints.attributes
        # sentences are normalised already: only line breaks of hard-wrapped text stand between words
        attributes = [float(unstated_attributes(named, _WHITESPACE.sub("", sentence)) < len(named))
                      for sentence in sentences] if named else None
        answers = [names_an_answer(plan.constraints, _WHITESPACE.sub("", sentence))
                   for sentence in sentences] if plan.constraints.answer_types & NAMED_TYPES else None
        scores = score_sentences(sentences, weighted, dense, figure_matches=figures, attribute_matches=attributes)
        return select_quote(spans, scores, passage.text, figures, answers)

    def _context_terms(self, plan: QueryPlan) -> frozenset[str]:
        """Terms naming where and when (a place or organisation, a year, a period): a paragraph
        sets them once, in its lead sentence, while the answer sits in the sentence naming
        the asked thing."""
        names = {form for concept in self.concepts(plan) if concept.is_name for form in concept.forms}
        names.update(form for forms in plan.constraints.places for form in forms)
        # jieba's search mode also cuts 前三季度 into 前 / 三季 / 季度: pieces of a period or
        # year written in the question are context too
        spans = [match.group() for pattern in (PERIOD_TERM, YEAR_TERM) for match in pattern.finditer(plan.normalized)]
        return frozenset(term for term, _ in plan.terms
                         if term in names or YEAR_TERM.fullmatch(term) or PERIOD_TERM.search(term) or any(term in span for span in spans))

    def facts_text(self, row: int) -> str | None:
        """A work report's section names the year its facts are about (一、2018年工作回顾 in the
        2019 report, whose title's year is the report's, not the facts'): then the section and
        text, squeezed; None when the section names no year."""
        if row not in self._facts_cache:
            passage = self.backend.passage(row)
            named = passage.section and YEAR_TERM.search(passage.section)
            self._facts_cache[row] = squeeze(passage.section + "\n" + passage.text) if named else None
        return self._facts_cache[row]

    def inherited_year(self, row: int) -> str | None:
        """The last year the passages before `row` in its document name: an article names its year
        in its lead ("2022年，崂山区域发展势头更盛") and reports that year's figures paragraphs later
        ("前三季度，全区生产总值完成810.71亿元")."""
        if row not in self._inherited_years:
            doc_id, year, previous = self.backend.passage(row).doc_id, None, row - 1
            while year is None and previous >= 0 and self.backend.passage(previous).doc_id == doc_id:
                year = last_year_named(self.backend.passage(previous).text)
                previous -= 1
            self._inherited_years[row] = year
        return self._inherited_years[row]

    def evidence(self, plan: QueryPlan, row: int) -> Evidence:
        """How well the best sentence window of passage `row` covers the question's concepts."""
        passage = self.backend.passage(row)
        spans, _ = self.sentences_of(row)
        return best_evidence(self.concepts(plan), windows(passage.text, spans, (passage.title, passage.section, passage.date)))

    def states_asked_figure(self, plan: QueryPlan, row: int) -> bool:
        """Whether passage `row` (with its title and section) states a figure of a kind the
        question asks for; true when it asks for none."""
        if not plan.figures:
            return True
        stated = self._stated_figures.get(row)
        if stated is None:
            passage = self.backend.passage(row)
            stated = self._stated_figures[row] = stated_figures("\n".join(filter(None, (passage.title, passage.section, passage.text))))
        return states_an_asked_figure(plan.figures, stated)

    def names_asked_person(self, plan: QueryPlan, row: int) -> bool:
        """Whether passage `row` names a person in the office a who-question asks about (市南区委书记
        王锋 for "Who is the Shinan party secretary?"); true when it asks about no office."""
        constraints = plan.constraints
        if not constraints.offices or AnswerType.PERSON not in constraints.answer_types:
            return True
        return names_an_answer(constraints, self.context(row), kinds=frozenset({AnswerType.PERSON}))

    def constraint_misses(self, plan: QueryPlan, row: int) -> tuple[float, float, float, float, float, float, float]:
        """What passage `row` misses of the question's constraints: the weight share of named
        places/organisations absent, years absent, periods absent, 1 when it states no figure
        of the asked kind, the districts or cities named (places.py) absent, 1 when it
        states none of the attributes named (attributes.py) with their own words, and 1 when it
        names nobody in the office a who-question asks about."""
        context = self.context(row)
        concepts = self.concepts(plan)
        total = sum(concept.weight for concept in concepts) or 1.0
        # a name with no form in the corpus at all (深圳's own) is missing everywhere
        names = sum(c.weight for c in concepts if c.is_name and not any(form in context for form in c.forms)) / total
        passage = self.backend.passage(row)
        years = min(unmatched_years(plan.constraints, context + (passage.date or "").replace("-", "") + (self.inherited_year(row) or ""), self.facts_text(row)), 2)
        places = unmatched_places(plan.constraints.places, context)
        attributes = unstated_attributes(plan.constraints.attributes, context)
        return (names, float(years), float(unmatched_periods(plan.constraints, context)), float(not self.states_asked_figure(plan, row)), float(places),
                float(attributes > 0), float(not self.names_asked_person(plan, row)))

    # -- the answerability model's inputs ---------------------------------------------------

    def signals(self, plan: QueryPlan, rows: list[int], fused: list[float], sentence_best: dict, top_result: Result, off_domain: float = 0.0) -> dict[str, float]:
        """The answerability model's inputs for the top result (answer/answerability.py);
        `off_domain` is how much nearer the question comes to everyday chat than to policy
        questions (question/off_domain.py)."""
        top = rows[0]
        spans, _ = self.sentences_of(top)
        evidence = self.evidence(plan, top)
        best = [float(sentence_best[row].max()) if row in sentence_best else 0.0 for row in rows[:10]]
        around_quote = normalize(around(top_result, spans))
        nearby = without_own_words(around_quote, self.own_words(plan))  # once, for both checks
        # A name stated beside the office the question names ("市南区委书记王锋表示" for 市南区的区委书记是谁)
        # answers it, though blanking the question's own words leaves no office to see. On the six
        # tuning parts this cleared the signal for 13 answerable questions and no unanswerable
        # one; refitted, out of fold 0.702 -> 0.708 unanswerable abstained at 4 % answerable, held-out right
        # outcomes 790 -> 792 of 1010.
        named = names_an_answer(plan.constraints, _WHITESPACE.sub("", around_quote), kinds=OTHER_TYPES)
        names_missing, years_missing, periods_missing, figure_missing, places_missing, attribute_missing, _ = self.constraint_misses(plan, top)
        # the passage names the asked year or period, but the quote speaks of another (time_in_force.py)
        year_out, period_out = out_of_force(plan.constraints, top_result.passage.text, top_result.quote_start, top_result.quote_end, self.inherited_year(top))
        # a when-question's marked answer dates another event (evidence.answer_clause): on the ten
        # tuning parts this set the signal for 9 unanswerable questions and 1 answerable one;
        # refitted, out of fold 0.738 -> 0.749 unanswerable abstained at 4 % answerable
        dates_another_event = (
            top_result.answer_start is not None and bool(plan.constraints.answer_types & DATE_TYPES)
            and names_nothing_asked(self.concepts(plan), answer_clause(top_result.passage.text, top_result.answer_start, top_result.answer_end))
        )
        return {
            "coverage": evidence.coverage,
            "uncovered": evidence.uncovered,
            "dense_top": best[0],
            "dense_margin": margin(best),
            "fused_margin": margin(fused),
            "figure_missing": figure_missing,
            "years_unmatched": years_missing,
            "periods_unmatched": periods_missing,
            "names_unmatched": names_missing,
            "answer_type_missing": float((not named and answer_type_unstated(plan.constraints, nearby)) or dates_another_event),
            "precise_type_missing": float(missing_answer_types(plan.constraints, nearby, kinds=PRECISE_TYPES)),
            "place_unmatched": float(places_missing > 0),
            "attribute_unstated": attribute_missing,
            "english": float(plan.language == "en"),
            "log_length": math.log1p(len(plan.normalized)),
            "off_domain": off_domain,
            "year_out_of_force": float(year_out),
            "period_out_of_force": float(period_out),
            # 多少家 asked, only 85个 or 2967套 quoted: on the nine tuning parts it fires on 18
            # unanswerable top quotes and 4 answerable ones (most of those quoting the wrong sentence)
            "count_unit_missing": float(not states_count_in(top_result.quote, asked_count_unit(plan.normalized))),
        }


def answer_type_unstated(constraints: Constraints, nearby: str) -> bool:
    """Whether the quote's surroundings (`nearby`, the question's own words blanked) show no
    sign of a who / when / which / where answer the question asks for, once no name of the asked
    kind stands there. A who-question naming an office (区长, "the district mayor") is answered
    only by a name in that office, which `names_an_answer` looks for: any office word nearby (局长
    in 局长书记擂台) is no sign of it. On the eight tuning parts this set the signal for 11
    unanswerable questions and one answerable one, whose top passage was the wrong one."""
    asked = constraints.answer_types & OTHER_TYPES
    loose = asked - {AnswerType.PERSON} if constraints.offices else asked
    if not loose:
        return bool(asked)
    return bool(missing_answer_types(constraints, nearby, kinds=loose))


def around(result: Result, spans: list[tuple[int, int]], radius: int = 1) -> str:
    """The quote with `radius` sentences either side: where an answer to it would be."""
    inside = [i for i, (start, end) in enumerate(spans) if start < result.quote_end and end > result.quote_start]
    if not inside:
        return result.quote
    first, last = max(inside[0] - radius, 0), min(inside[-1] + radius, len(spans) - 1)
    return result.passage.text[spans[first][0]:spans[last][1]]
