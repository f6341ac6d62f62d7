"""Which keyword side for the Milvus backend? Milvus's own BM25 function over a jieba-analysed
text field, against the client-side BM25 the local and Milvus backends share (our tokenizer,
domain dictionary and cross-lingual expansion), both keyword-only, on a QA file.

    python -m retrieval.measure.milvus_bm25_compare ../shared/eval/dev_qa.jsonl --index vectors

Prints hit@1 / hit@5 / MRR@10 per language for both. Measurement code: the core never imports it.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from retrieval.ingest.sentences import passage_context
from retrieval.measure.evaluation import first_hit_rank, load_qa, rank_metrics, Outcome

COLLECTION = "bm25_compare"


def milvus_bm25(passages, uri: str):
    """A Milvus Lite collection whose BM25 function analyses each passage with jieba; returns a
    search function question -> rows, best first."""
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    client = MilvusClient(uri)
    schema = client.create_schema(auto_id=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=16384, enable_analyzer=True, analyzer_params={"tokenizer": "jieba"})
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"], output_field_names=["sparse"]))
    index = client.prepare_index_params()
    index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection(COLLECTION, schema=schema, index_params=index)
    client.insert(COLLECTION, [{"row": row, "text": passage_context(p)} for row, p in enumerate(passages)])
    client.load_collection(COLLECTION)

    def search(question: str, k: int) -> list[int]:
        hits = client.search(COLLECTION, data=[question], anns_field="sparse", limit=k, output_fields=["row"], search_params={"metric_type": "BM25"})
        return [int(hit["row"]) for hit in hits[0]]

    return search


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.measure.milvus_bm25_compare")
    parser.add_argument("qa_file", type=Path)
    parser.add_argument("--index", type=Path, default=Path("vectors"))
    args = parser.parse_args(argv)
    from retrieval import Engine

    engine = Engine.load(args.index)
    passages = engine.backend.passages()
    items = [item for item in load_qa(args.qa_file) if item.answerable]
    with tempfile.TemporaryDirectory(prefix="investqa-bm25-") as work:
        milvus_search = milvus_bm25(passages, str(Path(work) / "bm25.db"))
        runs = {
            "client-side BM25 (shipped)": lambda item: engine.backend.keyword_top(engine.plan(item.question).terms, 10).tolist(),
            "Milvus BM25, jieba analyzer": lambda item: milvus_search(item.question, 10),
        }
        for name, top_rows in runs.items():
            outcomes = []
            for item in items:
                rank = first_hit_rank(item.gold, [passages[row].text for row in top_rows(item)])
                outcomes.append(Outcome(item, False, rank, None, None))
            for lang in ("all", "zh", "en"):
                chosen = [o for o in outcomes if lang == "all" or o.item.lang == lang]
                metrics = rank_metrics(chosen)
                print(f"{name:30s} {lang:3s} ({metrics.questions:3d})  hit@1 {metrics.hits[1]:.3f}  hit@5 {metrics.hits[5]:.3f}  MRR@10 {metrics.mrr:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
