"""Taggers: CRF (train/save/load), transformers token classification on a tiny
random model, spaCy with a label map, and the tagger candidate extractor."""

from __future__ import annotations

import random

import pytest

from projner.errors import ConfigError, InputError, ModelError
from projner.types import Sentence, Span

FIRST = ["John", "Maria", "Peter", "Anna", "Carlos", "Ingrid", "Tom", "Lucia"]
LAST = ["Smith", "Garcia", "Blackburn", "Schmidt", "Lopez", "Berg"]
CITY = ["Berlin", "Madrid", "Paris", "Brussels", "London", "Vienna"]
ORG = [["Siemens"], ["European", "Commission"], ["Reuters"], ["Real", "Madrid"]]


def toy_corpus(n: int = 60, seed: int = 1) -> list[Sentence]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        first, last, city, org = rng.choice(FIRST), rng.choice(LAST), rng.choice(CITY), rng.choice(ORG)
        kind = rng.randrange(3)
        if kind == 0:
            toks = [first, last, "lives", "in", city, "."]
            spans = [Span(0, 2, "PER"), Span(4, 5, "LOC")]
        elif kind == 1:
            toks = ["Yesterday", first, "joined"] + org + ["in", city, "."]
            spans = [Span(1, 2, "PER"), Span(3, 3 + len(org), "ORG"), Span(4 + len(org), 5 + len(org), "LOC")]
        else:
            toks = ["the", "weather", "in", city, "was", "fine", "."]
            spans = [Span(3, 4, "LOC")]
        out.append(Sentence(toks, spans))
    return out


def test_crf_train_save_load_predict(tmp_path):
    pytest.importorskip("sklearn_crfsuite")
    from projner.ner import load_tagger
    from projner.ner.crf import CRFTagger

    train = toy_corpus(80)
    tagger = CRFTagger(max_iterations=30).fit(train)
    test = toy_corpus(20, seed=7)
    pred = tagger.predict([s.tokens for s in test])
    correct = sum(len(set(p) & set(s.spans)) for p, s in zip(pred, test))
    assert correct / sum(len(s.spans) for s in test) > 0.8
    tagger.save(tmp_path / "crf")
    assert sorted(p.name for p in (tmp_path / "crf").iterdir()) == ["model.crfsuite", "projner.json"]
    loaded = load_tagger(tmp_path / "crf")
    assert loaded.predict([s.tokens for s in test]) == pred
    assert loaded.labels == ["LOC", "ORG", "PER"]
    assert loaded.predict([[]]) == [[]]


def test_crf_features_are_context_and_shape():
    from projner.ner.crf import word_features

    f = word_features(["Peter", "Blackburn", "visited", "U.S.", "1996"], 1)
    assert f["sh"] == "Xxxxxxxxx" and f["ss"] == "Xx" and f["s3"] == "urn" and f["p2"] == "bl"
    assert f["-1lw"] == "peter" and f["+1lw"] == "visited" and f["+2lw"] == "u.s."
    assert f["title"] == "1" and "BOS" not in f
    g = word_features(["1996"], 0)
    assert g["digits"] == "1" and g["BOS"] == 1.0 and g["EOS"] == 1.0


def test_crf_errors(tmp_path):
    pytest.importorskip("sklearn_crfsuite")
    from projner.ner.crf import CRFTagger

    with pytest.raises(InputError, match="no entities"):
        CRFTagger(max_iterations=2).fit([Sentence(["a", "b"])])
    with pytest.raises(ModelError, match="not a projner CRF model"):
        CRFTagger.load(tmp_path)
    with pytest.raises(ModelError, match="not trained"):
        CRFTagger().predict([["x"]])
    with pytest.raises(ConfigError, match="marks must be keep, attach, split or auto, not 'x'"):
        CRFTagger(marks="x")


@pytest.fixture(scope="module")
def tiny_classifier(tmp_path_factory):
    pytest.importorskip("transformers")
    from projner.ner.tiny import build_token_classifier

    return build_token_classifier(tmp_path_factory.mktemp("tokcls") / "model", max_positions=40)


def test_hf_tagger_word_level_labels(tiny_classifier):
    from projner.ner.hf import HFTagger

    tagger = HFTagger(tiny_classifier, batch_size=3)
    sents = [s.tokens for s in toy_corpus(5)] + [["Unseenwordxyz", "Berlin"], []]
    spans = tagger.predict(sents)
    assert len(spans) == len(sents) and spans[-1] == []
    for toks, sp in zip(sents, spans):
        for s in sp:
            assert 0 <= s.start < s.end <= len(toks)
            assert s.label in {"PER", "LOC", "ORG", "MISC"}
    tags = tagger.predict_tags(sents)
    assert [len(t) for t in tags] == [len(s) for s in sents]  # one label per word, not per sub-word


