"""jieba's prefix dictionary split by first character: same lookups, same segmentation."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.language import jieba_dictionary
from retrieval.language.jieba_dictionary import PrefixDictionary

FREQ = {"崂": 5, "崂山": 3, "崂山区": 7, "企": 0, "企业": 9, "a": 1}
SIGNATURE = [1, "test", "/dict.txt", 10, 20]


def test_behaves_like_the_dict_it_was_made_from():
    lazy = PrefixDictionary.from_dict(FREQ)
    assert lazy.loaded_parts() == 0
    assert "崂山" in lazy and "崂山湾" not in lazy and 3 not in lazy and "" not in lazy
    assert lazy.loaded_parts() == 2  # only the parts of "崂" and "" were unmarshalled
    assert lazy["崂山区"] == 7 and lazy.get("企") == 0 and lazy.get("无", 1) == 1
    with pytest.raises(KeyError):
        lazy["无"]
    lazy["企业家"] = 2
    del lazy["a"]
    assert dict(lazy) == {**{k: v for k, v in FREQ.items() if k != "a"}, "企业家": 2} and len(lazy) == 6


def test_save_and_load_round_trip(tmp_path):
    path = jieba_dictionary.save(tmp_path, FREQ, 21, SIGNATURE)
    lazy, total = jieba_dictionary.load(tmp_path, SIGNATURE)
    assert path.parent == tmp_path and total == 21 and dict(lazy) == FREQ
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_stale_missing_or_damaged_files_are_not_used(tmp_path):
    assert jieba_dictionary.load(tmp_path, SIGNATURE) is None
    path = jieba_dictionary.save(tmp_path, FREQ, 21, SIGNATURE)
    assert jieba_dictionary.load(tmp_path, [*SIGNATURE[:-1], 21]) is None  # the dictionary file changed
    path.write_bytes(path.read_bytes()[:50])
    assert jieba_dictionary.load(tmp_path, SIGNATURE) is None


SEGMENT = """
import json, sys
from pathlib import Path
from retrieval.language.tokenizer import Tokenizer, get_segmenter
tokenizer = Tokenizer(cache_dir=Path(sys.argv[1]))
texts = ["崂山区对新认定的独角兽企业最高奖励多少？", "西海岸新区2020年招商引资签约项目128个，总投资1200亿元。"]
print(json.dumps({"tokens": [tokenizer.tokenize(t) for t in texts], "search": list(get_segmenter().cut_for_search(texts[1])),
                  "kind": type(get_segmenter().FREQ).__name__}, ensure_ascii=False))
"""


def test_segmentation_is_the_same_from_the_split_cache(tmp_path):
    """First process: jieba loads its dictionary and the split cache is written; second: read from it."""
    runs = [subprocess.run([sys.executable, "-c", SEGMENT, str(tmp_path)], capture_output=True, text=True, check=True).stdout for _ in range(2)]
    first, second = (__import__("json").loads(run) for run in runs)
    assert (first["kind"], second["kind"]) == ("dict", "PrefixDictionary")
    assert first["tokens"] == second["tokens"] and first["search"] == second["search"]
    assert "独角兽" in second["tokens"][0]  # the domain dictionary is still added on top
    assert (Path(tmp_path) / jieba_dictionary.FILE_NAME).is_file()
