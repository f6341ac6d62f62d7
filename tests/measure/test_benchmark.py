"""The benchmark's measuring functions and the `bench` command's options and table.

Small and fast: shapes and bookkeeping, never timing targets.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from bot import bench
from retrieval.measure import benchmark, pipeline, scale


def test_dense_scale_rows_compare_exact_and_approximate():
    rows = scale.dense_scale_rows(2000, queries=20, timed_queries=5)
    assert [row.index for row in rows] == ["flat", "pq_refine"]
    for row in rows:
        item = row.to_dict()
        assert item["n"] == 2000 and item["build_s"] >= 0 and item["search_p50_ms"] > 0
        assert 0.0 <= item["recall@10"] <= 1.0
        assert item["mem_mb"] > 0 and row.bytes_per_passage == pytest.approx(row.mem_mb * 1e6 / 2000)
    assert rows[0].recall_at_10 == 1.0  # exact search is its own reference
    assert rows[0].bytes_per_passage >= scale.DIM * 4  # float32 rows at least


def test_keyword_scale_row_is_well_formed():
    row = scale.keyword_scale_row(2000, queries=5, vocabulary=5000)
    item = row.to_dict()
    assert item["index"] == "bm25" and item["n"] == 2000 and item["recall@10"] is None
    assert item["mem_mb"] > 0 and item["search_p50_ms"] > 0
    json.dumps(item)


def test_scale_rows_cover_every_size_and_report_progress():
    messages = []
    rows = scale.scale_rows([1000, 1500], progress=messages.append)
    assert [(row.n, row.index) for row in rows] == [
        (1000, "flat"), (1000, "pq_refine"), (1000, "bm25"), (1500, "flat"), (1500, "pq_refine"), (1500, "bm25"),
    ]
    assert len(messages) == 4


def test_zipf_token_ids_stay_in_vocabulary_and_favour_low_ids():
    ids = scale.zipf_token_ids(50_000, np.random.default_rng(0), vocabulary=1000)
    counts = np.bincount(ids, minlength=1000)
    assert ids.min() >= 0 and ids.max() < 1000
    assert counts[0] == counts.max() and counts[0] > 5 * counts[100]


def test_synthetic_token_streams_have_about_a_hundred_tokens():
    streams = scale.synthetic_token_streams(300, np.random.default_rng(1))
    lengths = [len(stream) for stream in streams]
    assert len(streams) == 300 and min(lengths) >= 50 and max(lengths) <= 150
    assert 90 <= sum(lengths) / len(lengths) <= 110


def test_recall_at_k_counts_overlap():
    truth = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    found = np.array([[4, 3, 2, 1], [5, 9, 10, 11]])
    assert scale.recall_at_k(found, truth) == pytest.approx((1.0 + 0.25) / 2)


def test_load_questions_reads_the_question_field(tmp_path):
    qa = tmp_path / "qa.jsonl"
    qa.write_text(
        json.dumps({"id": "x1", "question": "问题一？"}, ensure_ascii=False) + "\n\n"
        + json.dumps({"id": "x2", "question": "Second?"}) + "\n" + json.dumps({"id": "x3"}) + "\n",
        encoding="utf-8",
    )
    questions, source = pipeline.load_questions(qa)
    assert questions == ["问题一？", "Second?"] and source == str(qa)


def test_load_questions_falls_back_to_built_in_ones(tmp_path):
    questions, source = pipeline.load_questions(tmp_path / "absent.jsonl")
    assert questions == list(pipeline.GENERIC_QUESTIONS) and "built-in" in source
    assert not set(questions) & set(pipeline.WARMUP_QUESTIONS)


def test_subset_seeds_copies_the_smallest_files(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, size in (("a.txt", 30), ("b.txt", 10), ("c.txt", 20), (".hidden", 1)):
        (seeds / name).write_text("字" * size, encoding="utf-8")
    subset = pipeline.subset_seeds(seeds, tmp_path / "subset", files=2)
    assert sorted(path.name for path in subset.iterdir()) == ["b.txt", "c.txt"]


class HashEmbedder:
    """Deterministic unit vectors from a text's hash: a build without the model."""

    spec, dim = "hash-test", 16

    def __init__(self):
        self.calls = 0

    def describe(self):
        return {"spec": self.spec, "dim": self.dim}

    def _embed(self, texts):
        self.calls += 1
        rows = np.array([np.random.default_rng(abs(hash(text)) % 2**32).standard_normal(self.dim) for text in texts], np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True) if len(rows) else np.zeros((0, self.dim), np.float32)

    embed_passages = embed_queries = _embed


