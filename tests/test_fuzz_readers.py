"""Fuzz the readers: any byte string gives parsed sentences or a ProjnerError, never another exception."""

from __future__ import annotations

import gzip
import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projner.errors import ProjnerError
from projner.io import read_conll, read_jsonl, read_sentences, read_talp, read_text
from projner.types import Alignment, Sentence

SETTINGS = settings(max_examples=int(os.environ.get("PROJNER_FUZZ_EXAMPLES", "150")), deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

# bytes that look a little like our formats, so the fuzzer gets past the first line
TOKENS = st.sampled_from(
    [
        b"O", b"B-PER", b"I-PER", b"B-LOC", b"I-LOC", b"E-PER", b"S-ORG", b"L-X", b"U-X", b"B-", b"I-", b"-",
        b"-DOCSTART-", b"tok", b"\xc3\xa9t\xc3\xa9", b"\xe2\x80\x8b", b"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
        b"\xf0\x9f\x98\x80", b"\xff", b"\x00", b"\t", b" ", b"\n", b"\r\n", b"\n\n", b"\xef\xbb\xbf",
        b"0-0", b"1-2", b"3p4", b"2?1", b"-1-2", b"99999999999999999999-0", b"a-b",
        b'{"tokens": ["a", "b"], "spans": [{"start": 0, "end": 1, "label": "PER"}]}',
        b'{"tokens": [], "spans": []}', b'{"tokens": ["a"], "spans": [[0, 5, "X"]]}',
        b'{"tokens": ["a"], "spans": [[1, 0, "X"]]}', b'{"tokens": ["a"], "spans": [{"start": 0}]}',
        b'{"tokens": ["a", "b"], "spans": [[0, 2, "X"], [1, 2, "Y"]]}', b'{"tokens": "ab"}', b"[1, 2]",
        b'{"tokens": ["a"], "spans": [[0, 1, ""]], "id": 3}', b'{"tokens": ["a"], "spans": [[0.5, 1, "X"]]}',
        b'{"tokens": ["a"], "spans": [[true, 1, "X"]]}', b'{"tokens": ["a"], "spans": [[0, 1, "X", 4]]}',
        b'{"tokens": ["a"], "spans": [{"start": 0, "end": 1, "label": "X", "score": "hi"}]}',
        b'{"tokens": ["a"], "spans": [{"start": 0, "end": 1, "label": "X", "score": [1]}]}',
        b'{"tokens": ["a"], "spans": 7}', b"{", b"}", b'"', b"NaN", b"1e999",
        b"\x1f\x8b", b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
        b"[" * 3000, b'{"tokens": ["a"], "spans": [[0, 1' + b"0" * 4400 + b', "X"]]}', b"9" * 5000,
    ]
)
STRUCTURED = st.lists(TOKENS, max_size=40).map(b"".join)
ANY_BYTES = st.one_of(st.binary(max_size=300), STRUCTURED, st.text(max_size=200).map(lambda t: t.encode("utf-8")))


def _file(data: bytes, suffix: str = ".txt") -> str:
    fd, path = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def _consume(reader, data: bytes, suffix: str = ".txt", *, lines_of: bytes | None = None, **kw):
    path = _file(data, suffix)
    lines_of = data if lines_of is None else lines_of
    try:
        out = list(reader(path, **kw))
    except ProjnerError as exc:
        # the error names the file; a line number, when given, is a real line
        assert exc.path == path
        if exc.line is not None:
            # (a file whose first line break is a lone CR is split at CRs)
            assert 1 <= exc.line <= lines_of.count(b"\n") + lines_of.count(b"\r") + 1
        assert exc.located().startswith(path)
        assert "\n" not in exc.located()
        return None
    finally:
        os.unlink(path)
    return out


@SETTINGS
@given(ANY_BYTES, st.sampled_from(["iob2", "iob1", "bioes", "auto"]), st.booleans())
def test_read_conll_any_bytes(data, scheme, labels):
    out = _consume(read_conll, data, scheme=scheme, labels=labels)
    if out is not None:
        for s in out:
            assert isinstance(s, Sentence) and len(s) > 0
            assert all(t and not any(c.isspace() for c in t) for t in s.tokens)


@SETTINGS
@given(ANY_BYTES, st.booleans())
def test_read_jsonl_any_bytes(data, labels):
    out = _consume(read_jsonl, data, labels=labels)
    if out is not None:
        assert all(isinstance(s, Sentence) for s in out)


@SETTINGS
@given(ANY_BYTES, st.sampled_from(["whitespace", "word"]))
def test_read_text_any_bytes(data, tokenizer):
    out = _consume(read_text, data, tokenizer=tokenizer)
    if out is not None:
        assert all(isinstance(s, Sentence) and not s.spans for s in out)


@SETTINGS
@given(ANY_BYTES, st.booleans())
def test_read_talp_any_bytes(data, one_indexed):
    out = _consume(read_talp, data, one_indexed=one_indexed)
    if out is not None:
        assert all(isinstance(a, Alignment) for a in out)


@SETTINGS
@given(ANY_BYTES, st.sampled_from(["auto", "conll", "jsonl", "text", "raw"]),
       st.sampled_from([".txt", ".conll", ".jsonl", ".bio"]))
def test_read_sentences_any_bytes(data, fmt, suffix):
    _consume(read_sentences, data, suffix, fmt=fmt)


@SETTINGS
@given(ANY_BYTES, st.integers(min_value=0, max_value=40))
def test_gzip_any_payload_or_truncated(data, cut):
    """Valid gzip of anything, or a gzip stream cut short: sentences or our error."""
    blob = gzip.compress(data, mtime=0)
    if cut:
        blob = blob[: max(2, len(blob) - cut)]
    _consume(read_conll, blob, ".conll.gz", lines_of=data)
    _consume(read_text, blob, ".txt.gz", lines_of=data)


@pytest.mark.parametrize("reader", [read_conll, read_jsonl, read_text, read_talp, read_sentences])
def test_missing_file_and_folder(tmp_path, reader):
    with pytest.raises(ProjnerError) as e:
        list(reader(tmp_path / "nope"))
    assert e.value.located() == f"{tmp_path / 'nope'}: file not found"
    with pytest.raises(ProjnerError, match="is a directory"):
        list(reader(tmp_path))


# round trips: what the writers write, the readers read back unchanged ------------

from projner.io import write_conll, write_jsonl, write_talp  # noqa: E402
from projner.types import Span  # noqa: E402

WORD = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=8).filter(
    lambda t: not any(c.isspace() for c in t) and t != "-DOCSTART-"
)
LABEL = st.sampled_from(["PER", "LOC", "ORG", "MISC", "人名", "X-Y"])


