"""Reading a file in parts (projner.io.ranges): the parts together are the file, record for record."""

import gzip
from importlib.resources import files

import pytest

from projner.errors import InputError
from projner.io import read_conll, read_sentences, read_talp
from projner.io.ranges import index_records
from projner.project.refine import Refiner, RefineOptions, RefinerStats

DATA = files("projner") / "data"

# a BOM, -DOCSTART- lines, runs of blank lines (one of spaces and tabs, one a no-break
# space: blank for str.strip), a CRLF line, the empty-sentence block, no final newline
CONLL = ("\ufeff-DOCSTART- -X- O O\n\nEU\tB-ORG\nrejects\tO\n\n\n \t \nGerman\tB-MISC\ncall\tO\r\n\n"
         "\u00a0\n-DOCSTART- -X- O O\n\n-EMPTY-\tO\n\nPeter\tB-PER\nBlackburn\tI-PER\n\nin\tO\nBrussels\tB-LOC")


def _parts(path, fmt, size, reader):
    idx = index_records(path, fmt, size)
    return idx, [list(reader(span)) for span in idx.spans]


@pytest.mark.parametrize("size", [1, 2, 3, 10])
def test_conll_parts_are_the_file_sentence_for_sentence(tmp_path, size):
    path = tmp_path / "x.conll"
    path.write_bytes(CONLL.encode("utf-8"))
    whole = list(read_conll(path))
    idx, parts = _parts(path, "conll", size, lambda span: read_conll(path, span=span))
    assert idx.records == len(whole) == 5
    assert [len(p) for p in parts] == [min(size, 5 - k) for k in range(0, 5, size)]
    flat = [s for p in parts for s in p]
    assert [(s.tokens, s.spans, s.meta) for s in flat] == [(s.tokens, s.spans, s.meta) for s in whole]
    assert [s.meta["line"] for s in flat] == [3, 8, 14, 16, 19]


def test_line_formats_cut_at_every_record(tmp_path):
    text = tmp_path / "t.txt"
    text.write_bytes(b"a b\n\nc d e\r\nf\ng h")  # an empty line is an (empty) sentence
    idx, parts = _parts(text, "text", 2, lambda span: read_sentences(text, "text", labels=False, span=span))
    assert idx.records == 5 and idx.spans[1] == (5, 14, 3) and idx.spans[2] == (14, 17, 5)
    assert [[list(s.tokens) for s in p] for p in parts] == [[["a", "b"], []], [["c", "d", "e"], ["f"]], [["g", "h"]]]
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text('{"tokens": ["a"]}\n\n  \n{"tokens": ["b"]}\n{"tokens": ["c"]}\n\n')
    idx, parts = _parts(jsonl, "jsonl", 2, lambda span: read_sentences(jsonl, "jsonl", labels=False, span=span))
    assert idx.records == 3  # blank lines are not records
    assert [[(list(s.tokens), s.meta["line"]) for s in p] for p in parts] == [[(["a"], 1), (["b"], 4)], [(["c"], 5)]]
    talp = tmp_path / "l.talp"
    talp.write_text("0-0 1-1\n\n2-2\n")
    idx, parts = _parts(talp, "talp", 1, lambda span: read_talp(talp, span=span))
    assert idx.records == 3 and [[a.links.tolist() for a in p] for p in parts] == [[[[0, 0], [1, 1]]], [[]], [[[2, 2]]]]


def test_errors_keep_their_file_line(tmp_path):
    path = tmp_path / "x.conll"
    path.write_text("A\tO\n\nB\tO\nC\tI-PER\n\nD\tO\n")  # a stray I-PER in the second sentence (line 4)
    idx = index_records(path, "conll", 1)
    with pytest.raises(InputError) as whole:
        list(read_conll(path))
    with pytest.raises(InputError) as part:
        list(read_conll(path, span=idx.spans[1]))
    assert str(part.value) == str(whole.value) and part.value.line == 4
    path.write_text("A\tO\n-DOCSTART- -X- O O\n")
    with pytest.raises(InputError, match="-DOCSTART- inside a sentence") as exc:
        index_records(path, "conll", 1)
    assert exc.value.line == 2


def test_files_that_cannot_be_cut_by_bytes(tmp_path):
    gz = tmp_path / "t.txt.gz"
    gz.write_bytes(gzip.compress(b"a\nb\n"))
    mac = tmp_path / "mac.txt"
    mac.write_bytes(b"a b\rc d\r")
    assert index_records(gz, "text", 1) is None and index_records(mac, "text", 1) is None
    assert index_records(mac, "parquet", 1) is None
    empty = tmp_path / "e.conll"
    empty.write_text("\n\n")
    assert index_records(empty, "conll", 5) == (0, [])


def test_refiner_statistics_of_parts_add_up_to_the_corpus():
    src = list(read_conll(DATA / "example.en.conll")) * 3
    tgt = [t.with_spans(()) for t in read_conll(DATA / "example.de.conll")] * 3
    opts = RefineOptions(min_sentences=5)
    whole = Refiner(opts).fit(src, tgt)
    stats = RefinerStats()
    for k in range(0, len(src), 7):
        stats.add(RefinerStats.count(src[k:k + 7], tgt[k:k + 7]))
    parts = Refiner(opts).fit_stats(stats)
    assert whole.target_fw and whole.source_fw  # something was learnt
    assert (parts.source_fw, parts.target_fw, parts.labels, parts.capitals) == \
        (whole.source_fw, whole.target_fw, whole.labels, whole.capitals)
