"""The Milvus backend on Milvus Lite: same answers as the local backend, atomic builds,
one-line errors."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

pytest.importorskip("pymilvus")

from bot.cli import main  # noqa: E402
from retrieval import Engine, build_index  # noqa: E402
from retrieval.errors import IndexLocked, MilvusCollectionMismatch, MilvusUnavailable  # noqa: E402
from retrieval.index import milvus_build, milvus_store, store  # noqa: E402

UNICORN = "崂山区对新认定的独角兽企业最高奖励多少？"


@pytest.fixture(scope="module")
def milvus_engine(milvus_index, engine):
    return Engine.load(milvus_index, embedder=engine.embedder)


@pytest.mark.integration
def test_the_seeds_in_milvus_lite_answer_the_unicorn_question_with_the_award(milvus_engine):
    answer = milvus_engine.ask(UNICORN)
    assert milvus_engine.backend.kind == "milvus" and answer.verdict == "answer"
    assert "300万元" in answer.results[0].quote


@pytest.mark.integration
def test_milvus_ranks_and_scores_like_the_local_backend(milvus_engine, engine):
    local, milvus = engine.backend, milvus_engine.backend
    terms = [("独角兽", 1.0), ("奖励", 0.7), ("崂山区", 0.5)]
    assert list(milvus.keyword_top(terms, 20)) == list(local.keyword_top(terms, 20))
    rows = np.arange(local.passage_count())
    assert np.allclose(milvus.keyword_scores(terms, rows), local.keyword_scores(terms, rows), atol=1e-4)
    query = engine.embedder.embed_queries(["青岛市对人才的住房补贴"])[0]
    assert list(milvus.dense_top(query, 10)) == list(local.dense_top(query, 10))
    for question in (UNICORN, "What subsidies does Qingdao give to talent?", "火星殖民计划的预算是多少？"):
        ours, theirs = milvus_engine.ask(question), engine.ask(question)
        assert [r.passage.passage_id for r in ours.results] == [r.passage.passage_id for r in theirs.results]
        assert ours.verdict == theirs.verdict


@pytest.fixture
def small_seeds(seeds_dir, tmp_path):
    """Two of the seed documents: a Milvus build of them takes seconds (the same corpus in
    every build of a test: its cross-lingual lexicon is built once)."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for path in sorted(p for p in seeds_dir.iterdir() if p.is_file())[:2]:
        shutil.copy(path, folder / path.name)
    return folder


def _aliases(uri):
    client = milvus_store.connect(uri)
    return {alias: milvus_store.alias_target(client, alias) for alias in milvus_store.alias_names(milvus_store.DEFAULT_PREFIX).values()}


@pytest.mark.integration
def test_a_build_killed_before_publishing_leaves_the_old_alias_answering(small_seeds, built_index, engine, tmp_path, monkeypatch):
    index_dir, uri = tmp_path / "index", str(tmp_path / "milvus.db")
    shutil.copytree(built_index / "cache", index_dir / "cache")
    build_index(small_seeds, index_dir, embedder=engine.embedder, backend="milvus", milvus_uri=uri)
    before, current = _aliases(uri), store.current_build_id(index_dir)
    question = Engine.load(index_dir, embedder=engine.embedder).ask(UNICORN).results[0].passage.passage_id

    # Killed after writing its collections, before the aliases moved; nothing cleaned up (as after SIGKILL).
    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(milvus_store, "point_aliases", killed)
    monkeypatch.setattr(milvus_build.MilvusBuild, "discard", lambda self: None)
    with pytest.raises(KeyboardInterrupt):
        build_index(small_seeds, index_dir, embedder=engine.embedder, backend="milvus", milvus_uri=uri)
    client = milvus_store.connect(uri)
    leftovers = [name for name in client.list_collections() if name not in before.values()]
    assert leftovers, "the killed build had written its collections"
    assert _aliases(uri) == before and store.current_build_id(index_dir) == current
    assert Engine.load(index_dir, embedder=engine.embedder).ask(UNICORN).results[0].passage.passage_id == question

    monkeypatch.undo()
    build_index(small_seeds, index_dir, embedder=engine.embedder, backend="milvus", milvus_uri=uri)
    assert not set(leftovers) & set(client.list_collections()), "the next build drops what the killed one left"
    assert _aliases(uri) != before and store.current_build_id(index_dir) != current
    reloaded = Engine.load(index_dir, embedder=engine.embedder)
    assert reloaded.ask(UNICORN).results[0].passage.passage_id == question

    # A collection that no longer holds the build: the rebuild command, not a traceback.
    client.drop_collection(reloaded.manifest["milvus_collections"]["sentences"])
    with pytest.raises(MilvusCollectionMismatch, match=f"investqa index --index {index_dir} --backend milvus --milvus-uri"):
        Engine.load(index_dir, embedder=engine.embedder)


def test_a_second_concurrent_milvus_build_is_refused(tmp_path):
    index_dir = tmp_path / "index"
    with store.build_lock(index_dir):
        with pytest.raises(IndexLocked):
            build_index(tmp_path, index_dir, backend="milvus", milvus_uri=str(tmp_path / "milvus.db"))


def test_an_unreachable_milvus_is_one_line_naming_the_uri(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INVESTQA_MILVUS_TOKEN", "secret-token-123")
    uri = "http://127.0.0.1:9"
    code = main(["index", "--seeds", str(tmp_path), "--index", str(tmp_path / "index"), "--backend", "milvus", "--milvus-uri", uri])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and "Traceback" not in err
    assert uri in err and "INVESTQA_MILVUS_TOKEN" in err and "secret-token-123" not in err
    with pytest.raises(MilvusUnavailable, match="does not exist"):
        milvus_store.connect(str(tmp_path / "missing" / "milvus.db"))