@pytest.fixture(scope="module")
def tiny_seeds(tmp_path_factory):
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    return pipeline.subset_seeds(seeds, tmp_path_factory.mktemp("seeds"), files=1)


def test_build_speed_times_the_embedder_inside_the_build_and_reuses_the_cache(tiny_seeds, tmp_path):
    embedder = HashEmbedder()
    stats = pipeline.build_speed(tiny_seeds, tmp_path / "index", embedder=embedder, embedder_sample=4)
    assert stats.documents >= 1 and stats.passages >= 4 and stats.embedded_texts > stats.passages  # sentences too
    assert stats.reindex_embedded == 0  # the no-change rebuild took every vector from the cache
    assert 0 < stats.build_embedding_s <= stats.build_s and 0 < stats.build_embedding_share <= 1
    assert stats.embedder_sample == 4 and stats.embedder_passages_per_s > 0
    assert stats.build_passages_per_s == pytest.approx(stats.passages / stats.build_s)


def test_copy_for_serving_leaves_the_original_untouched(tiny_seeds, tmp_path):
    from retrieval import Engine, build_index
    from retrieval.index import store

    index = tmp_path / "index"
    build_index(tiny_seeds, index, embedder=HashEmbedder())
    (index / "state" / "marker").write_text("kept", encoding="utf-8")
    before = sorted(str(path.relative_to(index)) for path in index.rglob("*"))
    copy = pipeline.copy_for_serving(index, tmp_path / "copy")
    engine = Engine.load(copy, embedder=HashEmbedder())
    engine.ask("崂山区的发展空间")  # serving may write caches into the copy's state folder
    assert engine.build_id == store.current_build_id(index)
    assert (copy / "state" / "marker").read_text(encoding="utf-8") == "kept"
    assert sorted(str(path.relative_to(index)) for path in index.rglob("*")) == before


def test_timed_embedder_passes_through_and_adds_up_time():
    inner = HashEmbedder()
    timed = pipeline.TimedEmbedder(inner)
    vectors = timed.embed_passages(["一", "二"])
    timed.embed_queries(["三"])
    assert vectors.shape == (2, 16) and inner.calls == 2 and timed.seconds > 0
    assert timed.describe() == inner.describe() and (timed.spec, timed.dim) == ("hash-test", 16)


def test_peak_serving_rss_reports_a_failing_serving_process(tmp_path):
    with pytest.raises(RuntimeError, match="IndexNotFound|no index|not found"):
        pipeline.peak_serving_rss_mb(tmp_path / "no-index", ["问题"])


class FakeEngine:
    def __init__(self):
        self.asked = []

    def ask(self, question, k=5, config=None):
        self.asked.append(question)
        return SimpleNamespace(abstained=question.endswith("?"))


def test_warm_latency_warms_up_then_times_each_question_once():
    engine = FakeEngine()
    stats = pipeline.warm_latency(engine, ["一", "two?", "三"])
    assert engine.asked == list(pipeline.WARMUP_QUESTIONS) + ["一", "two?", "三"]
    assert stats.questions == 3 and stats.abstained == 1 and stats.config == "hybrid"
    assert 0 <= stats.p50_ms <= stats.p95_ms


def test_cold_start_times_every_run():
    result = pipeline.cold_start([sys.executable, "-c", "print('answer')"], runs=2)
    assert result.error is None and len(result.runs_s) == 2 and result.median_s > 0


def test_cold_start_reports_a_failing_command():
    result = pipeline.cold_start([sys.executable, "-c", "import sys; sys.exit('no index here')"], runs=3)
    assert result.median_s is None and "no index here" in result.error and result.runs_s == []


def test_target_report_judges_each_target():
    results = {
        "cold_start_s": 3.0, "query_p50_ms": 12.0, "reindex_nochange_s": None,
        "scale": [
            {"n": 1_000_000, "index": "flat", "search_p50_ms": 150.0, "recall@10": 1.0},
            {"n": 1_000_000, "index": "pq_refine", "search_p50_ms": 12.0, "recall@10": 0.99},
        ],
    }
    report = {row["metric"]: row for row in benchmark.target_report(results)}
    assert report["cold_start_s"]["met"] is False and report["query_p50_ms"]["met"] is True
    assert report["reindex_nochange_s"]["met"] is None
    assert report["search_p50_ms@1M"]["value"] == 12.0 and report["search_p50_ms@1M"]["met"] is True
    assert report["recall@10@1M"]["met"] is True


