"""investqa's core: ingest documents, build the hybrid index, answer with quoted passages.

Front-ends import from here; nothing in this package prints. Exports load lazily so a
front-end that needs only `retrieval.errors` does not pay for numpy, faiss or jieba.
"""
from importlib import import_module

_EXPORTS = {
    "BuildReport": "index.builder",
    "build_index": "index.builder",
    "PRESETS": "config",
    "SearchConfig": "config",
    "Engine": "engine",
    "detect_language": "question.plan",
    "current_build_id": "index.store",
    "state_dir": "index.store",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
