"""--engine ray on a local two-node cluster (ray.cluster_utils.Cluster, 1 CPU per node).

One cluster for the module (starting Ray is the slow part). Every shard sleeps
briefly (the engine's test hook, set for the whole job) so a worker can be killed
while it holds a shard.
"""

import json
import os
import signal
import threading
import time
from importlib.resources import files
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from projner.config import ProjectionConfig  # noqa: E402
from projner.io import read_conll, write_sentences, write_talp  # noqa: E402
from projner.pipelines import align_corpus  # noqa: E402
from projner.ray_engine.work import SHARD_DELAY_ENV  # noqa: E402

DATA = files("projner") / "data"
DELAY = 0.5


@pytest.fixture(scope="module")
def cluster():
    from ray.cluster_utils import Cluster

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    c.add_node(num_cpus=1)
    ray.init(address=c.address, log_to_driver=False, logging_level="ERROR",
             runtime_env={"env_vars": {SHARD_DELAY_ENV: str(DELAY)}})
    try:
        yield c
    finally:
        ray.shutdown()
        c.shutdown()
        for sig, handler in saved.items():  # ray.init replaced them; later tests expect the defaults
            signal.signal(sig, handler)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """50 pairs as files: source CoNLL, target text, lexical links (talp)."""
    d = tmp_path_factory.mktemp("corpus")
    src = list(read_conll(DATA / "example.en.conll")) * 5
    tgt = [g.with_spans(()) for g in read_conll(DATA / "example.de.conll")] * 5
    write_sentences(d / "src.conll", src)
    (d / "tgt.txt").write_text("".join(" ".join(t.tokens) + "\n" for t in tgt), encoding="utf-8")
    write_talp(d / "links.talp", align_corpus(src, tgt, ProjectionConfig(aligner="lexical")))
    return d


def _cli(*args):
    from projner.cli import main

    assert main([str(a) for a in args]) == 0


def _engine(corpus, out, parts=False, **kw):
    """The engine on the corpus; ``parts``: the workers read the inputs in parts (else the driver reads them)."""
    from projner.io import read_sentences, read_talp
    from projner.ray_engine import run

    def pairs():
        return (read_sentences(corpus / "src.conll", "conll"),
                read_sentences(corpus / "tgt.txt", "text", labels=False))

    files = {"source": str(corpus / "src.conll"), "target": str(corpus / "tgt.txt"), "scheme": "iob2",
             "alignment": str(corpus / "links.talp"), "source_format": "conll", "target_format": "text",
             "repair": False} if parts else None
    return run("project", pairs, ProjectionConfig(), out, alignments=read_talp(corpus / "links.talp"),
               paths=(corpus / "src.conll", corpus / "tgt.txt", corpus / "links.talp"), shard_size=13,
               sample_size=10, files=files, **kw)


@pytest.mark.parametrize("parts", [False, True], ids=["driver-reads", "workers-read-parts"])
def test_two_nodes_give_the_single_process_bytes_and_resume(cluster, corpus, tmp_path, parts):
    _cli("project", corpus / "src.conll", corpus / "tgt.txt", "--alignment", corpus / "links.talp",
         "-o", tmp_path / "single.conll")
    st = _engine(corpus, tmp_path / "ray.conll", parts=parts)
    assert (tmp_path / "ray.conll").read_bytes() == (tmp_path / "single.conll").read_bytes()
    assert st["pairs"] == 50 and st["shards"] == 4 and st["ran"] == 4
    manifest = json.loads((tmp_path / "ray.conll.shards" / "manifest.json").read_text())
    assert sorted(int(k) for k in manifest["done"]) == [0, 1, 2, 3]
    assert sum(r["pairs"] for r in manifest["done"].values()) == 50
    assert [sh["pairs"] for sh in manifest["shards"]] == [13, 13, 13, 11]
    # a rerun finds every shard done (a lost shard output: test_shard_folder_resumes_at_shard_granularity)
    st = _engine(corpus, tmp_path / "ray.conll", parts=parts)
    assert st["resumed"] and st["ran"] == 0
    assert (tmp_path / "ray.conll").read_bytes() == (tmp_path / "single.conll").read_bytes()


