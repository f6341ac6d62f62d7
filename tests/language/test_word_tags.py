from retrieval.language import word_tags


def test_parse_tags_keeps_tagged_lines_and_later_lines_win():
    assert word_tags.parse_tags(["博士 100 n", "崂山 5", "安家 3 v", "安家 9 ns"]) == {"博士": "n", "安家": "ns"}


def test_dictionary_tags_are_stored_once_and_read_back_lazily(tmp_path, monkeypatch):
    tags = word_tags.dictionary_tags(tmp_path)
    assert tags.get("博士") == "n" and tags.get("崂山区") == "ns"  # jieba's and our dictionary
    stored = tmp_path / word_tags.FILE_NAME
    assert stored.exists()
    monkeypatch.setattr(word_tags, "_loaded", {})  # a new process: the file is read, not rebuilt
    monkeypatch.setattr(word_tags, "parse_tags", lambda lines: (_ for _ in ()).throw(AssertionError("rebuilt")))
    assert word_tags.dictionary_tags(tmp_path).get("推出") == "v"
