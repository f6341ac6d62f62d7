"""The core: answer a question from a published build with ranked, quoted passages.

Orchestration only: plan the question (question/), gather candidates from the search
backend (search/), fuse their scores and rerank them by the question's constraints, quote the
answering sentence and mark the answer in it, and judge whether the top passage answers
(answer/reader.py reads passages against the question, answer/answerability.py decides).
Reading the build's files is the backend's business (search/local.py, index/layout.py).
"""
from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval.answer.answer_span import answer_span
from retrieval.answer.answerability import AnswerabilityModel, shipped_model
from retrieval.answer.reader import PassageReader
from retrieval.config import HYBRID, SearchConfig
from retrieval.errors import EmptyQuestion, QuestionTooLong, UnknownPassage
from retrieval.index import store
from retrieval.index.embedders import Embedder, make_embedder
from retrieval.language.tokenizer import Tokenizer
from retrieval.language.word_tags import dictionary_tags
from retrieval.question.plan import QueryPlan, chinese_rendering, plan_query
from retrieval.search.backend import SearchBackend, open_backend
from retrieval.search.fusion import adaptive_keyword_weight, reciprocal_rank_fusion, weighted_fusion
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
        self._scratch_dir = store.scratch_dir(self.index_dir)  # jieba's and the word tags' caches
        self.tokenizer = Tokenizer(cache_dir=self._scratch_dir)
        self.reader = PassageReader(backend, lambda: self._word_tags)

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
        query = self._search_vector(plan) if config.use_dense else None  # one vector for gathering and scoring
        candidates = self._candidates(plan, query, config)
        keyword = self.backend.keyword_scores(plan.terms, candidates) if config.use_keyword else np.zeros(len(candidates), np.float32)
        dense, sentence_best = self._dense_scores(query, candidates, config)
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
            start, end = self.reader.quote(row, plan, sentence_best.get(row))
            span = answer_span(passage.text, (start, end), plan.figures, plan.constraints.answer_types, self.reader.own_words(plan), plan.normalized,
                               plan.constraints.offices)
            results.append(Result(rank, passage, float(fused[position]), start, end, *(span or (None, None))))
        verdict, confidence, signals = ANSWERED, 1.0, None
        if config.abstain and results:
            rows = [int(candidates[position]) for position in order]
            off_domain = self.backend.domain_anchors.off_domain_margin(self._query_vector(plan))
            signals = self.reader.signals(plan, rows, [float(fused[position]) for position in order], sentence_best, results[0], off_domain)
            confidence = self.model.probability(signals)
            verdict = self.model.verdict(confidence)
        return Answer(question, plan.language, verdict != ANSWERED, tuple(results), confidence, verdict, signals)

    # -- pieces of ask -------------------------------------------------------------------

    @cached_property
    def _query_vector_cache(self) -> dict:
        return {}

    def _embedded_query(self, text: str) -> np.ndarray:
        cache = self._query_vector_cache
        vector = cache.get(text)
        if vector is None:
            vector = self.embedder.embed_queries([text])[0]
            if len(cache) > 512:
                cache.clear()
            cache[text] = vector
        return vector

    def _query_vector(self, plan: QueryPlan) -> np.ndarray:
        """The question as the user wrote it, embedded (what off-domain chat is judged on)."""
        return self._embedded_query(plan.normalized)

    def _search_vector(self, plan: QueryPlan) -> np.ndarray:
        """What passages are searched with: for an English question, the mean of its own vector
        and that of its Chinese rendering (question/plan.py), since the small multilingual
        model matches Chinese passages far better from Chinese words. On the ten tuning parts
        English hit@1 went 283 -> 302 of 338 (the rendering weighted 0.5: 298; 1.5: 302; 2.5: 298)."""
        vector = self._query_vector(plan)
        rendering = chinese_rendering(plan)
        if not rendering:
            return vector
        mean = vector + self._embedded_query(rendering)
        return (mean / np.linalg.norm(mean)).astype(vector.dtype)

    def _candidates(self, plan: QueryPlan, query: np.ndarray | None, config: SearchConfig) -> np.ndarray:
        limit = min(config.candidates, self.backend.passage_count())
        picked = set()
        if config.use_keyword:
            picked.update(self.backend.keyword_top(plan.terms, limit).tolist())
        if config.use_dense:
            picked.update(self.backend.dense_top(query, limit).tolist())
        return np.array(sorted(picked), dtype=np.int64)

    def _dense_scores(self, query: np.ndarray | None, candidates: np.ndarray, config: SearchConfig):
        """Cosine of each candidate passage to `query` (None: no dense side), blended with its best sentence's cosine."""
        if query is None:
            return np.zeros(len(candidates), np.float32), {}
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
        names, or state no figure of the kind it asks for or no attribute it names: "Jimo's GDP in 2018" must not be
        answered from a Laoshan passage; and those the config names as demoted."""
        head = order[: config.rerank_depth]
        misses = np.array([self.reader.constraint_misses(plan, int(candidates[position])) for position in head], dtype=np.float64).reshape(-1, 7)
        demoted_rows = {self.backend.row_of(passage_id) for passage_id in config.demoted_passages} if config.demote_penalty else set()
        demoted = np.isin(candidates[head], list(demoted_rows - {None})).astype(np.float64)
        if not misses.any() and not demoted.any():
            return fused, order
        adjusted = fused.astype(np.float64, copy=True)
        penalties = np.array([config.name_penalty, config.year_penalty, config.period_penalty, config.figure_penalty, config.place_penalty,
                              config.attribute_penalty, config.person_penalty])
        adjusted[head] -= misses @ penalties
        adjusted[head] -= config.demote_penalty * demoted
        reordered = head[np.argsort(-adjusted[head], kind="stable")]
        return adjusted, np.concatenate([reordered, order[config.rerank_depth:]])

    def _coverage(self, terms) -> float:
        """IDF-weighted share of the question's terms that the corpus contains at all."""
        total = found = 0.0
        for term, weight in terms:
            idf_weight = self.reader.term_weight(term, weight)
            total += idf_weight
            if self.backend.document_frequency(term) > 0:
                found += idf_weight
        return found / total if total else 0.0

    # -- language resources ----------------------------------------------------------------

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