@st.composite
def sentences(draw):
    n = draw(st.integers(1, 12))
    tokens = draw(st.lists(WORD, min_size=n, max_size=n))
    spans, i = [], 0
    while i < n:
        if draw(st.booleans()):
            j = min(n, i + draw(st.integers(1, 3)))
            spans.append(Span(i, j, draw(LABEL)))
            i = j
        i += 1
    return Sentence(tokens, spans)


@SETTINGS
@given(st.lists(sentences(), max_size=8), st.sampled_from(["conll", "jsonl"]), st.booleans())
def test_write_then_read_round_trips(sents, fmt, gz):
    fd, path = tempfile.mkstemp(suffix=f".{fmt}" + (".gz" if gz else ""))
    os.close(fd)
    try:
        (write_conll if fmt == "conll" else write_jsonl)(path, sents)
        back = list(read_conll(path) if fmt == "conll" else read_jsonl(path))
        assert back == sents
    finally:
        os.unlink(path)


@SETTINGS
@given(st.lists(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), max_size=20), max_size=8))
def test_talp_round_trips(link_lists):
    aligns = [Alignment(links) for links in link_lists]
    fd, path = tempfile.mkstemp(suffix=".talp")
    os.close(fd)
    try:
        write_talp(path, aligns)
        assert list(read_talp(path)) == aligns
    finally:
        os.unlink(path)


