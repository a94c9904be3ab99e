"""Determinism: same inputs and config give the same bytes, across processes
(different hash seeds), and across 1 or several worker processes.

eflomal itself seeds from /dev/urandom and is not deterministic; see
docs/reliability.md. These tests cover everything downstream of fixed
alignments, and the lexical aligner.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import subprocess
import sys

import pytest

from projner.io import format_conll, read_conll, read_talp, write_conll, write_talp
from projner.project import build_projector
from projner.types import Alignment, Sentence, Span

METHODS = ["heuristic", "greedy", "bipartite", "ilp"]


def synthetic_corpus(n: int, seed: int = 0):
    rnd = random.Random(seed)
    words = ["the", "of", "in", "Paris", "Berlin", "Obama", "Merkel", "European", "Union", "Müller", "東京", "😀", ",", "."]
    labels = ["PER", "LOC", "ORG"]
    sources, targets, aligns = [], [], []
    for _ in range(n):
        ns = rnd.randint(1, 20)
        toks = [rnd.choice(words) for _ in range(ns)]
        spans, i = [], 0
        while i < ns:
            if rnd.random() < 0.3:
                j = min(ns, i + rnd.randint(1, 3))
                spans.append(Span(i, j, rnd.choice(labels)))
                i = j
            i += 1
        nt = max(1, ns + rnd.randint(-2, 2))
        tt = [rnd.choice(words) for _ in range(nt)]
        links = {(k, min(nt - 1, max(0, k + rnd.randint(-1, 1)))) for k in range(ns) if rnd.random() < 0.9}
        links |= {(rnd.randrange(ns), rnd.randrange(nt)) for _ in range(rnd.randint(0, 3))}
        sources.append(Sentence(toks, spans))
        targets.append(Sentence(tt))
        aligns.append(Alignment(sorted(links)))
    return sources, targets, aligns


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("det")
    sources, targets, aligns = synthetic_corpus(300)
    write_conll(d / "src.conll", sources)
    (d / "tgt.txt").write_text("".join(" ".join(t.tokens) + "\n" for t in targets), encoding="utf-8")
    write_talp(d / "links.talp", aligns)
    return d


def _cli(args, hash_seed: str):
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    proc = subprocess.run([sys.executable, "-m", "projner.cli", *args], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.parametrize("method", METHODS)
def test_project_with_fixed_alignments_is_byte_identical_across_processes(corpus, tmp_path, method):
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}.jsonl"
        _cli(["project", str(corpus / "src.conll"), str(corpus / "tgt.txt"), "-o", str(out),
              "--alignment", str(corpus / "links.talp"), "--method", method], seed)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].count(b"\n") == 300


def test_lexical_alignment_is_byte_identical_across_processes(corpus, tmp_path):
    outs = []
    for seed in ("3", "4"):
        out = tmp_path / f"a{seed}.talp"
        _cli(["align", str(corpus / "src.conll"), str(corpus / "tgt.txt"), "-o", str(out), "-a", "lexical"], seed)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def _project_chunk(args):
    method, chunk = args
    project = build_projector(method)
    return "".join(format_conll(project(s, t, a)) + "\n" for s, t, a in chunk)


@pytest.mark.parametrize("method", ["heuristic", "ilp"])
def test_one_or_several_worker_processes_give_the_same_bytes(method):
    sources, targets, aligns = synthetic_corpus(200, seed=5)
    triples = list(zip(sources, targets, aligns))
    serial = _project_chunk((method, triples))
    chunks = [(method, triples[i : i + 37]) for i in range(0, len(triples), 37)]
    ctx = mp.get_context("fork")  # spawned children could not import this test module
    with ctx.Pool(2) as pool:
        parallel = "".join(pool.map_async(_project_chunk, chunks).get(timeout=120))  # keeps input order
    assert parallel == serial


def _roundtrip(obj):
    import pickle

    return pickle.loads(pickle.dumps(obj))


def test_sentence_pickles():
    s = Sentence(["a", "b"], [Span(0, 1, "PER", 0.5)], meta={"line": 3})
    back = _roundtrip(s)
    assert back == s and back.meta == {"line": 3} and back.spans[0].score == 0.5


def test_alignment_and_span_pickle():
    a = Alignment([(0, 1), (1, 0)], scores=[0.5, 1.0])
    b = _roundtrip(a)
    assert b == a and b.scores.tolist() == [0.5, 1.0]
    assert _roundtrip(Span(0, 2, "LOC", 0.5)) == Span(0, 2, "LOC")


def test_written_files_do_not_depend_on_time_or_names(tmp_path):
    """gzip outputs carry no name or mtime, so the same content gives the same bytes."""
    sources, _, aligns = synthetic_corpus(20)
    write_conll(tmp_path / "a.conll.gz", sources)
    os.utime(tmp_path / "a.conll.gz", (0, 0))
    write_conll(tmp_path / "b.conll.gz", sources)
    assert (tmp_path / "a.conll.gz").read_bytes() == (tmp_path / "b.conll.gz").read_bytes()
    assert list(read_conll(tmp_path / "b.conll.gz")) == sources
    write_talp(tmp_path / "l.talp", aligns)
    assert list(read_talp(tmp_path / "l.talp")) == aligns