def test_target_report_leaves_1m_targets_unjudged_without_a_1m_run():
    report = {row["metric"]: row for row in benchmark.target_report({"scale": [{"n": 10_000, "index": "pq_refine", "search_p50_ms": 1.0, "recall@10": 1.0}]})}
    assert report["search_p50_ms@1M"]["met"] is None and report["recall@10@1M"]["met"] is None


# ---------------------------------------------------------------- the command


def parse(argv):
    parser = argparse.ArgumentParser()
    bench.register(parser.add_subparsers())
    return parser.parse_args(argv)


def test_bench_options_and_defaults(monkeypatch):
    monkeypatch.setenv("INVESTQA_INDEX", "/tmp/some-index")
    monkeypatch.delenv("INVESTQA_SEEDS", raising=False)
    args = parse(["bench", "--quick", "--json", "--scale", "10k,2.5k"])
    assert args.handler is bench.run and args.quick and args.json
    assert args.scale == [10_000, 2_500] and args.index == "/tmp/some-index" and args.seeds == "seeds"
    assert args.questions == bench.DEFAULT_QUESTIONS
    assert parse(["bench"]).scale == [10_000, 100_000, 1_000_000]


def test_cold_runs_must_be_positive():
    assert parse(["bench", "--cold-runs", "3"]).cold_runs == 3
    with pytest.raises(SystemExit):
        parse(["bench", "--cold-runs", "0"])


@pytest.mark.parametrize("text", ["ten", "10,", "50"])
def test_bad_scale_sizes_are_rejected(text):
    with pytest.raises(argparse.ArgumentTypeError):
        bench.scale_sizes(text)


def sample_results() -> dict:
    results = {
        "quick": True, "machine": {"cpus": 2, "faiss": "1.x"}, "seconds": 61.0,
        "corpus": {"documents": 2, "passages": 40, "built_from": "subset", "served_index": "the fresh build",
                   "served_passages": 40, "questions": 5, "questions_source": "built-in generic questions"},
        "cold_start_s": None, "cold_start_error": "exit code 1: boom", "query_p50_ms": 20.5, "query_p95_ms": 33.0,
        "baselines": {"bm25": {"p50_ms": 3.0, "p95_ms": 5.0}, "dense": {"p50_ms": 18.0, "p95_ms": 25.0}},
        "build_s": 30.0, "build_embedded_texts": 200, "build_passages_per_s": 1.33, "embedder_passages_per_s": 5.0,
        "build_embedding_s": 27.0, "build_embedding_share": 0.9, "reindex_embedded": 3,
        "reindex_nochange_s": 2.0, "reindex_if_stale_s": 0.5, "peak_rss_mb": 400.0,
        "scale": [{"n": 10_000, "index": "bm25", "build_s": 1.0, "search_p50_ms": 0.5, "recall@10": None, "mem_mb": 3.0, "bytes_per_passage": 300.0}],
    }
    results["targets"] = benchmark.target_report(results)
    return results


def test_table_shows_every_measure_and_verdict():
    table = bench.format_table(sample_results())
    assert "20.5 ms" in table and "MISSED" not in table and "boom" in table
    assert "met" in table and "not measured" in table and "bm25" in table and "exact" in table
    assert "90 %" in table and "embedded 3 texts again" in table


def test_run_prints_one_json_object(monkeypatch, capsys, tmp_path):
    import retrieval.measure.benchmark as module

    seen = {}

    def fake_run_benchmark(options, progress=None):
        seen["options"] = options
        progress("working")
        return sample_results()

    monkeypatch.setattr(module, "run_benchmark", fake_run_benchmark)
    args = parse(["bench", "--json", "--quick", "--seeds", str(tmp_path), "--index", str(tmp_path / "idx")])
    assert bench.run(args) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["query_p50_ms"] == 20.5 and "working" in err
    assert seen["options"].quick and seen["options"].cold_runs == 2 and seen["options"].ask_command[-1] == "ask"


def test_run_refuses_a_missing_seeds_folder(tmp_path):
    from retrieval.errors import SeedsNotFound

    with pytest.raises(SeedsNotFound):
        bench.run(parse(["bench", "--seeds", str(tmp_path / "nope")]))
