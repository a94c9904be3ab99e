"""Embedding aligner: real transformers loading and inference on a tiny random encoder."""

import os

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from _tiny_encoder import build_tiny_bert  # noqa: E402

from projner.align import build_aligner  # noqa: E402
from projner.align.embedding import (  # noqa: E402
    EmbeddingAligner,
    iter_max,
    max_weight_match,
    mutual_argmax,
    softmax_extract,
)
from projner.align.encoder import EncoderPool  # noqa: E402
from projner.errors import ConfigError, ModelError  # noqa: E402

S1 = "the house is small and green".split()
S2 = "a cat sees the dog in Paris".split()
SUB = "the cat playing in Berlin".split()  # 'playing' -> play ##ing


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_bert(tmp_path_factory.mktemp("tiny_bert"), max_positions=64)


def diag(n):
    return [(i, i) for i in range(n)]


# --- extraction methods on hand-made similarity matrices ---------------------------

def test_mutual_argmax():
    sim = np.array([[0.9, 0.1, 0.0], [0.8, 0.2, 0.1], [0.0, 0.3, 0.7]])
    assert np.argwhere(mutual_argmax(sim)).tolist() == [[0, 0], [2, 2]]


def test_itermax_adds_second_round_links():
    sim = np.array([[0.9, 0.1, 0.0], [0.8, 0.2, 0.1], [0.0, 0.3, 0.7]])
    # round one: (0,0), (2,2). Round two works on rows/columns not yet aligned on both
    # sides: row 1 takes column 0 (0.8 * alpha) and column 1 takes row 2 (0.3 * alpha)
    assert np.argwhere(iter_max(sim)).tolist() == [[0, 0], [1, 0], [2, 1], [2, 2]]
    assert np.argwhere(iter_max(sim, max_count=1)).tolist() == [[0, 0], [2, 2]]


def test_match_is_one_to_one_and_maximal():
    sim = np.array([[0.9, 0.8], [0.85, 0.1]])
    assert np.argwhere(max_weight_match(sim)).tolist() == [[0, 1], [1, 0]]


def test_softmax_threshold():
    dots = np.array([[10.0, 0.0], [0.0, 10.0]])
    assert np.argwhere(softmax_extract(dots, 1e-3)).tolist() == [[0, 0], [1, 1]]
    assert softmax_extract(np.zeros((2, 2)), 0.6).sum() == 0


# --- the aligner on a tiny random BERT ---------------------------------------------

@pytest.mark.parametrize("method", ["argmax", "itermax", "match"])
@pytest.mark.parametrize("pooling", ["mean", "first", "subword"])
def test_identical_sentences_align_diagonally(tiny, method, pooling):
    al = EmbeddingAligner(tiny, layer=2, method=method, pooling=pooling, batch_size=2)
    out = al.align([S1, S2, SUB], [S1, S2, SUB])
    assert [a.pairs() for a in out] == [diag(len(S1)), diag(len(S2)), diag(len(SUB))]
    for a in out:
        assert np.allclose(a.scores, 1.0, atol=1e-4)  # cosine of identical vectors


def test_softmax_extraction_on_identical_sentences(tiny):
    al = EmbeddingAligner(tiny, layer=1, method="softmax", temperature=0.01, threshold=0.5)
    assert al.align([S1], [S1])[0].pairs() == diag(len(S1))


def test_layer_average_and_subword_tokens(tiny):
    al = EmbeddingAligner(tiny, layer=[1, 2], pooling="subword")
    (e,) = al.embed([SUB])
    # 'playing' has two sub-words, every other word one
    assert e.word_of.tolist() == [0, 1, 2, 2, 3, 4]
    assert e.vectors.shape == (6, 32)


def test_long_sentences_are_windowed(tiny):
    words = ("the house is small and green a cat sees dog in garden Paris Berlin Angela Merkel "
             "visited la maison est petite et verte un chat voit chien dans jardin").split()
    assert len(words) == 29
    al = EmbeddingAligner(tiny, layer=2, max_length=12)
    wins = al.encoder.windows([[1]] * len(words))
    cores = [i for _, cs, ce, _ in wins for i in range(cs, ce)]
    assert cores == list(range(len(words)))  # every word in exactly one core
    assert all(r - l <= al.encoder.loaded.window for l, _, _, r in wins)
    (e,) = al.embed([words])
    assert e.word_of.tolist() == list(range(len(words)))
    assert al.align([words], [words])[0].pairs() == diag(len(words))


