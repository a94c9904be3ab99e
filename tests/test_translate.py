"""Translators on tiny random models built here (no downloads): transformers,
CTranslate2 (same output), file, cache; language codes and bad models."""

from __future__ import annotations

import pytest

pytest.importorskip("transformers")
pytest.importorskip("sentencepiece")

from projner.errors import ConfigError, InputError, ModelError  # noqa: E402
from projner.registry import create  # noqa: E402
from projner.translate._hf_common import split_long  # noqa: E402

TEXTS = ["John Smith lives in Berlin .", "Maria visited Madrid on Monday .", "the cat", ""]


@pytest.fixture(scope="module")
def marian_ct2(marian, tmp_path_factory):
    pytest.importorskip("ctranslate2")
    from projner.translate.ct2 import convert_model

    return convert_model(marian, tmp_path_factory.mktemp("ct2") / "model", quantization="int8")


@pytest.fixture(scope="module")
def m2m(tmp_path_factory):
    from projner.translate.tiny import build_m2m100

    return build_m2m100(tmp_path_factory.mktemp("m2m") / "model")


def test_hf_marian_translates_in_order(marian):
    import projner.translate  # noqa: F401

    tr = create("translator", "hf", model=marian, beam_size=2, max_length=12, batch_size=2)
    out = tr.translate(TEXTS)
    assert len(out) == len(TEXTS)
    assert all(isinstance(o, str) for o in out)
    assert out[-1] == ""  # empty input stays empty
    # batching and order do not change results
    assert tr.translate(TEXTS[::-1]) == out[::-1]


def test_ct2_same_output_as_transformers(marian, tmp_path):
    pytest.importorskip("ctranslate2")
    from projner.translate.ct2 import CT2Translator, convert_model
    from projner.translate.hf import HFTranslator

    f32 = convert_model(marian, tmp_path / "f32", quantization=None)
    hf = HFTranslator(marian, beam_size=2, max_length=16)
    ct = CT2Translator(f32, beam_size=2, max_length=16, compute_type="float32")
    assert ct.translate(TEXTS) == hf.translate(TEXTS)


def test_ct2_int8_on_cpu(marian_ct2):
    from projner.translate.ct2 import CT2Translator

    ct = CT2Translator(marian_ct2, beam_size=2, max_length=16)
    assert ct.compute_type == "int8"
    out = ct.translate(TEXTS)
    assert len(out) == len(TEXTS) and out[-1] == "" and all(out[:-1])


def test_long_inputs_are_split(marian):
    from projner.translate.hf import HFTranslator

    tr = HFTranslator(marian, beam_size=1, max_length=4, max_input_tokens=20)
    long = " ".join(["John Smith lives in Berlin ."] * 30)
    assert tr.n_tokens(long) > 20
    out = tr.translate([long])
    assert len(out) == 1 and out[0]
    pieces = split_long(long, tr.n_tokens, 20)
    assert len(pieces) > 1 and all(tr.n_tokens(p) <= 20 for p in pieces)
    assert " ".join(pieces).split() == long.split()


def test_split_long_words_fallback():
    n = lambda s: len(s.split())  # noqa: E731
    assert split_long("a b c d e f g", n, 3) == ["a b c", "d e f", "g"]
    assert split_long("a b. c d", n, 2) == ["a b.", "c d"]
    assert split_long("short", n, 3) == ["short"]


def test_m2m100_language_codes(m2m):
    from projner.translate.hf import HFTranslator

    tr = HFTranslator(m2m, src_lang="en", tgt_lang="de", beam_size=1, max_length=6)
    assert tr.lang.forced_bos == "__de__"
    out = tr.translate(["John lives in Berlin ."])
    assert len(out) == 1 and "__" not in out[0]  # language tokens are not part of the text
    with pytest.raises(ConfigError, match="unknown target language code 'xx'"):
        HFTranslator(m2m, src_lang="en", tgt_lang="xx")
    with pytest.raises(ConfigError, match="unknown source language code 'qq'"):
        HFTranslator(m2m, src_lang="qq", tgt_lang="de")
    with pytest.raises(ConfigError, match="multilingual"):
        HFTranslator(m2m, tgt_lang="de")


def test_unknown_model_path(tmp_path):
    from projner.translate.ct2 import CT2Translator
    from projner.translate.hf import HFTranslator

    with pytest.raises(ModelError, match="not found"):
        HFTranslator(str(tmp_path / "nope"))
    with pytest.raises(ModelError, match="not found"):
        CT2Translator(str(tmp_path / "nope"))
    with pytest.raises(ModelError, match="Hugging Face cache"):
        HFTranslator("someone/not-a-cached-model")


def test_ct2_rejects_unconverted_model(marian):
    from projner.translate.ct2 import CT2Translator

    with pytest.raises(ModelError, match="model.bin"):
        CT2Translator(marian)


def test_file_translator(tmp_path):
    import projner.translate  # noqa: F401

    p = tmp_path / "tr.txt"
    p.write_text("eins\nzwei\n", encoding="utf-8")
    tr = create("translator", "file", path=str(p))
    assert tr.translate(["one", "two"]) == ["eins", "zwei"]
    bad = create("translator", "file", path=str(p))
    with pytest.raises(InputError, match="2 lines but there are 3 sentences"):
        bad.translate(["a", "b", "c"])
    with pytest.raises(InputError, match="file not found"):
        create("translator", "file", path=str(tmp_path / "missing.txt"))


def test_cache_translates_each_text_once(tmp_path, marian):
    from projner.translate.cache import CachedTranslator
    from projner.translate.hf import HFTranslator

    calls = []

    class Counting:
        name = "count"

        def __init__(self, inner):
            self.inner = inner

        def cache_key(self):
            return self.inner.cache_key()

        def translate(self, texts):
            calls.append(list(texts))
            return self.inner.translate(texts)

    base = HFTranslator(marian, beam_size=1, max_length=8)
    db = tmp_path / "cache.sqlite"
    first = CachedTranslator(Counting(base), db).translate(TEXTS + TEXTS[:1])
    assert calls == [TEXTS]  # duplicates translated once
    again = CachedTranslator(Counting(base), db).translate(TEXTS)
    assert again == first[: len(TEXTS)]
    assert len(calls) == 1  # a rerun never translates twice
    # other options → other keys
    other = HFTranslator(marian, beam_size=2, max_length=8)
    CachedTranslator(Counting(other), db).translate(TEXTS[:1])
    assert len(calls) == 2


def test_registry_names():
    import projner.translate  # noqa: F401
    from projner.registry import names

    assert {"hf", "ct2", "file"} <= set(names("translator"))
