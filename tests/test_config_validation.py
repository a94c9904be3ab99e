"""Invalid settings at any depth are refused when the configuration is loaded, with
FILE:LINE (or the command-line override they came from), before any work."""

from pathlib import Path

import pytest

from projner.cli import main
from projner.config import load_config, parse_overrides
from projner.errors import ConfigError, UsageError
from projner.options import check_components
from projner.registry import get, kinds, names

DATA = Path(__file__).resolve().parents[1] / "src" / "projner" / "data"
SRC, TGT = DATA / "example.en.conll", DATA / "example.de.conll"


def located(tmp_path, body: str) -> str:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(body)
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    return err.value.located().replace(str(cfg), "c.yaml")


@pytest.mark.parametrize("body, expected", [
    ("aligner: eflomal+lexical\naligner_options: {lexicall: {threshold: 5}}\n",
     "c.yaml:2: aligner_options.lexicall: unknown aligner 'lexicall' (known: backtranslation, caption-lexicon, "),
    ("aligner_options:\n  lexical: {threshold: 5}\n",
     "c.yaml:2: aligner_options.lexical.threshold: Input should be less than or equal to 1"),
    ("aligner_options:\n  lexical:\n    threshhold: 0.5\n",
     "c.yaml:3: aligner_options.lexical.threshhold: unknown option 'threshhold' for aligner 'lexical' (known: "
     "threshold, min_length, names_only, link_punctuation)"),
    ("aligner_options:\n  eflomal:\n    n_samplers: many\n",
     "c.yaml:3: aligner_options.eflomal.n_samplers: Input should be a valid integer"),
    ("aligner_options:\n  eflomal:\n    n_iterations: [1, -1, 1]\n",
     "c.yaml:3: aligner_options.eflomal.n_iterations.1: Input should be greater than or equal to 0"),
    ("aligner_options:\n  eflomal:\n    n_iterations: 5\n",  # eflomal wants one count per model stage
     "c.yaml:3: aligner_options.eflomal.n_iterations: Input should be a valid tuple"),
    ("aligner: embedding-vote\naligner_options:\n  embedding-vote:\n    members: [eflomal, 'embedding:argmax']\n"
     "    options:\n      eflomal: {lowercase: true, seeed: 1}\n",
     "c.yaml:6: aligner_options.embedding-vote.options.eflomal.seeed: unknown option 'seeed' for aligner 'eflomal'"),
    ("aligner: embedding-vote\naligner_options:\n  embedding-vote:\n    members: [eflomal, 'embedding:argmax']\n"
     "    options:\n      'embedding:argmax':\n        layer: -1\n",
     "c.yaml:7: aligner_options.embedding-vote.options.embedding:argmax.layer"),
    ("aligner: embedding-vote\naligner_options:\n  embedding-vote:\n    threshold: .nan\n",
     "c.yaml:4: aligner_options.embedding-vote.threshold: Input should be a finite number"),
    ("aligner_options:\n  embedding-vote:\n    members: [eflomal, 'lexical:argmax']\n",
     "c.yaml:3: aligner_options.embedding-vote.members.1: only embedding members take ':method'"),
    ("aligner_options:\n  embedding-vote:\n    members: [eflomal]\n    options: {lexical: {}}\n",
     "c.yaml:4: aligner_options.embedding-vote.options.lexical: unknown aligner 'lexical' (known: eflomal)"),
    ("aligner_options:\n  embedding-rescue:\n    embedding: {pooling: max}\n",
     "c.yaml:3: aligner_options.embedding-rescue.embedding"),
    ("aligner_options:\n  backtranslation:\n    same_language: {treshold: 0.5}\n",
     "c.yaml:3: aligner_options.backtranslation.same_language.treshold: unknown option 'treshold'"),
    ("aligner: giza\n", "c.yaml:1: aligner: unknown aligner 'giza'"),
    ("method: ilp\nprojection:\n  k: 0\n", "c.yaml:3: projection.k: Input should be greater than or equal to 1"),
    ("method: heuristic\nprojection:\n  min_ratio: 2\n", "c.yaml:3: projection.min_ratio"),
    ("method: ilp\nprojection:\n  extractor: {name: tagger, modle: x}\n", "c.yaml:3: projection.extractor"),
    ("method: ilp\nprojection:\n  scorers: [{name: lexicn}]\n",
     "c.yaml:3: projection.scorers.0: unknown scorer 'lexicn' (known: clip, lexicon)"),
])
def test_bad_settings_are_located(tmp_path, body, expected):
    assert located(tmp_path, body).startswith(expected)


