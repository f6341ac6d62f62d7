"""The core: answer a question from a published build with ranked, quoted passages.

Orchestration only: plan the question (question/), gather candidates from the search
backend (search/), fuse their scores, quote the answering sentence (answer/quotes.py) and
judge whether the top passage answers (answer/evidence.py, answer/abstain.py). Reading the
build's files is the backend's business (search/local.py, index/layout.py).
"""
from __future__ import annotations

import math
import threading
from functools import cached_property
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval.answer.answer_span import answer_span
from retrieval.answer.answerability import AnswerabilityModel, margin, shipped_model
from retrieval.answer.evidence import Concept, Evidence, best_evidence, chinese_concepts, english_concepts, idf, proper_names, windows
from retrieval.answer.quotes import score_sentences, select_quote
from retrieval.config import HYBRID, SearchConfig
from retrieval.errors import EmptyQuestion, QuestionTooLong, UnknownPassage
from retrieval.index import store
from retrieval.index.embedders import Embedder, make_embedder
from retrieval.language.tokenizer import Tokenizer
from retrieval.language.word_tags import dictionary_tags
from retrieval.question.asked_figures import Figure, figure_match, stated_figures, states_an_asked_figure
from retrieval.question.answer_type import missing_answer_types, unmatched_periods, unmatched_years
from retrieval.question.plan import QueryPlan, plan_query
from retrieval.search.backend import SearchBackend, open_backend
from retrieval.search.fusion import adaptive_keyword_weight, reciprocal_rank_fusion, weighted_fusion
from retrieval.text import normalize, squeeze
from retrieval.types import ANSWERED, Answer, DocumentInfo, Passage, Result, summarize_documents

MAX_QUESTION_CHARS = 2000