def test_a_worker_killed_mid_shard_loses_and_duplicates_nothing(cluster, corpus, tmp_path):
    _cli("project", corpus / "src.conll", corpus / "tgt.txt", "--alignment", corpus / "links.talp",
         "-o", tmp_path / "single.conll")
    running = tmp_path / "ray.conll.shards" / "running"
    result: dict = {}
    th = threading.Thread(target=lambda: result.update(_engine(corpus, tmp_path / "ray.conll")))
    th.start()
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline:
        for f in sorted(running.glob("*.*")) if running.exists() else []:
            killed = int(f.name.split(".")[1])
            os.kill(killed, signal.SIGKILL)
            break
        time.sleep(0.05)
    th.join(120)
    assert killed is not None and not th.is_alive()
    assert result["pairs"] == 50 and result["shards"] == 4
    assert (tmp_path / "ray.conll").read_bytes() == (tmp_path / "single.conll").read_bytes()
    manifest = json.loads((tmp_path / "ray.conll.shards" / "manifest.json").read_text())
    assert sum(r["pairs"] for r in manifest["done"].values()) == 50
    assert len(list(running.glob("*.*"))) >= 5  # the killed worker's shard started again elsewhere
    assert len(list(Path(tmp_path / "ray.conll.shards" / "out").glob("*.conll"))) == 4