def test_every_registered_component_refuses_an_unknown_option():
    seen = 0
    for kind in kinds():
        for name in names(kind):
            if getattr(get(kind, name), "Options", None) is None:
                continue
            with pytest.raises(Exception) as err:
                check_components(kind, {name: {"no_such_option": 1}})
            assert "no_such_option" in str(err.value)
            seen += 1
    assert seen >= 25  # aligners, projectors, candidates, scorers, translators, taggers


def test_dotted_overrides_parse_in_spacy_style():
    assert parse_overrides(["--projection.k", "2", "--aligner_options.eflomal.seed=1", "--a.b", "[6, 7]",
                            "--x.on", "--y.name", "none"]) == {
        "projection.k": 2, "aligner_options.eflomal.seed": 1, "a.b": [6, 7], "x.on": True, "y.name": "none"}
    with pytest.raises(UsageError, match="no such option: --frobnicate"):
        parse_overrides(["--frobnicate"])
    with pytest.raises(UsageError, match="unexpected extra argument 'stray'"):
        parse_overrides(["stray"])


def test_dotted_overrides_reach_the_config_and_are_named_in_errors(tmp_path):
    cfg = load_config(None, {"aligner": "lexical"}, dotted={"projection.k": 2, "aligner_options.lexical.threshold": 0.9})
    assert cfg.projection == {"k": 2} and cfg.aligner_options == {"lexical": {"threshold": 0.9}}
    with pytest.raises(ConfigError) as err:
        load_config(None, {}, dotted={"aligner_options.eflomal.seed": -1})
    assert str(err.value) == ("aligner_options.eflomal.seed: Input should be greater than or equal to 0 "
                              "(given as --aligner_options.eflomal.seed)")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_override_and_unknown_aligner_with_alignment(tmp_path, capsys):
    out = tmp_path / "o.conll"
    code, _, err = run(capsys, "project", SRC, TGT, "-o", out, "-a", "lexical", "--projection.k", "0")
    assert code == 2 and err == ("projner: error: projection.k: Input should be greater than or equal to 1 "
                                 "(given as --projection.k)\n")
    talp = tmp_path / "a.talp"
    talp.write_text("0-0\n")
    code, _, err = run(capsys, "project", SRC, TGT, "-o", out, "-a", "giza", "--alignment", talp)
    assert code == 2 and err.startswith("projner: error: aligner: unknown aligner 'giza' (known: ")
    assert not out.exists()
    code, _, _ = run(capsys, "project", SRC, TGT, "-o", out, "-a", "lexical", "--method", "heuristic",
                     "--aligner_options.lexical.threshold", "0.9", "--projection.merge_distance", "0")
    assert code == 0 and out.exists()


def test_translate_train_refuses_bad_projection_settings_before_translating(tmp_path, capsys):
    run_dir = tmp_path / "run"
    code, _, err = run(capsys, "translate-train", SRC, "-o", run_dir, "--translations", TGT, "-a", "lexical",
                       "--projection.aligner_options.lexical.min_length", "0")
    assert code == 2 and "projection.aligner_options.lexical.min_length" in err
    assert not (run_dir / "translations.txt").exists()
    # a problem only the building of the aligner finds (no encoder) is also found before translating
    code, _, err = run(capsys, "translate-train", SRC, "-o", run_dir, "--translations", TGT, "-a", "embedding")
    assert code == 2 and "needs an encoder" in err
    assert not (run_dir / "translations.txt").exists()