class Engine:
    def __init__(self, backend: SearchBackend, embedder: Embedder | None = None, model: AnswerabilityModel | None = None) -> None:
        self.backend = backend
        self.index_dir: Path = backend.index_dir
        self.build_dir: Path = backend.build_dir
        self.manifest: dict = backend.manifest
        self.build_id: str = backend.build_id
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self.model = model or shipped_model()
        self._sentence_cache: dict[int, tuple[list[tuple[int, int]], list[str]]] = {}
        self._stated_figures: dict[int, frozenset[Figure]] = {}
        self._context_cache: dict[int, str] = {}
        self._last_concepts: tuple[QueryPlan, list[Concept]] | None = None
        self._scratch_dir = store.scratch_dir(self.index_dir)  # jieba's and the word tags' caches
        self.tokenizer = Tokenizer(cache_dir=self._scratch_dir)

    @classmethod
    def load(cls, index_dir: Path | str, embedder_spec: str | None = None, embedder: Embedder | None = None) -> "Engine":
        index_dir = Path(index_dir)
        build_dir, manifest = store.open_build(index_dir, embedder_spec or (embedder.spec if embedder else None))
        return cls(open_backend(index_dir, build_dir, manifest), embedder)

    # -- lookups -------------------------------------------------------------------------

    def passages(self) -> Sequence[Passage]:
        return tuple(self.backend.passages())

    def _row(self, passage_id: str) -> int:
        row = self.backend.row_of(passage_id) if isinstance(passage_id, str) else None
        if row is None:
            raise UnknownPassage(str(passage_id)[:80])
        return row

    def passage(self, passage_id: str) -> Passage:
        return self.backend.passage(self._row(passage_id))

    def neighbours(self, passage_id: str, radius: int = 1) -> list[Passage]:
        return [self.backend.passage(row) for row in self.backend.neighbours(self._row(passage_id), radius)]

    @cached_property
    def _documents(self) -> list[DocumentInfo]:
        return summarize_documents(self.backend.passages())

    def documents(self) -> list[DocumentInfo]:
        return list(self._documents)

    # -- answering -----------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        with self._embedder_lock:
            if self._embedder is None:
                self._embedder = make_embedder(self.backend.embedder_spec)
            return self._embedder

    def plan(self, question: str) -> QueryPlan:
        if not isinstance(question, str) or not question.strip():
            raise EmptyQuestion()
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLong(len(question), MAX_QUESTION_CHARS)
        plan = plan_query(question, self.tokenizer, self.backend.crosslingual())
        if not plan.normalized:
            raise EmptyQuestion()
        return plan

    def ask(self, question: str, k: int = 5, config: SearchConfig | None = None) -> Answer:
        config = config or HYBRID
        plan = self.plan(question)
        k = max(1, min(int(k), self.backend.passage_count()))
        candidates = self._candidates(plan, config)
        keyword = self.backend.keyword_scores(plan.terms, candidates) if config.use_keyword else np.zeros(len(candidates), np.float32)
        dense, sentence_best = self._dense_scores(plan, candidates, config)
        if config.fusion == "rrf" or not (config.use_keyword and config.use_dense):
            fused = self._single_or_rrf(keyword, dense, config)
        else:
            weight = adaptive_keyword_weight(self._coverage(plan.terms), plan.language, config.keyword_weight_zh, config.keyword_weight_en)
            fused = weighted_fusion(keyword, dense, weight)
        order = np.argsort(-fused, kind="stable")
        if config.rerank_depth:
            fused, order = self._rerank_by_constraints(plan, candidates, fused, order, config)
        order = order[:k]
        results = []
        for rank, position in enumerate(order, start=1):
            row = int(candidates[position])
            passage = self.backend.passage(row)
            start, end = self._quote(row, plan, sentence_best)
            span = answer_span(passage.text, (start, end), plan.figures, plan.constraints.answer_types, plan.own_terms)
            results.append(Result(rank, passage, float(fused[position]), start, end, *(span or (None, None))))
        verdict, confidence, signals = ANSWERED, 1.0, None
        if config.abstain and results:
            rows = [int(candidates[position]) for position in order]
            signals = self._signals(plan, rows, [float(fused[position]) for position in order], sentence_best, results[0])
            confidence = self.model.probability(signals)
            verdict = self.model.verdict(confidence)
        return Answer(question, plan.language, verdict != ANSWERED, tuple(results), confidence, verdict, signals)

    # -- pieces of ask -------------------------------------------------------------------

    @cached_property
    def _query_vector_cache(self) -> dict:
        return {}

    def _query_vector(self, plan: QueryPlan) -> np.ndarray:
        cache = self._query_vector_cache
        vector = cache.get(plan.normalized)
        if vector is None:
            vector = self.embedder.embed_queries([plan.normalized])[0]
            if len(cache) > 512:
                cache.clear()
            cache[plan.normalized] = vector
        return vector

    def _candidates(self, plan: QueryPlan, config: SearchConfig) -> np.ndarray:
        limit = min(config.candidates, self.backend.passage_count())
        picked = set()
        if config.use_keyword:
            picked.update(self.backend.keyword_top(plan.terms, limit).tolist())
        if config.use_dense:
            picked.update(self.backend.dense_top(self._query_vector(plan), limit).tolist())
        return np.array(sorted(picked), dtype=np.int64)

    def _dense_scores(self, plan: QueryPlan, candidates: np.ndarray, config: SearchConfig):
        """Cosine of each candidate passage, blended with its best sentence's cosine."""
        if not config.use_dense:
            return np.zeros(len(candidates), np.float32), {}
        query = self._query_vector(plan)
        passage_scores = self.backend.passage_similarities(query, candidates)
        best_sentence: dict[int, np.ndarray] = {}
        blended = passage_scores.copy()
        for position, row in enumerate(candidates):
            scores = self.backend.sentence_similarities(query, int(row))
            if len(scores):
                best_sentence[int(row)] = scores
                if config.sentence_weight:
                    blended[position] = (1 - config.sentence_weight) * passage_scores[position] + config.sentence_weight * float(scores.max())
        return blended, best_sentence

    @staticmethod
    def _single_or_rrf(keyword: np.ndarray, dense: np.ndarray, config: SearchConfig) -> np.ndarray:
        if not config.use_dense:
            return keyword
        if not config.use_keyword:
            return dense
        size = len(keyword)
        rankings = [np.argsort(-keyword, kind="stable"), np.argsort(-dense, kind="stable")]
        return reciprocal_rank_fusion(rankings, size)

    def _rerank_by_constraints(self, plan: QueryPlan, candidates: np.ndarray, fused: np.ndarray, order: np.ndarray, config: SearchConfig):
        """Demote, among the fused top, passages that miss a place, year or period the question
        names, or state no figure of the kind it asks for: "Jimo's GDP in 2018" must not be
        answered from a Laoshan passage."""
        head = order[: config.rerank_depth]
        misses = np.array([
            (*self._constraint_misses(plan, int(candidates[position])), not self._states_asked_figure(plan, int(candidates[position])))
            for position in head
        ], dtype=np.float64).reshape(-1, 4)
        if not misses.any():
            return fused, order
        adjusted = fused.astype(np.float64, copy=True)
        adjusted[head] -= misses @ np.array([config.name_penalty, config.year_penalty, config.period_penalty, config.figure_penalty])
        reordered = head[np.argsort(-adjusted[head], kind="stable")]
        return adjusted, np.concatenate([reordered, order[config.rerank_depth:]])

    def _context(self, row: int) -> str:
        """A passage's title, section, date and text, squeezed: where constraints must show."""
        cached = self._context_cache.get(row)
        if cached is None:
            passage = self.backend.passage(row)
            cached = self._context_cache[row] = squeeze("\n".join(filter(None, (passage.title, passage.section, passage.date, passage.text))))
        return cached

    def _constraint_misses(self, plan: QueryPlan, row: int) -> tuple[float, float, float]:
        """(weight share of named places/organisations absent, years absent, periods absent)."""
        context = self._context(row)
        concepts = self._concepts_of(plan)
        total = sum(concept.weight for concept in concepts) or 1.0
        # a name with no form in the corpus at all (深圳's own) is missing everywhere
        names = sum(c.weight for c in concepts if c.is_name and not any(form in context for form in c.forms)) / total
        passage = self.backend.passage(row)
        years = min(unmatched_years(plan.constraints, context + (passage.date or "").replace("-", "")), 2)
        return names, float(years), float(unmatched_periods(plan.constraints, context))

    @staticmethod
    def _around(result: Result, spans: list[tuple[int, int]], radius: int = 1) -> str:
        """The quote with `radius` sentences either side: where an answer to it would be."""
        inside = [i for i, (start, end) in enumerate(spans) if start < result.quote_end and end > result.quote_start]
        if not inside:
            return result.quote
        first, last = max(inside[0] - radius, 0), min(inside[-1] + radius, len(spans) - 1)
        return result.passage.text[spans[first][0]:spans[last][1]]

    def _own_words(self, plan: QueryPlan) -> list[str]:
        """The question's own words in the documents' language: its tokens, and for an English
        question the Chinese forms of its words."""
        return list(plan.own_terms) + [form for concept in self._concepts_of(plan) for form in concept.forms]

    def _concepts_of(self, plan: QueryPlan) -> list[Concept]:
        """`concepts`, computed once per question (the last plan's are kept; read into a local
        first, since questions are answered in several threads at once)."""
        cached = self._last_concepts
        if cached is None or cached[0] is not plan:
            cached = self._last_concepts = (plan, self.concepts(plan))
        return cached[1]

    def _term_weight(self, term: str, weight: float) -> float:
        df = self.backend.document_frequency(term)
        n = self.backend.passage_count()
        return weight * (idf(df, n) if df else float(np.log(1 + n)))

    def _coverage(self, terms) -> float:
        """IDF-weighted share of the question's terms that the corpus contains at all."""
        total = found = 0.0
        for term, weight in terms:
            idf_weight = self._term_weight(term, weight)
            total += idf_weight
            if self.backend.document_frequency(term) > 0:
                found += idf_weight
        return found / total if total else 0.0

    # -- evidence for abstention ---------------------------------------------------------

    def _signals(self, plan: QueryPlan, rows: list[int], fused: list[float], sentence_best: dict, top_result: Result) -> dict[str, float]:
        """The answerability model's inputs for the top result (answer/answerability.py)."""
        top = rows[0]
        spans, _ = self._sentences_of(top)
        evidence = self.evidence(plan, top)
        best = [float(sentence_best[row].max()) if row in sentence_best else 0.0 for row in rows[:10]]
        names_missing, years_missing, periods_missing = self._constraint_misses(plan, top)
        return {
            "coverage": evidence.coverage,
            "uncovered": evidence.uncovered,
            "dense_top": best[0],
            "dense_margin": margin(best),
            "fused_margin": margin(fused),
            "figure_missing": float(not self._states_asked_figure(plan, top)),
            "years_unmatched": years_missing,
            "periods_unmatched": periods_missing,
            "names_unmatched": names_missing,
            "answer_type_missing": float(missing_answer_types(plan.constraints, normalize(self._around(top_result, spans)), self._own_words(plan))),
            "english": float(plan.language == "en"),
            "log_length": math.log1p(len(plan.normalized)),
        }

    @cached_property
    def _word_tags(self):
        return dictionary_tags(self._scratch_dir)

    @cached_property
    def lexicon(self):
        """Word knowledge for resolving chat follow-ups (retrieval/question/followup_words.py)."""
        from retrieval.language.tokenizer import get_segmenter
        from retrieval.question.followup_words import Lexicon, domain_dictionary_words

        segmenter = get_segmenter(self._scratch_dir)
        return Lexicon(segmenter.cut, self._word_tags, domain_dictionary_words(), self.backend.crosslingual().names)

    def concepts(self, plan: QueryPlan) -> list[Concept]:
        """What the question names, weighted by specificity (see answer/evidence.py)."""
        documents = self.backend.passage_count()
        frequency = self.backend.document_frequency
        if plan.language == "en":
            return english_concepts(plan.english_terms, frequency, documents, self._word_tags.get, proper_names(plan.question))
        return chinese_concepts(plan.own_terms, frequency, documents, self.backend.corpus_contains, self._word_tags.get)

    def evidence(self, plan: QueryPlan, row: int) -> Evidence:
        """How well the best sentence window of passage `row` covers the question's concepts."""
        passage = self.backend.passage(row)
        spans, _ = self._sentences_of(row)
        return best_evidence(self._concepts_of(plan), windows(passage.text, spans, (passage.title, passage.section, passage.date)))

    def _states_asked_figure(self, plan: QueryPlan, row: int) -> bool:
        """Whether passage `row` (with its title and section) states a figure of a kind the
        question asks for; true when it asks for none."""
        if not plan.figures:
            return True
        stated = self._stated_figures.get(row)
        if stated is None:
            passage = self.backend.passage(row)
            stated = self._stated_figures[row] = stated_figures("\n".join(filter(None, (passage.title, passage.section, passage.text))))
        return states_an_asked_figure(plan.figures, stated)

    def _sentences_of(self, row: int) -> tuple[list[tuple[int, int]], list[str]]:
        """Sentence spans of a passage and their normalised text (cached: quotes need it on every ask)."""
        cached = self._sentence_cache.get(row)
        if cached is None:
            text = self.backend.passage(row).text
            spans = self.backend.sentence_spans(row)
            cached = self._sentence_cache[row] = (spans, [normalize(text[s:e]) for s, e in spans])
        return cached

    def _quote(self, row: int, plan: QueryPlan, sentence_best: dict) -> tuple[int, int]:
        passage = self.backend.passage(row)
        spans, sentences = self._sentences_of(row)
        dense = sentence_best.get(row)
        weighted = [(term, self._term_weight(term, weight)) for term, weight in plan.terms]
        figures = [figure_match(plan.figures, stated_figures(sentence)) for sentence in sentences] if plan.figures else None
        scores = score_sentences(sentences, weighted, dense if dense is not None and len(dense) == len(spans) else None, figure_matches=figures)
        return select_quote(spans, scores, passage.text, figures)