def test_hf_tagger_long_sentences_use_windows(tiny_classifier):
    from projner.ner.hf import HFTagger

    # fp32: bf16 autocast rounds a random model's near-tied logits differently from one batch shape to another
    tagger = HFTagger(tiny_classifier, bf16="off")
    assert tagger.max_length <= 38
    long = ["Smith", "lives", "in", "Berlin", "."] * 30  # far beyond 40 positions
    tags = tagger.predict_tags([long])[0]
    assert len(tags) == len(long)
    # the same words tagged alone get the same labels as inside the windows of the long sentence
    assert tagger.predict_tags([long[:5]])[0] == tags[:5]


def test_hf_tagger_fine_tunes(tiny_classifier, tmp_path):
    from projner.ner import load_tagger
    from projner.ner.hf import HFTagger

    train = toy_corpus(40)
    # a random tiny model needs its embeddings trained (real encoders: frozen by default)
    tagger = HFTagger.fit(tiny_classifier, train, tmp_path / "ft", epochs=4, learning_rate=3e-3, batch_size=8,
                          max_length=32, freeze_embeddings=False)
    pred = tagger.predict([s.tokens for s in train[:20]])
    correct = sum(len(set(p) & set(s.spans)) for p, s in zip(pred, train[:20]))
    assert correct > 0
    assert isinstance(load_tagger(tmp_path / "ft"), HFTagger)


def test_hf_tagger_unknown_model(tmp_path):
    pytest.importorskip("transformers")
    from projner.ner.hf import HFTagger

    with pytest.raises(ModelError, match="not found"):
        HFTagger(str(tmp_path / "missing"))


@pytest.fixture(scope="module")
def spacy_model(tmp_path_factory):
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PERSON", "pattern": [{"TEXT": "John"}, {"TEXT": "Smith"}]},
        {"label": "GPE", "pattern": "Berlin"},
        {"label": "FAC", "pattern": [{"TEXT": "Tegel"}, {"TEXT": "Airport"}]},
        {"label": "NORP", "pattern": "German"},
        {"label": "DATE", "pattern": "Monday"},
        {"label": "ORG", "pattern": "Siemens"},
    ])
    path = tmp_path_factory.mktemp("spacy") / "pipeline"
    nlp.to_disk(path)
    return path


def test_spacy_tagger_label_map(spacy_model):
    from projner.ner import load_tagger
    from projner.ner.spacy_tagger import SpacyTagger

    toks = ["John", "Smith", "flew", "from", "Tegel", "Airport", "in", "Berlin", "on", "Monday", "with", "a",
            "German", "from", "Siemens"]
    tagger = load_tagger(spacy_model)
    assert isinstance(tagger, SpacyTagger)
    assert tagger.predict([toks]) == [[Span(0, 2, "PER"), Span(4, 6, "LOC"), Span(7, 8, "LOC"),
                                       Span(12, 13, "MISC"), Span(14, 15, "ORG")]]
    no_misc = SpacyTagger(str(spacy_model), drop_misc=True)
    assert Span(12, 13, "MISC") not in no_misc.predict([toks])[0]
    custom = SpacyTagger(str(spacy_model), label_map={"DATE": "TIME"})
    assert Span(9, 10, "TIME") in custom.predict([toks])[0]


def test_spacy_tagger_missing_model(tmp_path):
    pytest.importorskip("spacy")
    from projner.ner.spacy_tagger import SpacyTagger

    with pytest.raises(ModelError):
        SpacyTagger(str(tmp_path / "nope"))


def test_tagger_candidates_in_matching_projection(spacy_model):
    from projner.ner.candidates import TaggerCandidates
    from projner.ner.spacy_tagger import SpacyTagger
    from projner.project import MatchingOptions, project_candidates
    from projner.types import Alignment

    tagger = SpacyTagger(str(spacy_model))
    ext = TaggerCandidates(tagger)
    tgt = Sentence(["Gestern", "besuchte", "John", "Smith", "Berlin", "."])
    ext.prepare([tgt])
    assert ext(tgt) == [(2, 4), (4, 5)]
    assert (1, 4) in TaggerCandidates(tagger, expand=True)(tgt)
    src = Sentence(["Yesterday", "John", "Smith", "visited", "Berlin", "."], [Span(1, 3, "PER"), Span(4, 5, "LOC")])
    # a partial alignment: only "John" and "Berlin" are linked; the candidate fixes the span
    align = Alignment([(1, 2), (4, 4)])
    out = project_candidates(src, tgt, align, "ilp", MatchingOptions(extractor=ext))
    assert [(s.start, s.end, s.label) for s in out.spans] == [(2, 4, "PER"), (4, 5, "LOC")]


