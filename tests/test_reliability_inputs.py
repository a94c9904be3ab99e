"""Inputs that used to be misread silently: empty sentences, CR-only line ends,
-DOCSTART- inside a sentence, NUL and lone surrogates in JSONL, hostile YAML."""

from __future__ import annotations

import pytest

from projner.config import load_config
from projner.errors import ConfigError, InputError
from projner.io import read_sentences, write_sentences
from projner.io.conll import format_conll
from projner.types import Sentence, Span
from projner.yamlload import MAX_NODES, load_yaml


def test_empty_sentence_round_trips_through_conll(tmp_path):
    sents = [Sentence(["John", "sings"], [Span(0, 1, "PER")]), Sentence([]), Sentence(["Hallo"])]
    out = tmp_path / "o.conll"
    assert write_sentences(out, sents) == 3
    assert out.read_text() == "John\tB-PER\nsings\tO\n\n-EMPTY-\tO\n\nHallo\tO\n\n"
    back = list(read_sentences(out))
    assert [s.tokens for s in back] == [("John", "sings"), (), ("Hallo",)]
    assert back[0].spans == sents[0].spans
    assert [s.tokens for s in read_sentences(out, labels=False)] == [("John", "sings"), (), ("Hallo",)]


def test_empty_sentence_round_trips_through_jsonl_and_text(tmp_path):
    sents = [Sentence(["a"]), Sentence([]), Sentence(["b"])]
    for name in ("o.jsonl", "o.txt"):
        out = tmp_path / name
        write_sentences(out, sents, "text" if name.endswith(".txt") else "auto")
        assert [s.tokens for s in read_sentences(out, labels=False)] == [("a",), (), ("b",)]
    assert (tmp_path / "o.jsonl").read_text().splitlines()[1] == '{"tokens": [], "spans": []}'


def test_conll_writer_refuses_what_the_reader_refuses(tmp_path):
    for bad in ("a\x00b", "a b", ""):
        with pytest.raises(ValueError):
            format_conll(Sentence(["ok", bad]))
    out = tmp_path / "o.conll"
    with pytest.raises(InputError) as info:
        write_sentences(out, [Sentence(["ok"]), Sentence(["x\x00"])])
    assert str(info.value) == (f"{out}: sentence 2: token 'x\\x00' cannot be written to CoNLL "
                               "(empty, white space or NUL)")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("line, message", [
    ('{"tokens": ["a\\u0000b"]}', "a token contains a NUL character (\\u0000)"),
    ('{"tokens": ["\\ud800"]}', "a token contains a lone surrogate (an unpaired \\ud800-\\udfff escape): "
                                "not valid Unicode"),
])
def test_jsonl_nul_and_lone_surrogate_are_refused(tmp_path, line, message):
    src = tmp_path / "s.jsonl"
    src.write_text('{"tokens": ["ok"]}\n' + line + "\n")
    with pytest.raises(InputError) as info:
        list(read_sentences(src))
    assert str(info.value) == f"{src}:2: {message}"


def test_cr_only_line_ends_are_read_as_lines(tmp_path):
    src = tmp_path / "mac.conll"
    src.write_bytes(b"John\tB-PER\rsings\tO\r\rMaria\tB-PER\r")
    assert [s.tokens for s in read_sentences(src)] == [("John", "sings"), ("Maria",)]
    txt = tmp_path / "mac.txt"
    txt.write_bytes(b"a b\rc\r")
    assert [s.tokens for s in read_sentences(txt, "text")] == [("a", "b"), ("c",)]
    crlf = tmp_path / "dos.txt"
    crlf.write_bytes(b"a b\r\nc\r\n")
    assert [s.tokens for s in read_sentences(crlf, "text")] == [("a", "b"), ("c",)]


def test_docstart_inside_a_sentence_is_an_error(tmp_path):
    src = tmp_path / "s.conll"
    src.write_text("-DOCSTART- O\n\nJohn B-PER\n-DOCSTART- O\nsings O\n")
    with pytest.raises(InputError) as info:
        list(read_sentences(src))
    assert str(info.value) == f"{src}:4: -DOCSTART- inside a sentence (a blank line must come before it)"


def test_yaml_duplicate_key(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("method: ilp\naligner: lexical\nmethod: greedy\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert str(info.value) == f"{cfg}:3: duplicate key 'method' (first given on line 1)"


def test_yaml_merge_key_may_override():
    assert load_yaml("x: &x {a: 1, b: 2}\ny: {<<: *x, b: 3}\n")["y"] == {"a": 1, "b": 3}


def test_yaml_billion_laughs_is_refused_fast(tmp_path):
    rows = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    cfg = tmp_path / "lol.yaml"
    cfg.write_text("\n".join(rows) + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert str(info.value) == (f"{cfg}:1: the document expands to more than {MAX_NODES:,} values through aliases "
                               "(a 'billion laughs' document?); write it out without aliases")


@pytest.mark.parametrize("text", ["projection: &p {refine: *p}\n", "bitext: &b [*b]\n"])
def test_yaml_self_reference_is_refused(tmp_path, text):
    cfg = tmp_path / "self.yaml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert str(info.value) == f"{cfg}:1: an alias refers to a node that contains it (a self-referencing structure)"


def test_fifo_input_is_spooled_once(tmp_path):
    import os
    import threading

    from projner.io.spool import regular_input, spooling, user_text

    fifo = tmp_path / "src.conll"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text("John B-PER\nsings O\n"), daemon=True)
    writer.start()
    with spooling():
        copy = regular_input(fifo)
        writer.join(10)
        assert copy != fifo and regular_input(fifo) == copy  # copied once
        for _ in range(2):  # read twice: format sniffing, then the data
            assert [s.tokens for s in read_sentences(copy)] == [("John", "sings")]
        assert user_text(f"{copy}:3: bad") == f"{fifo}:3: bad"
        spool_dir = copy.parent
    assert not spool_dir.exists()
    plain = tmp_path / "plain.txt"
    plain.write_text("x\n")
    assert regular_input(plain) is plain and regular_input(None) is None
