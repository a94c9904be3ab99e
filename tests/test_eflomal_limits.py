"""eflomal's limits: pairs of 1,024 tokens or more are aligned in chunks (with a
warning), and its temporary files live in a folder of ours that is always removed."""

from __future__ import annotations

import logging
import os
import random
import tempfile

import pytest

from projner.align.eflomal import EflomalAligner
from projner.align.eflomal_chunks import EFLOMAL_MAX_TOKENS, chunk_pair, eflomal_tempdir, sweep_stale_tempdirs


def _pair(n: int, rnd: random.Random) -> tuple[list[str], list[str]]:
    vocab = [f"w{i}" for i in range(20000)]
    src = ["." if i % 23 == 22 else rnd.choice(vocab) for i in range(n)]
    return src, [w.upper() for w in src]


def test_chunks_cut_at_punctuation_and_cover_both_sides():
    src, tgt = _pair(5000, random.Random(1))
    chunks = chunk_pair(src, tgt)
    assert chunks[0][:1] == (0,) and chunks[-1][1] == 5000 and chunks[-1][3] == 5000
    for (a0, a1, b0, b1), (c0, _, d0, _) in zip(chunks, chunks[1:]):
        assert a1 == c0 and b1 == d0 and src[a1 - 1] == "." and tgt[b1 - 1] == "."
    assert all(s1 - s0 < EFLOMAL_MAX_TOKENS and t1 - t0 < EFLOMAL_MAX_TOKENS for s0, s1, t0, t1 in chunks)
    # no punctuation, very unequal sides: still every chunk within the limit
    chunks = chunk_pair(["a"] * 3000, ["b"] * 40)
    assert chunks[-1][1] == 3000 and chunks[-1][3] == 40
    assert all(s1 - s0 < EFLOMAL_MAX_TOKENS for s0, s1, _, _ in chunks)


def test_long_pairs_get_links_and_a_warning(caplog):
    rnd = random.Random(2)
    vocab = [f"w{i}" for i in range(300)]
    short = [[rnd.choice(vocab) for _ in range(7)] + ["."] for _ in range(200)]
    long_src = [w for s in short[:140] for w in s]  # 1,120 tokens, sentences the short pairs teach
    src = short + [long_src, long_src[:1023]]
    tgt = [[w.upper() for w in s] for s in src]
    with caplog.at_level(logging.WARNING, logger="projner"):
        aligns = EflomalAligner(prefix_len=0, model=2, n_samplers=1, n_iterations=(5, 5, 0)).align(src, tgt)
    diag = [sum(1 for i, j in a.links if i == j) / len(s) for a, s in zip(aligns[-2:], src[-2:])]
    assert diag[0] > 0.9 and diag[1] > 0.9, diag
    assert aligns[-2].links[:, 0].max() > 1100  # links reach the end of the long pair
    assert [r.getMessage() for r in caplog.records] == [
        "eflomal: 1 sentence pair(s) of 1,024 or more tokens (eflomal's limit) aligned in chunks cut at "
        "sentence punctuation"]


def test_eflomal_tempdir_is_removed_and_catches_tempfile_users():
    with pytest.raises(KeyboardInterrupt):
        with eflomal_tempdir() as tmp:
            assert tempfile.gettempdir() == tmp
            made = tempfile.NamedTemporaryFile(delete=False).name
            assert os.path.dirname(made) == tmp
            raise KeyboardInterrupt
    assert not os.path.exists(tmp) and tempfile.gettempdir() != tmp


def test_stale_tempdirs_of_dead_processes_are_swept(tmp_path):
    dead = 4_000_000
    while True:
        try:
            os.kill(dead, 0)
            dead += 1
        except ProcessLookupError:
            break
    (tmp_path / f"projner-eflomal-p{dead}-abc").mkdir()
    (tmp_path / f"projner-eflomal-p{dead}-abc" / "srcf").write_text("x")
    (tmp_path / f"projner-eflomal-p{os.getpid()}-abc").mkdir()
    (tmp_path / "projner-eflomal-nopid").mkdir()
    assert sweep_stale_tempdirs(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"projner-eflomal-p{os.getpid()}-abc", "projner-eflomal-nopid"])