def test_registry_and_load_tagger_errors(tmp_path):
    import projner.ner  # noqa: F401
    from projner.ner import load_tagger
    from projner.registry import names

    assert {"crf", "hf", "spacy"} <= set(names("tagger"))
    with pytest.raises(ModelError, match="not found"):
        load_tagger(tmp_path / "none")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="not a tagger model"):
        load_tagger(tmp_path / "empty")


def test_hf_training_batches_bucket_lengths_and_freeze_embeddings(tiny_classifier):
    import random

    from transformers import AutoModelForTokenClassification

    from projner.ner.hf_train import batches, collate, freeze_word_embeddings

    lengths = [5, 1, 9, 2, 8, 3, 7, 4, 6, 10]
    out = batches(lengths, 2, True, random.Random(0))
    assert sorted(i for b in out for i in b) == list(range(10))
    assert all(abs(lengths[a] - lengths[b]) == 1 for a, b in out)  # similar lengths share a batch
    ids, mask, labels = collate([([5, 6, 7], [-100, 1, -100]), ([8], [2])], pad_id=1)
    assert ids.tolist() == [[5, 6, 7], [8, 1, 1]] and mask.tolist() == [[1, 1, 1], [1, 0, 0]]
    assert labels.tolist() == [[-100, 1, -100], [2, -100, -100]]
    model = AutoModelForTokenClassification.from_pretrained(tiny_classifier)
    n = freeze_word_embeddings(model)
    assert n == model.get_input_embeddings().weight.numel() and not model.get_input_embeddings().weight.requires_grad


def test_crf_trained_on_split_marks_tags_whole_words(tmp_path):
    """Training text with tone marks as tokens of their own (``Ọ ̀ yọ ́``); the words tagged
    later carry them on their letters (``Ọ̀yọ́``, decomposed): the tagger cuts them as in
    training and returns spans over the caller's words."""
    pytest.importorskip("sklearn_crfsuite")
    import unicodedata

    from projner.ner import load_tagger
    from projner.ner.crf import CRFTagger

    rng = random.Random(3)
    towns = [["Ọ", "\u0300", "yọ", "\u0301"], ["Ẹ", "\u0300", "kọ", "\u0301"], ["Ìbàdàn"]]
    train = []
    for _ in range(60):
        town = rng.choice(towns)
        toks = ["wọ", "\u0301", "n", "lọ", "sí"] + town + ["."]
        train.append(Sentence(toks, [Span(5, 5 + len(town), "LOC")]))
    assert CRFTagger(max_iterations=5).fit(train).marks == "keep"  # the default: tokens as given
    tagger = CRFTagger(max_iterations=30, marks="auto").fit(train)
    assert tagger.marks == "split"
    words = [unicodedata.normalize("NFD", w) for w in ["wọ́n", "lọ", "sí", "Ẹ̀kọ́", "."]]
    assert tagger.predict([words]) == [[Span(3, 4, "LOC")]]
    tagger.save(tmp_path / "crf")
    loaded = load_tagger(tmp_path / "crf")
    assert loaded.marks == "split" and loaded.predict([words]) == [[Span(3, 4, "LOC")]]
    assert CRFTagger(max_iterations=30, marks="auto").fit(toy_corpus(20)).marks == "keep"  # no mark tokens
    attach = CRFTagger(max_iterations=30, marks="attach").fit(train)
    assert attach.marks == "attach" and attach.predict([words]) == [[Span(3, 4, "LOC")]]


def test_crf_features_fold_accents_and_read_nfc():
    import unicodedata

    from projner.ner.crf import sentence_features

    f = sentence_features([unicodedata.normalize("NFD", "Jámánì"), "Jamani"])
    assert f[0]["w"] == "Jámánì" and f[0]["fw"] == f[1]["fw"] == "jamani"


def test_hf_tagger_trained_on_split_marks_cuts_words(tiny_classifier, tmp_path):
    import json

    from projner.ner.hf import HFTagger

    train = [Sentence(["wọ", "\u0301", "n", "lọ", "sí", "Ọ", "\u0300", "yọ", "\u0301"], [Span(5, 9, "LOC")])] * 4
    tagger = HFTagger.fit(tiny_classifier, train, tmp_path / "ft", epochs=1, batch_size=4, max_length=32,
                          marks="auto")
    assert json.loads((tmp_path / "ft" / "projner.json").read_text())["marks"] == "split"
    assert tagger.marks == "split" and HFTagger(tiny_classifier).marks == "keep"
    seen = []

    def fake(sentences):
        seen.extend(sentences)
        return [["O", "O", "O", "O", "O", "B-LOC", "I-LOC", "I-LOC", "I-LOC"]]

    tagger.predict_tags = fake
    assert tagger.predict([["wọ́n", "lọ", "sí", "Ọ̀yọ́"]]) == [[Span(3, 4, "LOC")]]
    assert seen == [["wọ", "\u0301", "n", "lọ", "sí", "Ọ", "\u0300", "yọ", "\u0301"]]