def test_embeddings_are_computed_once_and_shared(tiny):
    pool = EncoderPool()
    al = EmbeddingAligner(tiny, layer=2, cache_size=100, encoders=pool)
    al.clear_cache()
    model = al.load().encoder.loaded.model
    calls = []
    orig = model.forward

    def counting(*a, **k):
        calls.append(1)
        return orig(*a, **k)

    model.forward = counting
    try:
        res = al.align_all_methods([S1, S2], [S2, S1])
        assert sorted(res) == ["argmax", "itermax", "match", "softmax"]
        n = len(calls)
        assert n == 1  # 2 distinct sentences, one batch
        other = EmbeddingAligner(tiny, layer=2, method="itermax", encoders=pool)  # same pool and settings
        assert other.encoder is al.encoder
        assert [a.pairs() for a in other.align([S1], [S2])] == [a.pairs() for a in res["itermax"][:1]]
        assert len(calls) == n
        assert al.with_method("match").encoder is al.encoder
    finally:
        model.forward = orig
    # no process-wide cache: an aligner outside the pool has its own encoder and vectors
    alone = EmbeddingAligner(tiny, layer=2)
    assert alone.encoder is not al.encoder and len(alone.encoder.cache) == 0
    with pool:
        pass
    assert len(al.encoder.cache) == 0 and al.encoder._loaded is None


def test_empty_sentences(tiny):
    al = EmbeddingAligner(tiny, layer=1)
    out = al.align([[], S1], [S1, []])
    assert [len(a) for a in out] == [0, 0]


def test_registry_and_errors(tiny, tmp_path):
    al = build_aligner("embedding", {"embedding": {"model": tiny, "layer": 1, "method": "itermax"}})
    assert isinstance(al, EmbeddingAligner) and al.method == "itermax"
    with pytest.raises(ConfigError):
        EmbeddingAligner(tiny, method="nope")
    with pytest.raises(ConfigError):
        EmbeddingAligner(tiny, pooling="max")
    with pytest.raises(ModelError):
        EmbeddingAligner(str(tmp_path / "missing"), layer=1).align([S1], [S1])
    with pytest.raises(ConfigError):
        EmbeddingAligner(tiny, layer=5).align([S1], [S1])  # the tiny model has 2 layers


@pytest.mark.skipif(not os.environ.get("PROJNER_E5"), reason="set PROJNER_E5 to the e5-small folder")
def test_real_e5_aligns_english_french():
    al = EmbeddingAligner(os.environ["PROJNER_E5"], layer=[6, 7], method="argmax")
    out = al.align(["the house is small .".split()], ["la maison est petite .".split()])
    assert out[0].pairs() == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4)]


@pytest.mark.parametrize("center", ["batch", "sentence"])
def test_centering_and_distortion_keep_identical_sentences_diagonal(tiny, center):
    al = EmbeddingAligner(tiny, layer=2, method="softmax", temperature=0.05, threshold=0.4, distortion=0.5,
                          center=center)
    out = al.align([S1, S2], [S1, S2])
    assert [a.pairs() for a in out] == [diag(len(S1)), diag(len(S2))]
    sims = al.similarities([S1], [S1])[0]
    assert np.allclose(np.diag(sims), 1.0, atol=1e-4)
    with pytest.raises(ConfigError):
        EmbeddingAligner(tiny, center="corpus")


def test_bare_word_boundary_piece_is_left_out_of_pooling(tiny):
    al = EmbeddingAligner(tiny, layer=2, pooling="subword", cache_size=10)
    loaded = al.load().encoder.loaded
    saved = loaded.space_id
    try:
        # pretend '##ing' were SentencePiece's bare '▁': 'playing' is then pooled from 'play' alone
        loaded.space_id = loaded.tokenizer.convert_tokens_to_ids("##ing")
        al.clear_cache()
        (e,) = al.embed([SUB])
        assert e.word_of.tolist() == [0, 1, 2, 3, 4]
    finally:
        loaded.space_id = saved
        al.clear_cache()


def test_dtype_resolution(tiny, monkeypatch):
    from projner.align import encoder_model as emb

    monkeypatch.setattr(emb, "cpu_has_bf16", lambda: True)
    assert emb.resolve_dtype("auto", "cpu") == "bfloat16"
    assert emb.resolve_dtype("auto", "cuda") == "float32"
    monkeypatch.setattr(emb, "cpu_has_bf16", lambda: False)
    assert emb.resolve_dtype("auto", "cpu") == "float32"
    assert emb.resolve_dtype("float16", "cpu") == "float16"
    with pytest.raises(ConfigError):
        emb.resolve_dtype("int3", "cpu")
    al = EmbeddingAligner(tiny, layer=2, dtype="bfloat16")
    assert al.align([S1], [S1])[0].pairs() == diag(len(S1))
