"""The shard folder of --engine ray: manifest, resume at shard granularity, merge (no Ray needed)."""

import json

import pytest

from projner.errors import InputError
from projner.ray_engine.shards import ShardFolder, fingerprint, read_shard
from projner.types import Sentence


def _folder(tmp_path, fp="a"):
    f = ShardFolder(tmp_path / "w")
    resumed = f.open(fp)
    return f, resumed


def _finish(f, sh, text):
    (f.root / sh["output"]).write_text(text, encoding="utf-8")
    f.record({**sh, "bytes": len(text.encode()), "sha256": "x"})


def test_shard_folder_resumes_at_shard_granularity(tmp_path):
    f, resumed = _folder(tmp_path)
    assert not resumed
    shards = [f.write_shard(k, [(Sentence([str(k)]), Sentence(["x"]), None)], ".conll") for k in range(3)]
    f.manifest["split_done"] = True
    f.save()
    assert list(read_shard(f.root, shards[1]["input"])[0][0].tokens) == ["1"]
    _finish(f, shards[0], "a\n\n")
    _finish(f, shards[2], "c\n\n")
    g, resumed = _folder(tmp_path)
    assert resumed and [s["shard"] for s in g.pending()] == [1]
    (g.root / shards[2]["output"]).write_text("changed size\n")  # a damaged output is redone
    assert [s["shard"] for s in g.pending()] == [1, 2]
    _finish(g, shards[1], "b\n\n")
    _finish(g, shards[2], "c\n\n")
    assert g.merge(tmp_path / "out.conll") == 9
    assert (tmp_path / "out.conll").read_text() == "a\n\nb\n\nc\n\n"


def test_another_fingerprint_starts_afresh_and_foreign_folders_are_refused(tmp_path):
    f, _ = _folder(tmp_path, "a")
    f.write_shard(0, [], ".conll")
    f.manifest["split_done"] = True
    f.save()
    g, resumed = _folder(tmp_path, "b")
    assert not resumed and g.manifest["shards"] == [] and not (g.root / "in" / "00000.pkl").exists()
    assert json.loads((g.root / "manifest.json").read_text())["fingerprint"] == "b"
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x").write_text("")
    with pytest.raises(InputError, match="is not empty and has no manifest.json"):
        ShardFolder(tmp_path / "other").open("a")


def test_fingerprint_changes_with_inputs_and_settings(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("x\n")
    one = fingerprint("project", [p, None], {"shard_size": 5})
    assert one == fingerprint("project", [p, None], {"shard_size": 5})
    assert one != fingerprint("project", [p, None], {"shard_size": 6})
    assert one != fingerprint("align", [p, None], {"shard_size": 5})
    p.write_text("xy\n")
    assert one != fingerprint("project", [p, None], {"shard_size": 5})
