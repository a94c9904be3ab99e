"""benchmarks/portuguese.py finds its models without downloading anything and refuses
clearly when it cannot (issue 13). Nothing here loads a model or runs a pipeline."""

import gzip
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import portuguese  # noqa: E402
import portuguese_taggers as pt  # noqa: E402


def hf_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text("{}", encoding="utf-8")
    return path


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("PROJNER_ENCODER", "PROJNER_EN_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PROJNER_MODELS", str(tmp_path / "models-root"))
    return tmp_path


def test_encoder_default_is_the_shared_e5_small(clean_env):
    enc = hf_folder(clean_env / "models-root" / "e5-small")
    assert pt.find_encoder(None) == enc


def test_encoder_from_the_environment_wins_over_the_default(clean_env, monkeypatch):
    hf_folder(clean_env / "models-root" / "e5-small")
    other = hf_folder(clean_env / "other")
    monkeypatch.setenv("PROJNER_ENCODER", str(other))
    assert pt.find_encoder(None) == other


def test_no_encoder_says_what_to_give(clean_env):
    with pytest.raises(pt.SetupError) as err:
        pt.find_encoder(None)
    assert str(err.value) == (
        f"no multilingual encoder: {clean_env / 'models-root' / 'e5-small'} does not exist and PROJNER_ENCODER "
        "is not set. Give --encoder DIR (a transformers folder of a multilingual encoder, e.g. "
        "multilingual-e5-small; nothing is downloaded) or use --tagger crf")


def test_given_encoder_must_be_a_transformers_folder(clean_env, monkeypatch):
    (clean_env / "empty").mkdir()
    with pytest.raises(pt.SetupError, match=r"^--encoder .*empty: not a transformers model folder \(no config.json\)$"):
        pt.find_encoder(str(clean_env / "empty"))
    monkeypatch.setenv("PROJNER_ENCODER", str(clean_env / "nowhere"))
    with pytest.raises(pt.SetupError, match=r"^PROJNER_ENCODER=.*nowhere: not a transformers model folder"):
        pt.find_encoder(None)


def test_english_model_order(clean_env, monkeypatch):
    cache, enc = clean_env / "cache", clean_env / "e5-small"
    own = cache / "models" / "en-hf-e5-small-14041"
    assert pt.find_en_model(None, cache, enc, 14041) == (own, True)  # nothing yet: train it there
    hf_folder(own)
    assert pt.find_en_model(None, cache, enc, 14041) == (own, False)
    shared = hf_folder(clean_env / "models-root" / "models" / "e5-en-conll")
    assert pt.find_en_model(None, cache, enc, 14041) == (shared, False)
    env = hf_folder(clean_env / "env-model")
    monkeypatch.setenv("PROJNER_EN_MODEL", str(env))
    assert pt.find_en_model(None, cache, enc, 14041) == (env, False)
    given = hf_folder(clean_env / "given")
    assert pt.find_en_model(str(given), cache, enc, 14041) == (given, False)
    with pytest.raises(pt.SetupError, match=r"^--en-model .*missing: not a transformers tagger folder"):
        pt.find_en_model(str(clean_env / "missing"), cache, enc, 14041)


def test_benchmark_exits_2_without_an_encoder(clean_env, capsys):
    out = clean_env / "out.json"
    with pytest.raises(SystemExit) as exc:
        portuguese.main(["--data", str(clean_env), "--split", "test", "--json", str(out)])
    assert exc.value.code == 2
    assert capsys.readouterr().err.startswith("portuguese.py: error: no multilingual encoder: ")
    assert not out.exists()


def test_benchmark_exits_2_without_the_split(clean_env, capsys):
    english = clean_env / "easy_label_projection_ner" / "original" / "en" / "en.conll.train.tsv.gz"
    english.parent.mkdir(parents=True)
    with gzip.open(english, "wt", encoding="utf-8") as f:
        f.write("Paris B-LOC\n\n")
    with pytest.raises(SystemExit) as exc:
        portuguese.main(["--data", str(clean_env), "--split", "test", "--tagger", "crf"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err == (f"portuguese.py: error: {clean_env / 'portuguese_ner' / 'test.txt.gz'}: no such file "
                   "(--data must hold portuguese_ner/test.txt.gz)\n")


def test_defaults_are_the_measured_configuration():
    args = portuguese.parse_args(["--data", "x"])
    assert (args.tagger, args.train_size, args.min_votes, args.split) == ("hf", 0, None, "dev")
    assert portuguese.ENSEMBLE_MEMBERS == ("translate_train", "translate_test")
