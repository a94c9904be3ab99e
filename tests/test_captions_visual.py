"""The CLIP-style visual candidate scorer on a tiny randomly initialised CLIP saved to a temp dir."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
Image = pytest.importorskip("PIL.Image")

from projner.captions.visual import ClipScorer  # noqa: E402
from projner.errors import InputError, ModelError  # noqa: E402
from projner.types import Alignment, Pair, Sentence, Span  # noqa: E402


def _bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory):
    """A 2-layer CLIP (hidden 32, 32×32 images) with a byte-level BPE vocabulary, saved with its processor."""
    from transformers import CLIPConfig, CLIPModel, CLIPProcessor, CLIPTokenizer

    try:
        from transformers import CLIPImageProcessorPil as ImageProcessor  # transformers >= 5 without torchvision
    except ImportError:  # pragma: no cover - older transformers
        from transformers import CLIPImageProcessor as ImageProcessor

    d = tmp_path_factory.mktemp("tiny-clip")
    chars = list(_bytes_to_unicode().values())
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({c + "</w>": len(chars) + i for i, c in enumerate(chars)})
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    (d / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (d / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    tok = CLIPTokenizer(str(d / "vocab.json"), str(d / "merges.txt"))
    torch.manual_seed(0)
    cfg = CLIPConfig(
        text_config=dict(vocab_size=len(vocab), hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=77, bos_token_id=vocab["<|startoftext|>"],
                         eos_token_id=vocab["<|endoftext|>"], pad_token_id=vocab["<|endoftext|>"]),
        vision_config=dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8),
        projection_dim=16,
    )
    CLIPModel(cfg).eval().save_pretrained(d)
    proc = CLIPProcessor(image_processor=ImageProcessor(size={"shortest_edge": 32},
                                                        crop_size={"height": 32, "width": 32}), tokenizer=tok)
    proc.save_pretrained(d)
    return d


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = tmp_path_factory.mktemp("images")
    red = Image.new("RGB", (40, 30), (220, 20, 20))
    stripes = Image.new("RGB", (24, 24), (0, 0, 0))
    for x in range(0, 24, 4):
        for y in range(24):
            stripes.putpixel((x, y), (255, 255, 255))
    red.save(d / "red.png")
    stripes.save(d / "stripes.jpg")
    return d


def make_pair(image=None):
    src = Sentence(["The", "dog", "Rex", "runs", "in", "Hyde", "Park"], [Span(2, 3, "PER"), Span(5, 7, "LOC")])
    tgt = Sentence(["Der", "Hund", "Rex", "rennt", "im", "Hyde", "Park"])
    meta = {} if image is None else {"image": image}
    return Pair(src, tgt, Alignment([(1, 1), (2, 2), (3, 3), (5, 5), (6, 6)]), meta)


CANDS = [(1, 2), (2, 3), (1, 3), (5, 7), (6, 7)]


def test_scores_shape_range_and_minmax(tiny_clip, images):
    sc = ClipScorer(tiny_clip)
    pair = make_pair(str(images / "red.png"))
    m = sc(pair, pair.source.spans, CANDS)
    assert m.shape == (2, 5)
    assert np.all((m >= 0) & (m <= 1))
    assert m[0].max() == pytest.approx(1.0) and m[0].min() == pytest.approx(0.0)
    assert np.array_equal(m[0], m[1])  # the image scores candidates, whatever the entity
    # deterministic, and the same as scoring without the caches
    assert np.array_equal(m, ClipScorer(tiny_clip)(pair, pair.source.spans, CANDS))
    assert np.array_equal(m, sc(pair, pair.source.spans, CANDS))


def test_matches_the_model_directly(tiny_clip, images):
    from transformers import AutoModel, AutoProcessor

    model = AutoModel.from_pretrained(tiny_clip).eval()
    proc = AutoProcessor.from_pretrained(tiny_clip)
    texts = ["Hund", "Rex", "Hund Rex", "Hyde Park", "Park"]
    img = Image.open(images / "stripes.jpg").convert("RGB")
    inputs = proc(text=texts, images=[img], return_tensors="pt", padding=True)
    with torch.no_grad():
        logits = model(**inputs).logits_per_image[0].numpy()
    expect = (logits - logits.min()) / (logits.max() - logits.min())
    got = ClipScorer(tiny_clip).candidate_scores(make_pair().target.tokens, CANDS, images / "stripes.jpg")
    assert got == pytest.approx(expect, abs=1e-4)
    soft = ClipScorer(tiny_clip, normalize="softmax").candidate_scores(make_pair().target.tokens, CANDS, img)
    assert soft.max() == pytest.approx(1.0) and np.argmax(soft) == np.argmax(logits)
    cos = ClipScorer(tiny_clip, normalize="cosine").candidate_scores(make_pair().target.tokens, CANDS, img)
    assert np.all((cos > 0) & (cos < 1))


def test_no_image_contributes_nothing(tiny_clip):
    sc = ClipScorer(tiny_clip)
    pair = make_pair()
    assert sc(pair, pair.source.spans, CANDS) is None  # abstains
    assert sc._model is None  # the model is not even loaded
    # in matching, an abstaining scorer leaves the other signals' scores unchanged
    from projner.project import MatchingOptions, ScoreWeights, project_candidates
    from projner.types import Alignment

    links = Alignment([(i, i) for i in range(min(len(pair.source), len(pair.target)))])
    plain = project_candidates(pair.source, pair.target, links, "ilp")
    with_clip = project_candidates(pair.source, pair.target, links, "ilp",
                                   MatchingOptions(weights=ScoreWeights(extra=((0.5, sc),))))
    assert with_clip.spans == plain.spans and [s.score for s in with_clip.spans] == [s.score for s in plain.spans]


def test_relative_image_paths_and_errors(tiny_clip, images, tmp_path):
    sc = ClipScorer(tiny_clip, image_dir=images)
    pair = make_pair("red.png")
    assert sc(pair, pair.source.spans, CANDS).shape == (2, 5)
    with pytest.raises(InputError, match="image file not found"):
        sc(make_pair("missing.png"), pair.source.spans, CANDS)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(InputError, match="cannot read image"):
        ClipScorer(tiny_clip)(make_pair(str(bad)), pair.source.spans, CANDS)
    with pytest.raises(ModelError, match="not found"):
        ClipScorer(tmp_path / "no-model")(make_pair(str(images / "red.png")), pair.source.spans, CANDS)
    with pytest.raises(ValueError):
        ClipScorer(tiny_clip, normalize="zscore")
    with pytest.raises(ValueError):
        ClipScorer(tiny_clip, template="a photo")


def test_inside_candidate_matching(tiny_clip, images):
    from projner.project import build_projector

    pair = make_pair(str(images / "red.png"))
    proj = build_projector("ilp", extra=((0.2, ClipScorer(tiny_clip, template="a photo of {}")),))
    out = proj(pair.source, pair.target, pair.alignment, pair.meta)
    assert {(s.start, s.end, s.label) for s in out.spans} == {(2, 3, "PER"), (5, 7, "LOC")}
    plain = build_projector("ilp")(pair.source, pair.target, pair.alignment)
    assert [(s.start, s.end, s.label) for s in plain.spans] == [(s.start, s.end, s.label) for s in out.spans]