@pytest.mark.parametrize("broken, line", [("links", 40), ("tags", None)])
def test_a_bad_line_in_a_later_part_is_the_single_process_error(cluster, corpus, tmp_path, capsys, broken, line):
    """Inputs read in parts by the workers: the first bad line (a link out of range in the fourth
    part, a tag that breaks IOB2 in the third) stops the run with the one-process message, exit 2,
    before any output is written."""
    from projner.cli import main

    for name in ("src.conll", "tgt.txt", "links.talp"):
        (tmp_path / name).write_bytes((corpus / name).read_bytes())
    if broken == "links":
        links = (tmp_path / "links.talp").read_text().splitlines()
        links[line - 1] = "0-0 99-1"
        (tmp_path / "links.talp").write_text("\n".join(links) + "\n")
    else:
        text = (tmp_path / "src.conll").read_text()
        blocks = text.split("\n\n")
        first = blocks[30].split("\n")
        first[0] = first[0].split("\t")[0] + "\tI-PER"  # I- opening a sentence breaks IOB2
        blocks[30] = "\n".join(first)
        (tmp_path / "src.conll").write_text("\n\n".join(blocks))
    args = [tmp_path / "src.conll", tmp_path / "tgt.txt", "--alignment", tmp_path / "links.talp"]
    assert main(["project", *map(str, args), "-o", str(tmp_path / "single.conll")]) == 2
    single = capsys.readouterr().err.strip().splitlines()[-1]
    assert main(["project", *map(str, args), "-o", str(tmp_path / "ray.conll"), "--engine", "ray",
                 "--address", cluster.address, "--shard-size", "13"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == single and "Traceback" not in err
    assert (f"links.talp:{line}: " in single) if line else ("src.conll:" in single)
    assert not (tmp_path / "ray.conll").exists() and not (tmp_path / "single.conll").exists()


def test_jsonl_source_and_conll_target_read_in_parts_give_the_single_process_bytes(cluster, corpus, tmp_path,
                                                                                   capsys):
    """Reading in parts for other formats: a JSONL source with blank lines, a CoNLL target, JSONL output."""
    from projner.io import read_sentences

    src = list(read_sentences(corpus / "src.conll", "conll"))
    write_sentences(tmp_path / "src.jsonl", src, "jsonl")
    text = (tmp_path / "src.jsonl").read_text().splitlines()
    (tmp_path / "src.jsonl").write_text("\n".join(line + ("\n" if k % 7 == 3 else "") for k, line in enumerate(text)) + "\n")
    write_sentences(tmp_path / "tgt.conll", read_sentences(corpus / "tgt.txt", "text", labels=False), "conll")
    common = ["project", tmp_path / "src.jsonl", tmp_path / "tgt.conll", "--alignment", corpus / "links.talp"]
    _cli(*common, "-o", tmp_path / "single.jsonl")
    capsys.readouterr()
    _cli(*common, "-o", tmp_path / "ray.jsonl", "--engine", "ray", "--address", cluster.address, "--shard-size", "13")
    assert "splitting into shards of 13 pairs" in (err := capsys.readouterr().err) and "(4 read in parallel)" in err
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "single.jsonl").read_bytes()
    manifest = json.loads((tmp_path / "ray.jsonl.shards" / "manifest.json").read_text())
    assert [sh["pairs"] for sh in manifest["shards"]] == [13, 13, 13, 11]


def test_eflomal_shards_on_the_cluster_read_the_priors_of_both_directions(cluster, corpus, tmp_path):
    """align --engine ray with the default aligner over 4 shards: priors learnt once, one file per prefix
    length and direction, recorded in the manifest and read by every shard; every pair gets its links."""
    from projner.config import load_config
    from projner.io import read_sentences
    from projner.ray_engine import run

    def pairs():
        return (read_sentences(corpus / "src.conll", "conll", labels=False),
                read_sentences(corpus / "tgt.txt", "text", labels=False))

    st = run("align", pairs, load_config(None, {"seed": 1}), tmp_path / "links.talp",
             paths=(corpus / "src.conll", corpus / "tgt.txt", None), shard_size=13, sample_size=30)
    manifest = json.loads((tmp_path / "links.talp.shards" / "manifest.json").read_text())
    assert manifest["priors"] == {"0": "eflomal.priors", "4": "eflomal.prefix4.priors"}
    assert manifest["reverse_priors"] == {"0": "eflomal.reverse.priors", "4": "eflomal.prefix4.reverse.priors"}
    assert all((tmp_path / "links.talp.shards" / name).is_file() for name in manifest["reverse_priors"].values())
    links = (tmp_path / "links.talp").read_text().splitlines()
    assert st["shards"] == 4 and len(links) == 50 and all(links)


def test_cli_filter_and_saved_links_match_the_single_process(cluster, corpus, tmp_path):
    """--drop-incomplete leaves out the same sentences; --save-alignment writes the links in input order."""
    common = [corpus / "src.conll", corpus / "tgt.txt", "--alignment", corpus / "links.talp", "--drop-incomplete"]
    _cli("project", *common, "-o", tmp_path / "single.conll", "--save-alignment", tmp_path / "single.talp")
    _cli("project", *common, "-o", tmp_path / "ray.conll", "--save-alignment", tmp_path / "ray.talp",
         "--engine", "ray", "--address", cluster.address, "--shard-size", "13")
    single = (tmp_path / "single.conll").read_bytes()
    assert (tmp_path / "ray.conll").read_bytes() == single
    assert single.count(b"\n\n") < 50  # the filter did leave some out
    assert (tmp_path / "ray.talp").read_bytes() == (tmp_path / "single.talp").read_bytes()
    assert len((tmp_path / "ray.talp").read_text().splitlines()) == 50


def test_translate_train_projection_step_on_the_cluster(cluster, corpus, tmp_path):
    """translate-train --engine ray: the run folder's projection and links equal the one-process run's."""
    (tmp_path / "proj.yaml").write_text("filter:\n  drop_incomplete: true\n")
    common = ["translate-train", corpus / "src.conll", "-a", "lexical", "--translations", corpus / "tgt.txt",
              "--projection-config", tmp_path / "proj.yaml"]
    _cli(*common, "-o", tmp_path / "single")
    _cli(*common, "-o", tmp_path / "ray", "--engine", "ray", "--address", cluster.address, "--shard-size", "13")
    for name in ("projected.conll", "alignments.talp", "train.conll"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "single" / name).read_bytes(), name
    assert len((tmp_path / "ray" / "alignments.talp").read_text().splitlines()) == 50
    assert not (tmp_path / "ray" / "project.shards").exists()  # removed once the step is done
