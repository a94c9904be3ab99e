"""Sharded alignment with eflomal priors, bounded-memory projection, progress lines (issue 16)."""

import io
from pathlib import Path
from importlib.resources import files

import pytest

from projner.align.sharded import (Reservoir, corpus_iterations, learn_priors, lexical_counts, prior_counts,
                                   priors_lines)
from projner.config import ProjectionConfig, load_config
from projner.errors import ConfigError, InputError
from projner.io import read_conll
from projner.pipelines import project_corpus
from projner.pipelines_scale import align_sharded, project_sharded, shard_config
from projner.progress import LineProgress
from projner.types import Sentence

DATA = files("projner") / "data"


def _example(times: int = 1):
    src = list(read_conll(DATA / "example.en.conll")) * times
    tgt = [g.with_spans(()) for g in read_conll(DATA / "example.de.conll")] * times
    return src, tgt


def test_corpus_iterations_is_eflomals_formula():
    assert corpus_iterations(100) == (125, 125, 500)
    assert corpus_iterations(1_000_000) == (2, 1, 5)
    assert corpus_iterations(1_000_000, model=2) == (2, 5, 0)
    assert corpus_iterations(10**9) == (2, 1, 2)


def test_reservoir_is_bounded_uniform_and_seeded():
    a, b = Reservoir(10, seed=1), Reservoir(10, seed=1)
    for k in range(1000):
        a.add(k)
        b.add(k)
    assert a.items == b.items and len(a.items) == 10 and a.seen == 1000
    assert max(a.items) > 100  # not just the first ten
    with pytest.raises(ValueError):
        Reservoir(0)


def test_learn_priors_writes_one_eflomal_priors_file_per_prefix_length(tmp_path):
    src, tgt = _example(3)
    s_lines, t_lines = priors_lines([s.tokens for s in src], [t.tokens for t in tgt])
    paths = learn_priors(s_lines, t_lines, tmp_path, prefix_lens=(0, 4, 0), seed=1)
    assert paths == {0: tmp_path / "eflomal.priors", 4: tmp_path / "eflomal.prefix4.priors"}
    for plen, path in paths.items():
        text = path.read_text(encoding="utf-8").splitlines()
        assert {line.split("\t")[0] for line in text} == {"LEX", "FERF", "FERR", "HMMF", "HMMR"}
        lex = [line.split("\t") for line in text if line.startswith("LEX")]
        assert all(w == w.lower() for _, s, t, _ in lex for w in (s, t))
        longest = max(len(w) for _, s, t, _ in lex for w in (s, t))
        assert longest == 4 if plen else longest > 4  # stems in the stem run
        # the reverse direction's file: the same jumps and fertilities, word pairs counted from the reverse links
        rev = (tmp_path / ("eflomal.reverse.priors" if not plen else "eflomal.prefix4.reverse.priors")).read_text()
        rev = rev.splitlines()
        assert [x for x in rev if not x.startswith("LEX")] == [x for x in text if not x.startswith("LEX")]
        assert [x for x in rev if x.startswith("LEX")] != [x for x in text if x.startswith("LEX")]


def test_lexical_counts_come_from_the_links_given():
    src, tgt = ["The house", "a house"], ["das Haus", "ein Haus"]
    fwd, rev = ["0-0 1-1", "1-1"], ["0-0 1-1 0-1", "0-0 1-1"]
    assert lexical_counts(src, tgt, fwd) == {("The", "das"): 1, ("house", "Haus"): 2}
    assert lexical_counts(src, tgt, rev) == {("The", "das"): 1, ("house", "Haus"): 2, ("The", "Haus"): 1,
                                             ("a", "ein"): 1}
    assert lexical_counts(["a b"], ["c d"], ["0-0 0-1 1-1"]) == {("a", "c"): 1, ("a", "d"): 1, ("b", "d"): 1}
    assert lexical_counts(["abcde x"], ["abcdf y"], ["0-0"], prefix_len=4) == {("abcd", "abcd"): 1}
    assert prior_counts(["a b"], ["c d"], ["0-0"], ["1-1"])[0] == {("a", "c"): 1}  # the forward links'


