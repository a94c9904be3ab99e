"""Round trips through the command line: HF dataset → project → HF dataset; → .spacy →
`spacy train`; output names projner cannot write refused; warnings for suspicious inputs."""

import subprocess
import sys
from importlib.resources import files

import pytest

from projner.cli import main
from projner.io import read_conll, read_sentences

DATA = files("projner") / "data"


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_hf_dataset_project_hf_dataset(tmp_path, capsys):
    datasets = pytest.importorskip("datasets")
    src = list(read_conll(DATA / "example.en.conll"))
    tgt = list(read_conll(DATA / "example.de.conll"))
    names = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
    feats = datasets.Features({"tokens": datasets.Sequence(datasets.Value("string")),
                               "ner_tags": datasets.Sequence(datasets.ClassLabel(names=names))})
    datasets.Dataset.from_dict({"tokens": [list(s.tokens) for s in src],
                                "ner_tags": [[names.index(t) for t in s.tags()] for s in src]},
                               features=feats).save_to_disk(str(tmp_path / "en"))
    datasets.Dataset.from_dict({"tokens": [list(s.tokens) for s in tgt]}).save_to_disk(str(tmp_path / "de"))
    out = tmp_path / "de-projected"
    code, _, err = run(["project", tmp_path / "en", tmp_path / "de", "-o", out, "--output-format", "hf",
                        "-a", "lexical"], capsys)
    assert code == 0, err
    ds = datasets.load_from_disk(str(out))
    assert ds.column_names == ["id", "tokens", "ner_tags"] and len(ds) == 10
    label_names = ds.features["ner_tags"].feature.names
    assert ds[0]["tokens"] == ["Angela", "Merkel", "besuchte", "am", "Montag", "Paris", "."]
    assert [label_names[t] for t in ds[0]["ner_tags"]] == ["B-PER", "I-PER", "O", "O", "O", "B-LOC", "O"]
    # and back in: the projected dataset reads as the same sentences as the CoNLL output
    code, _, _ = run(["project", tmp_path / "en", tmp_path / "de", "-o", tmp_path / "p.conll", "-a", "lexical"], capsys)
    assert list(read_sentences(out)) == list(read_sentences(tmp_path / "p.conll"))


def test_spacy_docbin_trains_one_epoch(tmp_path, capsys):
    pytest.importorskip("spacy")
    code, _, err = run(["project", DATA / "example.en.conll", DATA / "example.de.conll", "-o", tmp_path / "de.spacy",
                        "-a", "lexical"], capsys)
    assert code == 0, err
    from spacy.cli.init_config import init_config

    init_config(lang="xx", pipeline=["ner"], optimize="efficiency").to_disk(tmp_path / "config.cfg")
    proc = subprocess.run([sys.executable, "-m", "spacy", "train", "config.cfg", "--paths.train", "de.spacy",
                           "--paths.dev", "de.spacy", "--training.max_epochs", "1", "--output", "out"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "out" / "model-last" / "ner").is_dir()


def test_outputs_projner_cannot_write_are_refused_before_any_work(tmp_path, capsys):
    for name in ("x.out", "x.spacy.gz", "x.xml"):
        code, _, err = run(["project", DATA / "example.en.conll", DATA / "example.de.conll", "-o", tmp_path / name,
                            "-a", "lexical"], capsys)
        assert code == 2 and f"{tmp_path / name}: " in err and not (tmp_path / name).exists()
    code, _, err = run(["project", DATA / "example.en.conll", DATA / "example.de.conll", "-o",
                        tmp_path / "x.parquet", "-a", "lexical"], capsys)
    assert code == 0 and (tmp_path / "x.parquet").read_bytes()[:4] == b"PAR1"


def test_hf_jsonl_with_integer_tags_is_refused_not_read_as_unlabelled(tmp_path, capsys):
    src = tmp_path / "en.jsonl"
    src.write_text('{"tokens": ["Merkel", "visited", "Paris"], "ner_tags": [1, 0, 5]}\n', encoding="utf-8")
    tgt = tmp_path / "de.txt"
    tgt.write_text("Merkel besuchte Paris\n", encoding="utf-8")
    code, _, err = run(["project", src, tgt, "-o", tmp_path / "o.conll", "-a", "lexical"], capsys)
    assert code == 2 and f"{src}:1: 'ner_tags' holds integers" in err
    src.write_text('{"tokens": ["Merkel", "visited", "Paris"], "ner_tags": ["B-PER", "O", "B-LOC"]}\n')
    code, _, err = run(["project", src, tgt, "-o", tmp_path / "o.conll", "-a", "lexical"], capsys)
    assert code == 0 and err.startswith("projected 2 of 2 entities")


def test_swapped_files_blank_lines_and_glued_punctuation_warn(tmp_path, capsys):
    en = [" ".join(s.tokens) for s in read_conll(DATA / "example.en.conll")]
    (tmp_path / "en.txt").write_text("\n".join(en) + "\n", encoding="utf-8")
    code, _, err = run(["project", tmp_path / "en.txt", DATA / "example.de.conll", "-o", tmp_path / "o.conll",
                        "-a", "lexical"], capsys)
    assert code == 0 and err.splitlines()[0] == (
        f"projner: warning: {tmp_path / 'en.txt'} is plain text and {DATA / 'example.de.conll'} is conll: the files "
        "look swapped (projner project takes the labelled SOURCE first, then the TARGET sentences)")
    de = [" ".join(s.tokens).replace(" .", ".") for s in read_conll(DATA / "example.de.conll")]
    de[3] = ""
    (tmp_path / "de.txt").write_text("\n".join(de) + "\n", encoding="utf-8")
    code, _, err = run(["project", DATA / "example.en.conll", tmp_path / "de.txt", "-o", tmp_path / "o.conll",
                        "-a", "lexical"], capsys)
    assert code == 0
    assert err.splitlines()[:2] == [
        f"projner: warning: {tmp_path / 'de.txt'}: 1 blank line (line 4) read as an empty sentence: nothing is "
        "projected onto it",
        f"projner: warning: {tmp_path / 'de.txt'}: tokens carry punctuation ('Paris.', 'Plan.', 'York.', …): if this "
        "is untokenised text, --target-format raw splits it into words"]


def test_ignored_entities_are_not_counted_and_run_parents_are_created(tmp_path, capsys):
    de = tmp_path / "de.txt"
    de.write_text("\n".join(" ".join(s.tokens) for s in read_conll(DATA / "example.de.conll")) + "\n")
    code, out, err = run(["translate-train", DATA / "example.en.conll", "-o", tmp_path / "runs" / "de",
                          "--translations", de, "--tokenize", "whitespace", "-a", "lexical", "--ignore", "MISC"],
                         capsys)
    assert code == 0, err
    assert out.splitlines()[0] == (f"projected 13 of 20 entities onto 10 translated sentences → "
                                   f"{tmp_path / 'runs' / 'de' / 'projected.conll'}")
    code, _, err = run(["project", DATA / "example.en.conll", de, "-o", tmp_path / "p.conll", "-a", "lexical",
                        "--ignore", "MISC"], capsys)
    assert code == 0 and err.startswith("projected 13 of 20 entities onto 10 sentences")
