"""The core: load a published build and answer questions with ranked, quoted passages."""
from __future__ import annotations

import json
import threading
from functools import cached_property
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval.index import store
from retrieval.answer.abstain import AbstentionPolicy, AbstentionSignals
from retrieval.question.asked_figures import Figure, figure_match, stated_figures, states_an_asked_figure
from retrieval.config import HYBRID, SearchConfig
from retrieval.language.crosslingual import CrossLingualExpander
from retrieval.index.dense_index import load_dense_index
from retrieval.index.embedders import Embedder, make_embedder
from retrieval.answer.evidence import Concept, Evidence, best_evidence, chinese_concepts, english_concepts, idf, proper_names, squeeze, windows
from retrieval.errors import EmptyQuestion, IndexCorrupt, QuestionTooLong, UnknownPassage
from retrieval.search.fusion import adaptive_keyword_weight, reciprocal_rank_fusion, weighted_fusion
from retrieval.index.keyword_index import KeywordIndex
from retrieval.question.plan import QueryPlan, plan_query
from retrieval.answer.quotes import score_sentences, select_quote
from retrieval.text import normalize
from retrieval.language.tokenizer import Tokenizer
from retrieval.language.word_tags import dictionary_tags
from retrieval.types import ANSWERED, NOT_FOUND, Answer, DocumentInfo, Passage, Result, summarize_documents

MAX_QUESTION_CHARS = 2000


