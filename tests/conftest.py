"""Shared fixtures. The real index is built once per test session from the real seeds,
with the real bundled model (it takes a few minutes; every integration test reuses it)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DEV_QA = ROOT.parent / "shared" / "eval" / "dev_qa.jsonl"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def built_index(tmp_path_factory) -> Path:
    """Path of an index folder built from the real seeds with the default embedder.

    Tests must not modify it: copy it (`copy_index`) to change anything.
    """
    from retrieval import build_index

    index_dir = tmp_path_factory.mktemp("index")
    prebuilt = os.environ.get("INVESTQA_TEST_INDEX")
    if prebuilt:
        # Developer shortcut: reuse an index built earlier from these seeds (CI never sets it).
        shutil.copytree(prebuilt, index_dir, dirs_exist_ok=True)
    else:
        build_index(SEEDS, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def engine(built_index):
    from retrieval import Engine

    return Engine.load(built_index)


@pytest.fixture
def copy_index(built_index, tmp_path):
    """A private copy of the built index folder (state and cache included)."""

    def make(name: str = "index") -> Path:
        target = tmp_path / name
        shutil.copytree(built_index, target)
        return target

    return make


@pytest.fixture(scope="session")
def milvus_index(built_index, engine, tmp_path_factory) -> Path:
    """An index folder whose build lives in Milvus Lite, from the real seeds. The embedding
    cache of `built_index` is copied in and its model reused, so nothing is embedded twice."""
    pytest.importorskip("pymilvus")
    from retrieval import build_index

    folder = tmp_path_factory.mktemp("milvus")
    index_dir = folder / "index"
    shutil.copytree(built_index / "cache", index_dir / "cache")
    report = build_index(SEEDS, index_dir, embedder=engine.embedder, backend="milvus", milvus_uri=str(folder / "milvus.db"))
    assert report.embedded == 0
    return index_dir
