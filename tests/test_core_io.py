import gzip

import pytest

from projner.errors import InputError
from projner.io import (detect_format, read_conll, read_jsonl, read_sentences, read_talp, read_text,
                        write_conll, write_jsonl, write_talp)
from projner.types import Alignment, Sentence, Span


def write(tmp_path, name, text, gz=False):
    p = tmp_path / name
    if gz:
        with gzip.open(p, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def test_conll_columns_docstart_and_gzip(tmp_path):
    text = "-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\nPeter\tB-PER\nBlackburn\tI-PER\n"
    for gz in (False, True):
        p = write(tmp_path, "a.conll" + (".gz" if gz else ""), text, gz)
        sents = list(read_conll(p))
        assert [s.tokens for s in sents] == [("EU", "rejects", "German"), ("Peter", "Blackburn")]
        assert sents[0].spans == (Span(0, 1, "ORG"), Span(2, 3, "MISC"))
        assert sents[1].spans == (Span(0, 2, "PER"),)
        assert sents[1].meta["line"] == 7


def test_conll_schemes(tmp_path):
    p = write(tmp_path, "iob1.conll", "U.N.\tI-ORG\nofficial\tO\nEkeus\tI-PER\nheads\tO\n")
    with pytest.raises(InputError) as err:
        list(read_conll(p))
    assert str(err.value) == (
        f"{p}:1: 2 tags break IOB2 (line 1: I-ORG after the sentence start; line 3: I-PER after O): in IOB2 an I-X "
        "continues an X entity; --repair-tags reads a stray I-X as B-X (as seqeval does); --scheme iob1 reads IOB1 files")
    assert list(read_conll(p, scheme="iob1"))[0].spans == (Span(0, 1, "ORG"), Span(2, 3, "PER"))
    b = write(tmp_path, "b.conll", "New\tB-LOC\nYork\tE-LOC\nis\tO\nbig\tS-MISC\n")
    assert list(read_conll(b, scheme="bioes"))[0].spans == (Span(0, 2, "LOC"), Span(3, 4, "MISC"))
    with pytest.raises(InputError, match=r"b.conll:2: 2 tags break IOB2 \(line 2: E-LOC is a BIOES tag; "
                       r"line 4: S-MISC is a BIOES tag\): --scheme bioes \(or auto\) reads BIOES files$"):
        list(read_conll(b))


def test_conll_errors_name_file_and_line(tmp_path):
    p = write(tmp_path, "bad.conll", "a\tO\nb\n")
    with pytest.raises(InputError) as err:
        list(read_conll(p))
    assert str(err.value) == f"{p}:2: expected at least 2 columns (token and label), found 1: 'b'"
    p = write(tmp_path, "tag.conll", "a\tO\nb\tPER\n")
    with pytest.raises(InputError, match=r"tag.conll:2: invalid tag 'PER'"):
        list(read_conll(p))
    with pytest.raises(InputError, match="file not found"):
        list(read_conll(tmp_path / "missing.conll"))
    p = tmp_path / "latin1.conll"
    p.write_bytes("Müller\tB-PER\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1.conll:1: not valid UTF-8"):
        list(read_conll(p))


def test_conll_roundtrip(tmp_path):
    sents = [Sentence(["Angela", "Merkel", "spricht"], [Span(0, 2, "PER")]), Sentence(["Ja"])]
    out = tmp_path / "o.conll"
    assert write_conll(out, sents) == 2
    assert out.read_text() == "Angela\tB-PER\nMerkel\tI-PER\nspricht\tO\n\nJa\tO\n\n"
    assert list(read_conll(out)) == sents


def test_jsonl(tmp_path):
    p = write(tmp_path, "a.jsonl", '{"tokens": ["Paris", "is", "big"], "spans": [{"start": 0, "end": 1, "label": "LOC"}]}\n\n'
                                   '{"tokens": ["x"], "spans": [[0, 1, "PER"]]}\n')
    s = list(read_jsonl(p))
    assert s[0].spans == (Span(0, 1, "LOC"),) and s[1].spans == (Span(0, 1, "PER"),)
    bad = write(tmp_path, "b.jsonl", '{"tokens": ["a"], "spans": [{"start": 0, "end": 2, "label": "X"}]}\n')
    with pytest.raises(InputError) as err:
        list(read_jsonl(bad))
    assert str(err.value) == f"{bad}:1: span [0, 2) X is outside a sentence of 1 tokens"
    out = tmp_path / "o.jsonl"
    write_jsonl(out, [Sentence(["a", "b"], [Span(1, 2, "ORG", 0.5)])])
    assert out.read_text() == '{"tokens": ["a", "b"], "spans": [{"start": 1, "end": 2, "label": "ORG", "score": 0.5}]}\n'


def test_text_readers(tmp_path):
    p = write(tmp_path, "t.txt", "Hello , world\n\nDon't stop, Mr. Smith!\n")
    assert [s.tokens for s in read_text(p)] == [("Hello", ",", "world"), (), ("Don't", "stop,", "Mr.", "Smith!")]
    assert list(read_text(p, tokenizer="word"))[2].tokens == ("Don't", "stop", ",", "Mr", ".", "Smith", "!")


def test_talp(tmp_path):
    p = write(tmp_path, "a.talp", "0-0 1-2 2p1\n\n3?4\n")
    a = list(read_talp(p))
    assert a[0].pairs() == [(0, 0), (1, 2), (2, 1)]
    assert a[0].possible.tolist() == [False, False, True]
    assert len(a[1]) == 0 and a[2].pairs() == [(3, 4)]
    bad = write(tmp_path, "b.talp", "0-0 1:2\n")
    with pytest.raises(InputError) as err:
        list(read_talp(bad))
    assert str(err.value) == f"{bad}:1: malformed link '1:2': expected i-j, ipj or i?j"
    out = tmp_path / "o.talp"
    write_talp(out, [Alignment([(1, 0), (0, 1)]), Alignment()])
    assert out.read_text() == "0-1 1-0\n\n"


def test_detect_format(tmp_path):
    assert detect_format(write(tmp_path, "x.tsv", "EU B-ORG\nsays O\n\n")) == "conll"
    assert detect_format(write(tmp_path, "y.txt", "EU says no .\nOK .\n")) == "text"
    assert detect_format(write(tmp_path, "z.data", '{"tokens": []}\n')) == "jsonl"
    assert [s.tokens for s in read_sentences(tmp_path / "y.txt", "raw")] == [("EU", "says", "no", "."), ("OK", ".")]


def test_atomic_write_leaves_nothing_on_error(tmp_path):
    out = tmp_path / "o.conll"

    def gen():
        yield Sentence(["a"])
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_conll(out, gen())
    assert list(tmp_path.iterdir()) == []


def test_conll_label_column_before_a_trailing_quality_column(tmp_path):
    # manual projections (ABSA, AbstRCT): TOKEN TAG QUALITY, CRLF line ends, gzip
    p = tmp_path / "x.tsv.gz"
    with gzip.open(p, "wt", encoding="utf-8", newline="") as fh:
        fh.write("Sirve\tO\t-\r\nbuen\tO\t-\r\nsushi.\tB-TARGET\tHighQuality\r\n\r\nO\tO\t-\r\n")
    assert detect_format(p) == "conll"
    assert list(read_sentences(p)) == [
        Sentence(["Sirve", "buen", "sushi."], [Span(2, 3, "TARGET")]), Sentence(["O"])]