# configuration files: any bytes give a validated config or a ConfigError ---------

from projner.config import load_config  # noqa: E402

CONFIG_BITS = st.sampled_from(
    [b"aligner: lexical\n", b"method: ilp\n", b"method: 5\n", b"metod: x\n", b"projection:\n  k: 2\n",
     b"projection:\n  k: -1\n", b"projection: [1]\n", b"bitext: [[a, b]]\n", b"bitext: 3\n", b"lowercase: maybe\n",
     b"label_map: {GPE: LOC}\n", b"label_map: [1]\n", b"- a\n", b"{", b"}", b"[", b": :\n", b"\t", b"'", b"\x00",
     b"\xff", b"aligner = 'lexical'\n", b'method = "greedy"\n', b"[projection]\n", b"k = 3\n", b'{"method": "ilp"}',
     b"&a x\n", b"*a\n", b"!!python/object:os.system x\n", b"aligner: !!binary aGk=\n", b"\n", b"  ", b"#"]
)


@SETTINGS
@given(st.one_of(st.binary(max_size=200), st.lists(CONFIG_BITS, max_size=12).map(b"".join)),
       st.sampled_from([".yaml", ".yml", ".toml", ".json"]))
def test_load_config_any_bytes(data, suffix):
    from projner.errors import ConfigError

    path = _file(data, suffix)
    try:
        cfg = load_config(path)
        assert cfg.method in ("heuristic", "greedy", "bipartite", "ilp")
    except ConfigError as exc:
        assert exc.path == path
        assert "\n" not in exc.located()
    finally:
        os.unlink(path)


# the other readers in io: WPT / JSONL alignments, caption JSONL ---------------------

from projner.io.captions import read_caption_jsonl  # noqa: E402
from projner.io.wpt import read_alignment_jsonl, read_alignments, read_wpt  # noqa: E402

MORE = st.sampled_from(
    [b"1 1 1 S\n", b"1 2 3 P 0.5\n", b"2 0 1\n", b"0 1 1\n", b"1 99999999999999999999 1\n", b"1 1 1 X\n",
     b"9" * 5000 + b" 1 1\n", b'{"alignment": [[0, 1]]}\n', b'{"alignment": "0-1 2p3"}\n', b'{"links": [[0, 1, 2]]}\n',
     b'{"alignment": [[99999999999999999999, 1]]}\n', b'{"alignment": [[-1, 0]]}\n', b'{"possible": [[1, 1]]}\n',
     b'{"alignment": [[1, 1]], "src_words": ["a"]}\n', b'{"alignment": [[true, 1]]}\n', b'[[0, 0]]\n', b'"0-0"\n',
     b'{"image": "a.jpg", "lang": "en", "caption": "A dog ."}\n', b'{"image": "", "lang": "en", "caption": "x"}\n',
     b'{"image": "a.jpg", "lang": "e n", "caption": "x"}\n', b'{"image": 1, "lang": "en", "caption": "x"}\n',
     b"[" * 3000 + b"\n", b"\n", b"\xff\n", b"{\n"]
)
ALIGN_BYTES = st.one_of(st.binary(max_size=200), st.lists(MORE, max_size=10).map(b"".join))


@SETTINGS
@given(ALIGN_BYTES, st.sampled_from(["wpt", "jsonl", "auto", "talp"]), st.booleans())
def test_alignment_readers_any_bytes(data, fmt, one_indexed):
    _consume(lambda p, **kw: read_alignments(p, fmt, **kw), data, one_indexed=one_indexed)
    _consume(read_wpt, data)
    _consume(read_alignment_jsonl, data, one_indexed=one_indexed)


@SETTINGS
@given(ALIGN_BYTES)
def test_caption_jsonl_any_bytes(data):
    _consume(read_caption_jsonl, data, ".jsonl")