def test_each_direction_reads_its_own_priors(tmp_path):
    """reverse_priors: the forward run links each target word as its file says, the reverse run as its own file says."""
    from projner.align.eflomal import EflomalAligner

    fwd, rev = tmp_path / "fwd.priors", tmp_path / "rev.priors"
    fwd.write_text("LEX\tx\tb\t1000\nLEX\ty\tc\t1000\n")
    rev.write_text("LEX\tx\tc\t1000\nLEX\ty\tb\t1000\n")
    src, tgt = [["x", "y"]] * 6, [["b", "c"]] * 6
    for seed in (None, 3):
        al = EflomalAligner(priors=str(fwd), reverse_priors=str(rev), prefix_len=0, spelling_prior=0, seed=seed)
        f, r = al.directional(src, tgt)
        assert [a.links.tolist() for a in f] == [[[0, 0], [1, 1]]] * 6
        # x -> c and / or y -> b (the crossing pair: the jump model may leave one unlinked), never x -> b
        assert all(a.links.tolist() and {tuple(x) for x in a.links.tolist()} <= {(0, 1), (1, 0)} for a in r)
    f, r = EflomalAligner(priors=str(fwd), prefix_len=0, spelling_prior=0, seed=3).directional(src, tgt)
    assert all(a.links.tolist() and {tuple(x) for x in a.links.tolist()} <= {(0, 0), (1, 1)} for a in r)  # one file

def test_prior_counts_are_eflomals_plus_fertility_zero():
    import eflomal

    src, tgt = ["the house is red", "a house"], ["das haus ist rot", "ein haus"]
    fwd, rev = ["0-0 1-1 3-3", "1-1"], ["0-0 1-1 2-2 3-3", "0-0 1-1"]
    lex, jf, jr, ff, fr = prior_counts(src, tgt, fwd, rev)
    e_lex, e_jf, e_jr, e_ff, e_fr = eflomal.calculate_priors(src, tgt, fwd, rev)
    assert (lex, jf, jr) == (e_lex, e_jf, e_jr)
    # eflomal's own counts leave out the tokens without a link (fertility 0); the sampler counts them
    assert {k: v for k, v in ff.items() if k[1]} == e_ff and {k: v for k, v in fr.items() if k[1]} == e_fr
    assert ff[("is", 0)] == 1 and ff[("a", 0)] == 1 and ff[("house", 1)] == 2 and sum(fr.values()) == 6
    stems = prior_counts(src, tgt, fwd, rev, prefix_len=3)
    assert stems[0][("hou", "hau")] == 2 and stems[3][("the", 1)] == 1


def test_priors_lines_never_contain_tabs():
    s, t = priors_lines([["a\tb", "C"]], [["d"]])
    assert s == ["a_b c"] and t == ["d"]


