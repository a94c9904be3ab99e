"""Hugging Face datasets and spaCy DocBin: read and write, no silent fallbacks."""

import json

import pytest

from projner.errors import InputError
from projner.io import output_format, read_sentences, write_sentences
from projner.types import Sentence, Span

datasets = pytest.importorskip("datasets")

SENTS = [Sentence("Peter Smith lives in New York .".split(), [Span(0, 2, "PER"), Span(4, 6, "LOC")]),
         Sentence("The EU met .".split(), [Span(1, 2, "ORG")]),
         Sentence(["Nothing"])]


@pytest.mark.parametrize("name,fmt", [("d.parquet", "auto"), ("d_disk", "hf"), ("d.jsonl", "hf-jsonl"),
                                      ("d.spacy", "auto")])
def test_round_trip(tmp_path, name, fmt):
    if fmt == "auto" and name.endswith(".spacy"):
        pytest.importorskip("spacy")
    p = tmp_path / name
    assert write_sentences(p, SENTS, fmt) == 3
    assert list(read_sentences(p)) == SENTS


def test_classlabel_names_are_iob2_and_integer(tmp_path):
    write_sentences(tmp_path / "d.parquet", SENTS)
    ds = datasets.Dataset.from_parquet(str(tmp_path / "d.parquet"))
    assert ds.features["ner_tags"].feature.names == ["O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PER", "I-PER"]
    assert ds[0]["ner_tags"] == [5, 6, 0, 0, 1, 2, 0]
    assert ds[0]["tokens"][:2] == ["Peter", "Smith"]


def test_string_tags_and_splits_from_save_to_disk(tmp_path):
    d = datasets.DatasetDict({
        "train": datasets.Dataset.from_dict({"tokens": [["a", "Paris"]], "ner_tags": [["O", "B-LOC"]]}),
        "test": datasets.Dataset.from_dict({"tokens": [["Rome", "b"]], "ner_tags": [["I-LOC", "O"]]}),
    })
    d.save_to_disk(str(tmp_path / "dd"))
    with pytest.raises(InputError, match=r"dd: a DatasetDict with the splits train, test: name one, e\.g\. .*dd/train$"):
        list(read_sentences(tmp_path / "dd"))
    assert list(read_sentences(tmp_path / "dd" / "train"))[0].spans == (Span(1, 2, "LOC"),)
    with pytest.raises(InputError, match=r"test: 1 tag breaks IOB2 \(row 1: I-LOC after the sentence start\)"):
        list(read_sentences(tmp_path / "dd" / "test"))
    assert list(read_sentences(tmp_path / "dd" / "test", repair=True))[0].spans == (Span(0, 1, "LOC"),)
    # unlabelled reading needs only tokens
    assert list(read_sentences(tmp_path / "dd" / "test", labels=False))[0].spans == ()


def test_hf_jsonl_conventions(tmp_path):
    p = tmp_path / "hf.jsonl"
    p.write_text('{"tokens": ["Angela", "Merkel"], "ner_tags": ["B-PER", "I-PER"]}\n', encoding="utf-8")
    assert list(read_sentences(p))[0].spans == (Span(0, 2, "PER"),)
    p.write_text('{"tokens": ["Angela", "Merkel"], "ner_tags": [1, 2]}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"hf.jsonl:1: 'ner_tags' holds integers, whose label names a JSON file"):
        list(read_sentences(p))
    p.write_text(json.dumps({"tokens": ["Merkel"], "entities": [{"start": 0, "end": 1, "type": "PER"}]}) + "\n")
    with pytest.raises(InputError, match=r"hf.jsonl:1: labels under 'entities' are not a convention projner reads"):
        list(read_sentences(p))


def test_output_names_projner_cannot_write_are_refused(tmp_path):
    with pytest.raises(InputError, match=r"x\.out: cannot tell the output format from the name"):
        output_format(tmp_path / "x.out")
    with pytest.raises(InputError, match=r"x\.spacy\.gz: spacy output cannot be gzip-compressed"):
        output_format(tmp_path / "x.spacy.gz")
    assert [output_format(tmp_path / n) for n in ("a.conll.gz", "a.jsonl", "a.parquet", "a.spacy", "a.txt")] == [
        "conll", "jsonl", "parquet", "spacy", "conll"]
    assert output_format(tmp_path / "folder", "hf") == "hf"