class Engine:
    def __init__(self, index_dir: Path, build_dir: Path, manifest: dict, embedder: Embedder | None = None) -> None:
        self.index_dir = index_dir
        self.build_dir = build_dir
        self.manifest = manifest
        self.build_id: str = manifest["build_id"]
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self.policy = AbstentionPolicy()
        try:
            self._passages = [Passage.from_dict(json.loads(line)) for line in (build_dir / "passages.jsonl").open(encoding="utf-8")]
            self._passage_vectors = np.load(build_dir / "passage_vectors.npy", allow_pickle=False)
            self._sentence_vectors = np.load(build_dir / "sentence_vectors.npy", allow_pickle=False)
            self._sentences = np.load(build_dir / "sentences.npy", allow_pickle=False)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise IndexCorrupt(index_dir, f"passage data unreadable: {error}") from error
        self._by_id = {passage.passage_id: row for row, passage in enumerate(self._passages)}
        self._sentence_cache: dict[int, tuple[list[tuple[int, int]], list[str]]] = {}
        self._stated_figures: dict[int, frozenset[Figure]] = {}
        # sentence rows of passage r are _sentence_bounds[r] .. _sentence_bounds[r+1]
        self._sentence_bounds = np.searchsorted(self._sentences[:, 0], np.arange(len(self._passages) + 1)) if len(self._sentences) else np.zeros(len(self._passages) + 1, dtype=np.int64)
        self._keyword = KeywordIndex.load(build_dir / "keyword")
        self._dense = load_dense_index(build_dir / "dense")
        self._expander = CrossLingualExpander.load(build_dir / "crosslingual.json")
        self._scratch_dir = store.scratch_dir(index_dir)  # jieba's and the word tags' caches
        self.tokenizer = Tokenizer(cache_dir=self._scratch_dir)
        if len(self._keyword) != len(self._passages) or len(self._passage_vectors) != len(self._passages):
            raise IndexCorrupt(index_dir, "index parts disagree on the number of passages")

    @classmethod
    def load(cls, index_dir: Path | str, embedder_spec: str | None = None, embedder: Embedder | None = None) -> "Engine":
        index_dir = Path(index_dir)
        build_dir = store.current_build_dir(index_dir)
        manifest = store.read_manifest(build_dir)
        store.check_manifest(index_dir, manifest, embedder_spec or (embedder.spec if embedder else None))
        store.verify_artifacts(build_dir, manifest)
        return cls(index_dir, build_dir, manifest, embedder)

    # -- lookups -------------------------------------------------------------------------

    def passages(self) -> Sequence[Passage]:
        return tuple(self._passages)

    def passage(self, passage_id: str) -> Passage:
        row = self._by_id.get(passage_id) if isinstance(passage_id, str) else None
        if row is None:
            raise UnknownPassage(str(passage_id)[:80])
        return self._passages[row]

    def neighbours(self, passage_id: str, radius: int = 1) -> list[Passage]:
        row = self._by_id.get(passage_id) if isinstance(passage_id, str) else None
        if row is None:
            raise UnknownPassage(str(passage_id)[:80])
        doc_id = self._passages[row].doc_id
        rows = range(max(row - radius, 0), min(row + radius + 1, len(self._passages)))
        return [self._passages[r] for r in rows if self._passages[r].doc_id == doc_id]

    @cached_property
    def _documents(self) -> list[DocumentInfo]:
        return summarize_documents(self._passages)

    def documents(self) -> list[DocumentInfo]:
        return list(self._documents)

    # -- answering -----------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        with self._embedder_lock:
            if self._embedder is None:
                self._embedder = make_embedder(self.manifest["embedder"]["spec"])
            return self._embedder

    def plan(self, question: str) -> QueryPlan:
        if not isinstance(question, str) or not question.strip():
            raise EmptyQuestion()
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLong(len(question), MAX_QUESTION_CHARS)
        plan = plan_query(question, self.tokenizer, self._expander)
        if not plan.normalized:
            raise EmptyQuestion()
        return plan

    def ask(self, question: str, k: int = 5, config: SearchConfig | None = None) -> Answer:
        config = config or HYBRID
        plan = self.plan(question)
        n = len(self._passages)
        k = max(1, min(int(k), n))
        keyword = self._keyword.scores(plan.terms) if config.use_keyword else np.zeros(n, np.float32)
        candidates = self._candidates(keyword, plan, config)
        dense, sentence_best = self._dense_scores(plan, candidates, config)
        keyword_c = keyword[candidates]
        if config.fusion == "rrf" or not (config.use_keyword and config.use_dense):
            fused = self._single_or_rrf(keyword_c, dense, config)
        else:
            coverage = self._coverage(plan.terms)
            weight = adaptive_keyword_weight(coverage, plan.language, config.keyword_weight_zh, config.keyword_weight_en)
            fused = weighted_fusion(keyword_c, dense, weight)
        order = np.argsort(-fused, kind="stable")[:k]
        results = []
        for rank, position in enumerate(order, start=1):
            row = int(candidates[position])
            start, end = self._quote(row, plan, sentence_best)
            results.append(Result(rank, self._passages[row], float(fused[position]), start, end))
        abstained, confidence = False, 1.0
        if config.abstain and results:
            top_row = int(candidates[order[0]])
            evidence = self.evidence(plan, top_row)
            signals = AbstentionSignals(
                language=plan.language,
                coverage=evidence.coverage,
                dense_top=max((float(scores.max()) for scores in sentence_best.values()), default=0.0),
                uncovered=evidence.uncovered,
                states_asked_figure=self._states_asked_figure(plan, top_row),
            )
            confidence = self.policy.confidence(signals, use_dense=config.use_dense)
            abstained = confidence < 1.0
        return Answer(question, plan.language, abstained, tuple(results), confidence, NOT_FOUND if abstained else ANSWERED)

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

    def _candidates(self, keyword: np.ndarray, plan: QueryPlan, config: SearchConfig) -> np.ndarray:
        n = len(self._passages)
        limit = min(config.candidates, n)
        picked = set()
        if config.use_keyword:
            picked.update(np.argsort(-keyword, kind="stable")[:limit].tolist())
        if config.use_dense:
            _, ids = self._dense.search(self._query_vector(plan)[None, :], limit)
            picked.update(int(i) for i in ids[0] if i >= 0)
        return np.array(sorted(picked), dtype=np.int64)

    def _dense_scores(self, plan: QueryPlan, candidates: np.ndarray, config: SearchConfig):
        """Cosine of each candidate passage, blended with its best sentence's cosine."""
        if not config.use_dense:
            return np.zeros(len(candidates), np.float32), {}
        query = self._query_vector(plan)
        passage_scores = self._passage_vectors[candidates] @ query
        best_sentence: dict[int, np.ndarray] = {}
        blended = passage_scores.copy()
        for position, row in enumerate(candidates):
            lo, hi = self._sentence_bounds[row], self._sentence_bounds[row + 1]
            if hi > lo:
                scores = self._sentence_vectors[lo:hi] @ query
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

    def _term_weight(self, term: str, weight: float) -> float:
        df = self._keyword.document_frequency(term)
        n = len(self._passages)
        return weight * (idf(df, n) if df else float(np.log(1 + n)))

    def _coverage(self, terms) -> float:
        """IDF-weighted share of the question's terms that the corpus contains at all."""
        total = found = 0.0
        for term, weight in terms:
            idf_weight = self._term_weight(term, weight)
            total += idf_weight
            if self._keyword.document_frequency(term) > 0:
                found += idf_weight
        return found / total if total else 0.0

    # -- evidence for abstention ---------------------------------------------------------

    @cached_property
    def _word_tags(self):
        return dictionary_tags(self._scratch_dir)

    @cached_property
    def _corpus_text(self) -> str:
        return squeeze("".join(passage.text for passage in self._passages))

    @cached_property
    def lexicon(self):
        """Word knowledge for resolving chat follow-ups (retrieval/question/followup_words.py)."""
        from retrieval.language.tokenizer import get_segmenter
        from retrieval.question.followup_words import Lexicon, domain_dictionary_words

        segmenter = get_segmenter(self._scratch_dir)
        return Lexicon(segmenter.cut, self._word_tags, domain_dictionary_words(), self._expander.names)

    def concepts(self, plan: QueryPlan) -> list[Concept]:
        """What the question names, weighted by specificity (see evidence.py)."""
        documents = len(self._passages)
        frequency = self._keyword.document_frequency
        if plan.language == "en":
            return english_concepts(
                self._expander.explain(plan.normalized), frequency, documents, self._word_tags.get, proper_names(plan.question),
            )
        return chinese_concepts(
            plan.own_terms, frequency, documents, lambda term: term in self._corpus_text, self._word_tags.get,
        )

    def evidence(self, plan: QueryPlan, row: int) -> Evidence:
        """How well the best sentence window of passage `row` covers the question's concepts."""
        passage = self._passages[row]
        spans, _ = self._sentences_of(row)
        return best_evidence(self.concepts(plan), windows(passage.text, spans, (passage.title, passage.section, passage.date)))

    def _states_asked_figure(self, plan: QueryPlan, row: int) -> bool:
        """Whether passage `row` (with its title and section) states a figure of a kind the
        question asks for; true when it asks for none."""
        if not plan.figures:
            return True
        stated = self._stated_figures.get(row)
        if stated is None:
            passage = self._passages[row]
            stated = self._stated_figures[row] = stated_figures("\n".join(filter(None, (passage.title, passage.section, passage.text))))
        return states_an_asked_figure(plan.figures, stated)

    def _sentences_of(self, row: int) -> tuple[list[tuple[int, int]], list[str]]:
        """Sentence spans of a passage and their normalised text (cached: quotes need it on every ask)."""
        cached = self._sentence_cache.get(row)
        if cached is None:
            text = self._passages[row].text
            lo, hi = self._sentence_bounds[row], self._sentence_bounds[row + 1]
            spans = [(int(s), int(e)) for _, s, e in self._sentences[lo:hi]]
            cached = self._sentence_cache[row] = (spans, [normalize(text[s:e]) for s, e in spans])
        return cached

    def _quote(self, row: int, plan: QueryPlan, sentence_best: dict) -> tuple[int, int]:
        passage = self._passages[row]
        spans, sentences = self._sentences_of(row)
        dense = sentence_best.get(row)
        weighted = [(term, self._term_weight(term, weight)) for term, weight in plan.terms]
        figures = [figure_match(plan.figures, stated_figures(sentence)) for sentence in sentences] if plan.figures else None
        scores = score_sentences(sentences, weighted, dense if dense is not None and len(dense) == len(spans) else None, figure_matches=figures)
        return select_quote(spans, scores, passage.text, figures)