def test_hf_tagger_continues_from_a_token_classifier(tiny_classifier, tmp_path):
    """An NER model as the base: its head rows are kept for the tags the training data shares
    with it (in the data's order), a label it lacks gets new rows, one the data lacks (MISC) goes."""
    import json

    import torch
    from transformers import AutoModelForTokenClassification

    from projner.ner.hf import HFTagger

    base = AutoModelForTokenClassification.from_pretrained(tiny_classifier)  # O B-PER I-PER B-LOC I-LOC B-ORG I-ORG B-MISC I-MISC
    train = [s.with_spans(list(s.spans) + [Span(len(s) - 1, len(s), "DATE")]) for s in toy_corpus(8)]
    tagger = HFTagger.fit(tiny_classifier, train, tmp_path / "ft", epochs=1, batch_size=4, max_length=32,
                          learning_rate=1e-30, warmup=0.0)
    meta = json.loads((tmp_path / "ft" / "projner.json").read_text())
    assert meta["labels"] == ["DATE", "LOC", "ORG", "PER"]
    assert meta["head"] == {"kept": ["O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PER", "I-PER"],
                            "new": ["B-DATE", "I-DATE"], "dropped": ["B-MISC", "I-MISC"]}
    tuned = AutoModelForTokenClassification.from_pretrained(tmp_path / "ft")
    assert tuned.config.id2label == dict(enumerate(["O", "B-DATE", "I-DATE", "B-LOC", "I-LOC", "B-ORG", "I-ORG",
                                                     "B-PER", "I-PER"]))
    rows = {"O": 0, "B-LOC": 3, "I-LOC": 4, "B-ORG": 5, "I-ORG": 6, "B-PER": 1, "I-PER": 2}  # in the base
    for tag, i in rows.items():
        j = tuned.config.label2id[tag]
        assert torch.allclose(tuned.classifier.weight[j], base.classifier.weight[i])
        assert torch.allclose(tuned.classifier.bias[j], base.classifier.bias[i])
    assert {s.label for p in tagger.predict([s.tokens for s in train]) for s in p} <= {"DATE", "LOC", "ORG", "PER"}


def test_hf_head_tags_and_adapt_head_read_bioes(tiny_classifier, tmp_path):
    import json

    import torch
    from transformers import AutoConfig, AutoModelForTokenClassification

    from projner.ner.hf import HFTagger
    from projner.ner.hf_train import adapt_head, head_tags, iob_tag

    from _tiny_encoder import build_tiny_bert

    encoder = build_tiny_bert(tmp_path / "enc")
    assert head_tags(AutoConfig.from_pretrained(encoder)) is None  # a bare encoder: a new head
    HFTagger.fit(encoder, toy_corpus(4), tmp_path / "ft", epochs=1, batch_size=4, max_length=32)
    assert json.loads((tmp_path / "ft" / "projner.json").read_text())["head"] == {
        "kept": [], "new": ["O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PER", "I-PER"], "dropped": []}
    assert head_tags(AutoConfig.from_pretrained(tiny_classifier))[:3] == ["O", "B-PER", "I-PER"]
    assert [iob_tag(t) for t in ["O", "S-PER", "E-PER", "U-LOC", "L-LOC", "PER", "B-ORG"]] == \
        ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-PER", "B-ORG"]
    model = AutoModelForTokenClassification.from_pretrained(tiny_classifier)
    old = ["O", "S-PER", "B-PER", "I-PER", "E-PER", "S-LOC", "B-LOC", "I-LOC", "E-LOC"]  # 9 rows, BIOES names
    weight = model.classifier.weight.detach().clone()
    head = adapt_head(model, old, ["O", "B-PER", "I-PER"])
    assert head == {"kept": ["O", "B-PER", "I-PER"], "new": [], "dropped": ["B-LOC", "I-LOC"]}
    assert torch.equal(model.classifier.weight, weight[[0, 1, 3]])  # S-PER (first B-PER), I-PER (first I-PER)
    assert model.num_labels == model.config.num_labels == 3 and model.config.id2label[2] == "I-PER"
    assert adapt_head(model, ["O", "B-X"], ["O"]) is None  # row count differs from the head: no carry-over
