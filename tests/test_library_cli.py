"""`investqa add / remove / documents` on a copy of the real index (real model, incremental build)."""
from __future__ import annotations

import shutil

import pytest

from bot.cli import main

pytestmark = pytest.mark.integration

NOTICE = "崂山区人工智能产业扶持办法\n\n对新落户崂山区的人工智能企业，按实缴注册资本的百分之二给予落户奖励，最高不超过二百万元。\n"


def test_add_then_remove_a_document(copy_index, seeds_dir, tmp_path, capsys):
    index = copy_index()
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    options = ["--seeds", str(seeds), "--index", str(index)]
    notice = tmp_path / "ai policy.txt"
    notice.write_text(NOTICE, "utf-8")
    bad = tmp_path / "tool.exe"
    bad.write_bytes(b"MZ\x90")

    assert main(["add", str(notice), str(bad), *options]) == 1  # the bad file fails the run...
    out, err = capsys.readouterr()
    assert "added as ai policy.txt" in out  # ...but the good one is stored and indexed
    assert "index updated: 1 document(s): 崂山区人工智能产业扶持办法; 1 passage(s)" in out
    assert err.strip().splitlines() == ["investqa: error: cannot add tool.exe: unsupported file type .exe "
                                        "(supported: .pdf .docx .txt .md .html)"]
    assert not (seeds / "tool.exe").exists()

    assert main(["add", str(notice), *options]) == 0
    assert "already indexed (same content as ai policy.txt)" in capsys.readouterr().out

    notice.write_text(NOTICE.replace("二百万元", "三百万元"), "utf-8")
    assert main(["add", str(notice), *options]) == 1
    assert "--replace" in capsys.readouterr().err

    assert main(["documents", *options]) == 0
    assert "ai policy.txt\tadded " in capsys.readouterr().out

    assert main(["remove", "ai policy", *options]) == 0
    out = capsys.readouterr().out
    assert "removed ai policy.txt (1 passage(s))" in out and "index updated" in out
    assert main(["remove", "ai policy", *options]) == 1
    assert "no document named" in capsys.readouterr().err

    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text(NOTICE, "utf-8")
    assert main(["add", str(notice), "--seeds", str(other), "--index", str(index)]) == 1  # wrong --seeds
    assert "was not built from" in capsys.readouterr().err
