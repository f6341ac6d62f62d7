"""Search configurations: the shipped hybrid and the baselines `investqa eval` compares."""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SearchConfig:
    name: str
    use_keyword: bool = True
    use_dense: bool = True
    fusion: str = "weighted"  # "weighted" (adaptive score mix) or "rrf" (rank-only)
    keyword_weight_zh: float = 0.6
    keyword_weight_en: float = 0.4
    sentence_weight: float = 0.5  # share of a passage's dense score taken from its best sentence
    candidates: int = 100
    abstain: bool = True

    def with_(self, **changes) -> "SearchConfig":
        return replace(self, **changes)


HYBRID = SearchConfig(name="hybrid")

PRESETS: dict[str, SearchConfig] = {
    "hybrid": HYBRID,
    "bm25": SearchConfig(name="bm25", use_dense=False),
    "dense": SearchConfig(name="dense", use_keyword=False, sentence_weight=0.0),
    "rrf": SearchConfig(name="rrf", fusion="rrf", sentence_weight=0.0),
}