def test_sharded_projection_equals_one_pass_with_a_deterministic_aligner():
    src, tgt = _example(4)
    cfg = ProjectionConfig(aligner="lexical")
    whole, _ = project_corpus(src, tgt, cfg)
    st: dict = {}
    sharded = list(project_sharded(lambda: (iter(src), iter(tgt)), cfg, shard_size=7, stats=st))
    assert sharded == whole
    assert st["shards"] == -(-len(src) // 7) and st["pairs"] == len(src) and not st["priors"]
    assert st["projected"] == sum(len(s.spans) for s in whole)


def test_large_corpus_learns_priors_once_and_aligns_every_pair():
    src, tgt = _example(6)
    cfg = load_config(None, {"seed": 2, "aligner_options": {"eflomal": {"prefix_len": 0}}})  # eflomal+lexical
    st: dict = {}
    lines = io.StringIO()
    out = list(project_sharded(lambda: (iter(src), iter(tgt)), cfg, shard_size=25, sample_size=40, stats=st,
                               progress=LineProgress(lines, interval=0)))
    assert st["priors"] and st["shards"] == 3 and st["pairs"] == len(src) == len(out)
    assert [o.tokens for o in out] == [t.tokens for t in tgt]
    log = lines.getvalue().splitlines()
    assert log[0] == "learning eflomal priors from 40 sampled pairs"
    assert [x.split(" pairs")[0] for x in log if x.startswith("align:")] == [
        "align: 25/60", "align: 50/60", "align: 60/60"]
    assert sum(x.startswith("project:") for x in log) == len(src)


def test_shard_config_reads_priors_without_the_bitext():
    cfg = ProjectionConfig(bitext=[("a.en", "a.de")], aligner_options={"eflomal": {"null_prior": 0.3}})
    sc = shard_config(cfg, "/x/p.priors", 1_000_000)
    assert sc.bitext == [] and cfg.bitext == [("a.en", "a.de")]
    assert sc.aligner_options["eflomal"] == {"null_prior": 0.3, "priors": "/x/p.priors", "n_iterations": (2, 1, 5)}
    assert sc.lowercase is True
    per_prefix = shard_config(cfg, {0: "/x/eflomal.priors", 4: "/x/eflomal.prefix4.priors"}, 100,
                              {0: "/x/eflomal.reverse.priors", 4: "/x/eflomal.prefix4.reverse.priors"})
    assert per_prefix.aligner_options["eflomal"]["priors"] == {0: "/x/eflomal.priors", 4: "/x/eflomal.prefix4.priors"}
    assert per_prefix.aligner_options["eflomal"]["reverse_priors"] == {0: "/x/eflomal.reverse.priors",
                                                                       4: "/x/eflomal.prefix4.reverse.priors"}


def test_eflomal_priors_per_prefix_length_must_cover_every_run(tmp_path):
    from projner.align import build_aligner
    from projner.align.eflomal import EflomalAligner

    p = tmp_path / "p0"
    p.write_text("")
    with pytest.raises(ConfigError, match="priors: no file for prefix length 4"):
        build_aligner("eflomal", {"eflomal": {"priors": {0: str(p)}}})
    al = build_aligner("eflomal", {"eflomal": {"priors": {0: str(p)}, "prefix_len": 0}})
    assert isinstance(al, EflomalAligner) and al.priors == {0: str(p)}
    with pytest.raises(ValueError, match="priors: no file for prefix length 4"):
        EflomalAligner(priors={0: str(p)})
    with pytest.raises(ConfigError, match="reverse_priors: no file for prefix length 4"):
        build_aligner("eflomal", {"eflomal": {"priors": {0: str(p), 4: str(p)}, "reverse_priors": {0: str(p)}}})
    with pytest.raises(ConfigError, match="priors file not found: /nowhere"):
        build_aligner("eflomal", {"eflomal": {"reverse_priors": "/nowhere"}})


def test_align_sharded_matches_unsharded_for_lexical_links():
    src, tgt = _example(2)
    cfg = ProjectionConfig(aligner="lexical")
    from projner.pipelines import align_corpus

    assert list(align_sharded(lambda: (iter(src), iter(tgt)), cfg, shard_size=4)) == align_corpus(src, tgt, cfg)


def test_length_mismatch_and_bad_options_are_refused():
    src, tgt = _example()
    cfg = ProjectionConfig(aligner="lexical")
    with pytest.raises(InputError, match="9 target sentences but 10 source sentences in s.conll"):
        list(project_sharded(lambda: (iter(src), iter(tgt[:-1])), cfg, paths=("s.conll", "t.txt")))
    with pytest.raises(InputError, match="no sentences"):
        list(project_sharded(lambda: (iter([]), iter([])), cfg))
    with pytest.raises(ConfigError, match="shard size"):
        list(project_sharded(lambda: (iter(src), iter(tgt)), cfg, shard_size=0))


def test_line_progress_reports_rate_and_eta_and_keeps_short_stages_quiet():
    out = io.StringIO()
    p = LineProgress(out, interval=3600)
    p.start("align", 10)
    p.advance("align", 4)
    p.advance("align", 6)
    assert out.getvalue() == ""  # finished within the interval: nothing printed
    p = LineProgress(out, interval=0)
    p.start("align", 10)
    p.advance("align", 4)
    p.advance("align", 6)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("align: 4/10 pairs (40%), ") and " pairs/s, ETA " in lines[0]
    assert lines[1].startswith("align: 10/10 pairs (100%), ") and lines[1].endswith(" pairs/s, ETA 0:00:00")


def test_sentences_round_trip_in_shards_keep_order():
    src = [Sentence([f"w{k}"]) for k in range(11)]
    tgt = [Sentence([f"v{k}"]) for k in range(11)]
    out = list(project_sharded(lambda: (iter(src), iter(tgt)), ProjectionConfig(aligner="lexical"), shard_size=3))
    assert [o.tokens for o in out] == [t.tokens for t in tgt]


def test_device_and_batch_size_reach_every_encoder():
    from projner.devices import apply_device

    cfg = ProjectionConfig(aligner="eflomal+embedding", encoder="/m")
    out = apply_device(cfg, "cpu", 8)
    assert out.aligner_options["embedding"] == {"device": "cpu", "batch_size": 8}
    from projner.align import Shared, build_aligner

    emb = build_aligner(out.aligner, out.aligner_options, Shared(encoder=out.encoder)).members[1]
    assert (emb.encoder.settings.device, emb.encoder.batch_size, emb.model_name) == ("cpu", 8, "/m")
    vote = apply_device(ProjectionConfig(aligner="embedding-vote"), "cpu", None)
    assert vote.aligner_options["embedding-vote"] == {"options": {"embedding": {"device": "cpu"}}}
    rescue = apply_device(ProjectionConfig(aligner="embedding-rescue"), None, 4)
    assert rescue.aligner_options["embedding-rescue"] == {"embedding": {"batch_size": 4}}
    assert apply_device(ProjectionConfig(), "cpu", 8) == ProjectionConfig()  # no encoder: unchanged


def test_bad_device_settings_are_refused_before_work():
    from projner.devices import apply_device, resolve_device

    cfg = ProjectionConfig(aligner="embedding")
    with pytest.raises(ConfigError, match="--device must be cpu, cuda, cuda:N or auto, not 'gpu'"):
        apply_device(cfg, "gpu", None)
    with pytest.raises(ConfigError, match="--batch-size must be a positive integer"):
        apply_device(cfg, "cpu", 0)
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="torch sees no CUDA device; install a CUDA build of torch"):
            resolve_device("cuda")
        assert resolve_device("auto") == "cpu"


