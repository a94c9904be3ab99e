"""translate-train, translate-test, train and tag through the CLI, end to end on
tiny local models; bad inputs give one line, exit 2 and write nothing."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

pytest.importorskip("transformers")
pytest.importorskip("sklearn_crfsuite")

from projner.cli import main  # noqa: E402
from projner.io import read_sentences, write_conll  # noqa: E402
from projner.types import Sentence, Span  # noqa: E402

FIRST = ["John", "Maria", "Peter", "Anna", "Carlos", "Ingrid", "Tom", "Lucia"]
LAST = ["Smith", "Garcia", "Blackburn", "Schmidt", "Lopez", "Berg"]
CITY = ["Berlin", "Madrid", "Paris", "Brussels", "London", "Vienna"]
ORG = ["Siemens", "Reuters", "Bayer", "Telefonica"]


def parallel(n: int, seed: int) -> tuple[list[Sentence], list[Sentence]]:
    """English and German sentences with gold spans on both sides."""
    rng = random.Random(seed)
    en, de = [], []
    for _ in range(n):
        f, l, c, o = rng.choice(FIRST), rng.choice(LAST), rng.choice(CITY), rng.choice(ORG)
        k = rng.randrange(3)
        if k == 0:
            en.append(Sentence([f, l, "lives", "in", c, "."], [Span(0, 2, "PER"), Span(4, 5, "LOC")]))
            de.append(Sentence([f, l, "wohnt", "in", c, "."], [Span(0, 2, "PER"), Span(4, 5, "LOC")]))
        elif k == 1:
            en.append(Sentence(["Yesterday", f, "joined", o, "in", c, "."],
                               [Span(1, 2, "PER"), Span(3, 4, "ORG"), Span(5, 6, "LOC")]))
            de.append(Sentence(["Gestern", "kam", f, "zu", o, "nach", c, "."],
                               [Span(2, 3, "PER"), Span(4, 5, "ORG"), Span(6, 7, "LOC")]))
        else:
            en.append(Sentence(["The", "weather", "in", c, "was", "fine", "."], [Span(3, 4, "LOC")]))
            de.append(Sentence(["Das", "Wetter", "in", c, "war", "gut", "."], [Span(3, 4, "LOC")]))
    return en, de


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("transfer-data")
    en, de = parallel(60, 3)
    en_test, de_test = parallel(20, 4)
    write_conll(d / "en.train.conll", en)
    write_conll(d / "de.test.conll", de_test)
    write_conll(d / "en.test.conll", en_test)
    (d / "de.train.txt").write_text("".join(" ".join(s.tokens) + "\n" for s in de), encoding="utf-8")
    (d / "de.short.txt").write_text("".join(" ".join(s.tokens) + "\n" for s in de[:-1]), encoding="utf-8")
    (d / "en.test.txt").write_text("".join(" ".join(s.tokens) + "\n" for s in en_test), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def marian_ct2(marian, tmp_path_factory):
    pytest.importorskip("ctranslate2")
    from projner.translate.ct2 import convert_model

    return convert_model(marian, tmp_path_factory.mktemp("ct2") / "model")


@pytest.fixture(scope="module")
def en_crf(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "en-crf"
    assert main(["train", str(data / "en.train.conll"), "-o", str(out), "--max-iterations", "30"]) == 0
    return out


def run_cli(args, capsys):
    code = main([str(a) for a in args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def assert_one_line_error(code, err, *needles):
    assert code == 2, err
    lines = [l for l in err.strip().splitlines() if l.startswith("projner: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], lines[0]


# -- translate-train -------------------------------------------------------------
def test_translate_train_file_translations_train_and_eval(data, tmp_path, capsys):
    run = tmp_path / "run"
    code, out, err = run_cli(["translate-train", data / "en.train.conll", "-o", run,
                              "--translations", data / "de.train.txt", "--tokenize", "whitespace",
                              "--train", "crf", "--max-iterations", "30", "--eval", data / "de.test.conll",
                              "--json", tmp_path / "summary.json"], capsys)
    assert code == 0, err
    for name in ("translations.txt", "target.txt", "projected.conll", "alignments.talp", "train.json",
                 "scores.json", "manifest.json"):
        assert (run / name).is_file(), name
    assert (run / "model" / "model.crfsuite").is_file()
    projected = list(read_sentences(run / "projected.conll", "conll"))
    assert len(projected) == 60
    _, gold_de = parallel(60, 3)
    agree = sum(len(set(p.spans) & set(g.spans)) for p, g in zip(projected, gold_de))
    assert agree / sum(len(g.spans) for g in gold_de) > 0.8  # names are identical: projection is easy
    scores = json.loads((run / "scores.json").read_text())
    assert scores["overall"]["f1"] > 0.5
    assert "F1" in out
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["projected_entities"] > 0
    # a rerun reuses every finished step
    code, out, err = run_cli(["translate-train", data / "en.train.conll", "-o", run,
                              "--translations", data / "de.train.txt", "--tokenize", "whitespace",
                              "--train", "crf", "--max-iterations", "30", "--eval", data / "de.test.conll"], capsys)
    assert code == 0 and "reused finished steps: translate, project, train, evaluate" in err



# -- translate-train with tokenised (CoNLL / JSONL) translations ------------------------
DOC_EN = [  # (tokens, tags); None = a -DOCSTART- block
    None,
    ("John Smith lives in Berlin .", "B-PER I-PER O O B-LOC O"),
    None,
    ("Yesterday Maria joined Siemens in Madrid .", "O B-PER O B-ORG O B-LOC O"),
    ("The weather in Paris was fine .", "O O O B-LOC O O O"),
]
# the translations keep the English blocks line for line; the second -DOCSTART- was
# mangled by the MT system (as in the DeepL German files); labels are junk (ignored);
# "Gestern," and "wohnt-in" would be split by the word tokenizer
DOC_DE = [
    "-DOCSTART-",
    "John Smith wohnt-in Berlin .",
    "-OCSTART-",
    "Gestern, kam Maria zu Siemens nach Madrid .",
    "Das Wetter in Paris war gut .",
]
DOC_DE_TOKENS = [DOC_DE[1].split(), DOC_DE[3].split(), DOC_DE[4].split()]
DOC_DE_SPANS = [
    [Span(0, 2, "PER"), Span(3, 4, "LOC")],
    [Span(2, 3, "PER"), Span(4, 5, "ORG"), Span(6, 7, "LOC")],
    [Span(3, 4, "LOC")],
]


def write_doc_en(path: Path) -> Path:
    blocks = []
    for b in DOC_EN:
        if b is None:
            blocks.append("-DOCSTART- O\n")
        else:
            blocks.append("".join(f"{t} {g}\n" for t, g in zip(b[0].split(), b[1].split())))
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def write_doc_de_conll(path: Path, blocks=DOC_DE) -> Path:
    """Space-separated TOKEN TAG lines like the DeepL tsv files; gzip by the name."""
    import gzip

    text = "\n".join("".join(f"{t} {'B-PER' if i == 0 else 'O'}\n" for i, t in enumerate(b.split())) for b in blocks)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def check_projected(run: Path) -> None:
    projected = list(read_sentences(run / "projected.conll", "conll"))
    assert [list(p.tokens) for p in projected] == DOC_DE_TOKENS
    assert [sorted(p.spans) for p in projected] == [sorted(s) for s in DOC_DE_SPANS]
    assert (run / "target.txt").read_text(encoding="utf-8").splitlines() == [" ".join(t) for t in DOC_DE_TOKENS]


def test_translate_train_conll_translations_with_docstart(tmp_path, capsys):
    en = write_doc_en(tmp_path / "en.train.tsv")
    de = write_doc_de_conll(tmp_path / "DeepL.de.train.tsv.gz")  # detected as CoNLL by content
    run = tmp_path / "run"
    code, out, err = run_cli(["translate-train", en, "-o", run, "--translations", de, "-a", "lexical"], capsys)
    assert code == 0, err
    assert "projected 6 of 6 entities onto 3 translated sentences" in out
    check_projected(run)
    # the same from a config file, format given explicitly; --tokenize word does not re-split
    cfg = tmp_path / "run.yaml"
    cfg.write_text(f"source: {en}\ntranslate:\n  backend: file\n  path: {de}\n  format: conll\n  tokenize: word\n"
                   "projection:\n  aligner: lexical\n", encoding="utf-8")
    code, out, err = run_cli(["translate-train", "-c", cfg, "-o", tmp_path / "run2"], capsys)
    assert code == 0, err
    check_projected(tmp_path / "run2")


def test_translate_train_jsonl_translations(tmp_path, capsys):
    en = write_doc_en(tmp_path / "en.train.conll")
    de = tmp_path / "de.train.jsonl"
    de.write_text("".join(json.dumps({"tokens": t, "spans": [[0, 1, "MISC"]]}) + "\n" for t in DOC_DE_TOKENS),
                  encoding="utf-8")
    run = tmp_path / "run"
    code, out, err = run_cli(["translate-train", en, "-o", run, "--translations", de, "-a", "lexical",
                              "--tokenize", "word"], capsys)
    assert code == 0, err
    check_projected(run)
    # forced to plain text, the same file is one JSON object per line: a different target
    code, out, err = run_cli(["translate-train", en, "-o", tmp_path / "run-text", "--translations", de,
                              "--translations-format", "text", "-a", "lexical"], capsys)
    assert code == 0, err
    assert (tmp_path / "run-text" / "target.txt").read_text(encoding="utf-8").startswith('{ "')


def test_translate_train_hf_and_ct2_from_config(data, marian, marian_ct2, tmp_path, capsys):
    for backend, model in (("hf", marian), ("ct2", marian_ct2)):
        cfg = tmp_path / f"{backend}.yaml"
        cfg.write_text(
            f"source: {data / 'en.train.conll'}\n"
            f"translate:\n  backend: {backend}\n  model: {model}\n  beam_size: 1\n  max_length: 12\n"
            f"  cache: {tmp_path / 'cache.sqlite'}\n"
            "projection:\n  aligner: eflomal+lexical\n  method: greedy\n",
            encoding="utf-8",
        )
        run = tmp_path / f"run-{backend}"
        code, out, err = run_cli(["translate-train", "-c", cfg, "-o", run], capsys)
        assert code == 0, err
        translations = (run / "translations.txt").read_text(encoding="utf-8").splitlines()
        assert len(translations) == 60
        assert len(list(read_sentences(run / "projected.conll", "conll"))) == 60
    # the cache holds both backends' translations under different keys
    import sqlite3

    assert sqlite3.connect(tmp_path / "cache.sqlite").execute("SELECT COUNT(*) FROM tr").fetchone()[0] >= 2


# -- translate-test and model transfer -----------------------------------------------
def test_translate_test_with_gold_and_baseline(data, en_crf, tmp_path, capsys):
    run = tmp_path / "tt"
    # "translations" of the German test set back into English: the English test sentences
    code, out, err = run_cli(["translate-test", data / "de.test.conll", "-o", run, "--tagger", en_crf,
                              "--translations", data / "en.test.txt", "--tokenize", "whitespace",
                              "--baseline", en_crf], capsys)
    assert code == 0, err
    for name in ("translations.txt", "source.txt", "tagged.conll", "predictions.conll", "alignments.talp",
                 "scores.json", "baseline.conll", "baseline_scores.json"):
        assert (run / name).is_file(), name
    preds = list(read_sentences(run / "predictions.conll", "conll"))
    gold = list(read_sentences(data / "de.test.conll", "conll"))
    assert [p.tokens for p in preds] == [g.tokens for g in gold]  # labels on the original target words
    scores = json.loads((run / "scores.json").read_text())
    assert scores["overall"]["f1"] > 0.5
    assert "translate-test: P" in out and "model transfer: P" in out


def test_translate_test_with_conll_translations(data, en_crf, tmp_path, capsys):
    # the English test set as tokenised CoNLL "translations" (labels ignored) gives
    # the same predictions as the same tokens one per line
    code, out, err = run_cli(["translate-test", data / "de.test.conll", "-o", tmp_path / "conll", "--tagger", en_crf,
                              "--translations", data / "en.test.conll", "-a", "lexical"], capsys)
    assert code == 0, err
    code, out, err = run_cli(["translate-test", data / "de.test.conll", "-o", tmp_path / "text", "--tagger", en_crf,
                              "--translations", data / "en.test.txt", "--tokenize", "whitespace", "-a", "lexical"],
                             capsys)
    assert code == 0, err
    for name in ("source.txt", "tagged.conll", "predictions.conll"):
        assert (tmp_path / "conll" / name).read_text() == (tmp_path / "text" / name).read_text(), name


def test_translate_test_with_tiny_model_runs(data, en_crf, marian, tmp_path, capsys):
    run = tmp_path / "tt-hf"
    code, out, err = run_cli(["translate-test", data / "de.test.conll", "-o", run, "--tagger", en_crf,
                              "--translator", "hf", "--model", marian, "--beam-size", "1", "--max-length", "10"],
                             capsys)
    assert code == 0, err
    assert len(list(read_sentences(run / "predictions.conll", "conll"))) == 20


# -- train and tag ---------------------------------------------------------------------
def test_train_and_tag(data, en_crf, tmp_path, capsys):
    out_file = tmp_path / "tagged.conll"
    code, out, err = run_cli(["tag", en_crf, data / "en.test.conll", "-o", out_file, "--score"], capsys)
    assert code == 0, err
    assert "F1" in out
    tagged = list(read_sentences(out_file, "conll"))
    assert len(tagged) == 20 and any(s.spans for s in tagged)
    # plain text input (raw text split by the word tokenizer)
    raw = tmp_path / "raw.txt"
    raw.write_text("John Smith lives in Berlin.\nThe weather in Paris was fine.\n", encoding="utf-8")
    code, _, err = run_cli(["tag", en_crf, raw, "-o", tmp_path / "raw.jsonl", "--input-format", "raw"], capsys)
    assert code == 0, err
    rows = [json.loads(l) for l in (tmp_path / "raw.jsonl").read_text().splitlines()]
    assert rows[0]["tokens"][-1] == "." and len(rows) == 2


def test_train_hf_tagger_option(data, tmp_path, capsys):
    from projner.ner.tiny import build_token_classifier

    base = build_token_classifier(tmp_path / "base", max_positions=40)
    code, out, err = run_cli(["train", data / "en.train.conll", "-o", tmp_path / "hf-ner", "--tagger", "hf",
                              "--base-model", base, "--epochs", "1"], capsys)
    assert code == 0, err
    assert (tmp_path / "hf-ner" / "config.json").is_file()
    head = json.loads((tmp_path / "hf-ner" / "projner.json").read_text())["head"]  # an NER base: its head goes on
    assert head["new"] == [] and head["kept"][0] == "O" and "B-PER" in head["kept"]
    code, _, err = run_cli(["tag", tmp_path / "hf-ner", data / "en.test.conll", "-o", tmp_path / "t.conll"], capsys)
    assert code == 0, err


# -- bad input: one line, exit 2, nothing written --------------------------------------
def test_unknown_model_path(data, tmp_path, capsys):
    run = tmp_path / "run"
    code, _, err = run_cli(["translate-train", data / "en.train.conll", "-o", run, "--translator", "hf",
                            "--model", tmp_path / "no-such-model"], capsys)
    assert_one_line_error(code, err, "no-such-model", "not found")
    assert not run.exists()
    code, _, err = run_cli(["translate-train", data / "en.train.conll", "-o", run, "--translator", "ct2",
                            "--model", tmp_path / "no-such-model"], capsys)
    assert_one_line_error(code, err, "not found")
    assert not run.exists()
    code, _, err = run_cli(["tag", tmp_path / "no-model", data / "en.test.conll", "-o", tmp_path / "o.conll"], capsys)
    assert_one_line_error(code, err, "not found")
    assert not (tmp_path / "o.conll").exists()


def test_wrong_language_code(data, tmp_path, capsys):
    from projner.translate.tiny import build_m2m100

    m2m = build_m2m100(tmp_path / "m2m")
    run = tmp_path / "run"
    code, _, err = run_cli(["translate-train", data / "en.train.conll", "-o", run, "--translator", "hf",
                            "--model", m2m, "--src-lang", "en", "--tgt-lang", "xx"], capsys)
    assert_one_line_error(code, err, "unknown target language code 'xx'")
    assert not run.exists()


def test_translation_file_with_wrong_line_count(data, en_crf, tmp_path, capsys):
    run = tmp_path / "run"
    code, _, err = run_cli(["translate-train", data / "en.train.conll", "-o", run,
                            "--translations", data / "de.short.txt"], capsys)
    assert_one_line_error(code, err, "de.short.txt", "59 lines but there are 60 sentences")
    assert not run.exists()
    code, _, err = run_cli(["translate-test", data / "de.test.conll", "-o", run, "--tagger", en_crf,
                            "--translations", data / "de.short.txt"], capsys)
    assert_one_line_error(code, err, "59 lines but there are 20 sentences")
    assert not run.exists()


def test_config_with_misspelt_key(data, tmp_path, capsys):
    run = tmp_path / "run"
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(f"source: {data / 'en.train.conll'}\ntranslate:\n  backend: file\n  path: {data / 'de.train.txt'}\n"
                   "  beam_sise: 3\n", encoding="utf-8")
    code, _, err = run_cli(["translate-train", "-c", cfg, "-o", run], capsys)
    assert_one_line_error(code, err, "bad.yaml", "beam_sise")
    assert not run.exists()
    toml = tmp_path / "bad.toml"
    toml.write_text(f'sourse = "{data / "en.train.conll"}"\n[translate]\nbackend = "file"\npath = "x"\n', encoding="utf-8")
    code, _, err = run_cli(["translate-train", "-c", toml, "-o", run], capsys)
    assert_one_line_error(code, err, "bad.toml", "sourse")
    assert not run.exists()
    code, _, err = run_cli(["translate-train", data / "en.train.conll", "-o", run, "--translations",
                            data / "de.train.txt", "--method", "magic"], capsys)
    assert_one_line_error(code, err, "method")
    assert not run.exists()


def test_train_refuses_to_overwrite_foreign_folder(data, tmp_path, capsys):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    code, _, err = run_cli(["train", data / "en.train.conll", "-o", target], capsys)
    assert_one_line_error(code, err, "refusing to overwrite")
    assert (target / "notes.txt").read_text() == "keep me"


def test_translate_train_projection_config_and_label_flags(data, tmp_path, capsys):
    """--projection-config brings a projection config file (as for 'projner project');
    flags override it; --ignore drops a label from the projection and the scores."""
    proj = tmp_path / "proj.yaml"
    proj.write_text("aligner: lexical\nmethod: heuristic\nprojection: {refine: false}\n")
    run = tmp_path / "run"
    code, out, err = run_cli(["translate-train", data / "en.train.conll", "-o", run,
                              "--translations", data / "de.train.txt", "--tokenize", "whitespace",
                              "--projection-config", proj, "--method", "greedy", "--ignore", "ORG",
                              "--train", "crf", "--max-iterations", "10", "--eval", data / "de.test.conll"], capsys)
    assert code == 0, err
    manifest = json.loads((run / "manifest.json").read_text())
    cfg = manifest["config"]["projection"]
    assert (cfg["aligner"], cfg["method"], cfg["ignore_labels"]) == ("lexical", "greedy", ["ORG"])
    assert cfg["projection"] == {"refine": False}
    projected = list(read_sentences(run / "projected.conll", "conll"))
    assert {s.label for p in projected for s in p.spans} == {"PER", "LOC"}
    scores = json.loads((run / "scores.json").read_text())
    assert set(scores["per_type"]) == {"PER", "LOC"}


def test_translate_train_bad_projection_config_is_located(data, tmp_path, capsys):
    proj = tmp_path / "proj.yaml"
    proj.write_text("aligner: lexical\nmethd: heuristic\n")
    run = tmp_path / "run"
    code, _, err = run_cli(["translate-train", data / "en.train.conll", "-o", run,
                            "--translations", data / "de.train.txt", "--projection-config", proj], capsys)
    assert_one_line_error(code, err, f"{proj}:2: unknown key 'methd'")
    assert not run.exists()