def test_ray_only_options_and_unknown_engines_are_refused():
    from projner.commands.scale import check_engine

    with pytest.raises(ConfigError, match="^--engine must be local or ray, not 'spark'$"):
        check_engine("spark")
    with pytest.raises(ConfigError, match="^--address needs --engine ray$"):
        check_engine("local", "auto")
    with pytest.raises(ConfigError, match="^--workdir needs --engine ray$"):
        check_engine("local", None, "w")
    check_engine("local")


def test_sharded_default_eflomal_reads_the_priors_of_its_own_prefix_length(tmp_path, monkeypatch):
    from projner.align.eflomal import EflomalAligner

    src, tgt = _example(6)
    cfg = load_config(None, {"seed": 2, "aligner": "eflomal"})  # runs on surface forms and 4-character stems
    read: list = []
    orig = EflomalAligner._directional

    def spy(self, s, t, prefix_len=None):
        read.append((prefix_len, Path(self.priors[prefix_len]).name, Path(self.reverse_priors[prefix_len]).name))
        return orig(self, s, t, prefix_len)

    monkeypatch.setattr(EflomalAligner, "_directional", spy)
    st: dict = {}
    aligns = list(align_sharded(lambda: (iter(src), iter(tgt)), cfg, shard_size=25, sample_size=40, stats=st,
                                workdir=tmp_path))
    assert st["priors"] and len(aligns) == len(src) and any(len(a) for a in aligns)
    assert read == [(0, "eflomal.priors", "eflomal.reverse.priors"),
                    (4, "eflomal.prefix4.priors", "eflomal.prefix4.reverse.priors")] * 3


def test_pipelined_run_writes_what_the_sequential_run_writes(tmp_path):
    from projner.io import write_sentences
    from projner.io.talp import format_talp

    src, tgt = _example(6)
    cfg = load_config(None, {"seed": 3})  # the default aligner: eflomal (surface forms + stems) + lexical
    outputs = {}
    for pipeline in (False, True):
        st: dict = {}
        links: list = []
        out = tmp_path / f"out.{pipeline}.conll"
        write_sentences(out, project_sharded(lambda: (iter(src), iter(tgt)), cfg, shard_size=25, sample_size=40,
                                             stats=st, on_alignment=links.append, pipeline=pipeline), "conll")
        assert st["pipelined"] is pipeline and st["priors"] and st["shards"] == 3 and st["pairs"] == len(src)
        assert (st["worker"]["align"] > 0) is pipeline
        outputs[pipeline] = out.read_bytes(), [format_talp(a) for a in links]
    assert outputs[True] == outputs[False]


def test_one_shard_is_not_pipelined():
    src, tgt = _example(1)
    st: dict = {}
    list(project_sharded(lambda: (iter(src), iter(tgt)), ProjectionConfig(aligner="lexical"), stats=st))
    assert st["shards"] == 1 and not st["pipelined"] and st["worker"] == {"priors": 0.0, "align": 0.0}



def test_pipelined_errors_reach_the_caller_and_an_early_stop_ends_the_worker(monkeypatch):
    from projner.align.lexical import LexicalAligner
    from projner.errors import ModelError

    src, tgt = _example(6)
    cfg = ProjectionConfig(aligner="lexical")
    stream = project_sharded(lambda: (iter(src), iter(tgt)), cfg, shard_size=25)
    first = next(stream)
    stream.close()  # the consumer stops: the worker thread is shut down, nothing hangs
    assert first.tokens == tgt[0].tokens
    calls = []
    real = LexicalAligner.align

    def fail_on_third_shard(self, s, t):
        calls.append(len(s))
        if len(calls) == 3:
            raise ModelError("aligner failed")
        return real(self, s, t)

    monkeypatch.setattr(LexicalAligner, "align", fail_on_third_shard)
    st: dict = {}
    out = []
    with pytest.raises(ModelError, match="aligner failed"):
        for sent in project_sharded(lambda: (iter(src), iter(tgt)), cfg, shard_size=25, stats=st):
            out.append(sent)
    assert st["pipelined"] and len(out) == 50  # the first two shards were written, then the error


def test_split_aligner_moves_only_lexical_members_to_the_caller():
    from projner.resolve import make_aligner
    from projner.shard_worker import SplitAligner

    src, tgt = _example(1)
    s, t = [x.tokens for x in src], [x.tokens for x in tgt]
    for spec, split in (("eflomal+lexical", True), ("lexical+eflomal", False), ("lexical", False)):
        cfg = load_config(None, {"aligner": spec, "seed": 1})
        aligner = SplitAligner(lambda: make_aligner(cfg))
        assert aligner._split() is split
        whole = make_aligner(cfg).align(s, t)
        assert aligner.finish(aligner.first(s, t), s, t) == whole
