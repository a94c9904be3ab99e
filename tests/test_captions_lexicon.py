"""Lexicon induction from image-level co-occurrence, priors, lexicon aligner and scorer."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from projner.captions import (CaptionLexiconAligner, Lexicon, LexiconEntry, LexiconScorer, caption_bitext,
                              image_bags, induce_lexicon, lexicon_from_corpus, write_eflomal_priors)
from projner.captions.lexicon import g2
from projner.errors import InputError
from projner.io.captions import ImageCaptions
from projner.types import Pair, Sentence, Span

FIX = Path(__file__).parent / "fixtures" / "captions"


def toy_bags():
    """10 images. dog/hund share 3 of 4 images, cat/katze 3 of 3, man/mann 4 of 4|5;
    'a' and 'ein' are in every image (no evidence of association)."""
    en = {w: set(ims) for w, ims in {
        "dog": (1, 2, 3, 4), "cat": (5, 6, 7), "man": (1, 5, 8, 9), "a": range(1, 11)}.items()}
    de = {w: set(ims) for w, ims in {
        "hund": (1, 2, 3, 5), "katze": (5, 6, 7), "mann": (1, 5, 8, 9, 10), "ein": range(1, 11)}.items()}
    return [({w for w, s in en.items() if i in s}, {w for w, s in de.items() if i in s}) for i in range(1, 11)]


def test_g2_matches_the_textbook_formula():
    c, a, b, n = 3, 4, 4, 10
    table = [[c, a - c], [b - c, n - a - b + c]]
    rows = [a, n - a]
    cols = [b, n - b]
    expect = 2 * sum(table[i][j] * math.log(table[i][j] / (rows[i] * cols[j] / n))
                     for i in range(2) for j in range(2) if table[i][j])
    assert g2(np.array([c]), np.array([a]), np.array([b]), n)[0] == pytest.approx(expect)


def test_toy_lexicon_exact_top_pairs():
    lex = induce_lexicon(toy_bags(), min_count=2, min_cooc=2, min_g2=0.0, top_k=1)
    assert [(e.src, e.tgt, e.score) for e in lex] == [
        ("cat", "katze", 1.0), ("man", "mann", pytest.approx(8 / 9, abs=1e-6)), ("dog", "hund", 0.75)]
    e = lex.entries[2]
    assert (e.cooc, e.src_count, e.tgt_count) == (3, 4, 4)
    assert lex.meta["images"] == 10
    # 'a'/'ein' co-occur in all 10 images but exactly as often as chance predicts: dropped
    assert ("a", "ein") not in lex


def test_mutual_top_k_and_significance_filter():
    lex2 = induce_lexicon(toy_bags(), min_count=2, min_cooc=2, min_g2=0.0, top_k=2)
    # man–hund (2 shared images) is each word's second best: kept with top_k=2 only
    assert ("man", "hund") in lex2 and lex2.score("man", "hund") == pytest.approx(0.5)
    assert len(lex2) == 4
    strict = induce_lexicon(toy_bags(), min_count=2, min_cooc=2, min_g2=3.84, top_k=2)
    assert ("man", "hund") not in strict  # G² ≈ 0.4: not significant
    assert ("cat", "katze") in strict
    # min_count=4 drops cat/katze (3 images); with top_k=1 dog/hund and man/mann remain
    frequent = induce_lexicon(toy_bags(), min_count=4, min_cooc=2, min_g2=0.0, top_k=1)
    assert [(e.src, e.tgt) for e in frequent] == [("man", "mann"), ("dog", "hund")]
    npmi = induce_lexicon(toy_bags(), measure="npmi", min_count=2, min_cooc=2, min_g2=0.0, top_k=1)
    assert npmi.score("cat", "katze") == pytest.approx(1.0)
    assert 0 < npmi.score("dog", "hund") < 1
    assert len(induce_lexicon([], min_count=1)) == 0
    with pytest.raises(ValueError):
        induce_lexicon(toy_bags(), measure="chi2")


def test_image_bags_tokenise_lowercase_and_drop_punctuation():
    rec = ImageCaptions("x.jpg", {"en": ("A dog, 2 cats.", "The DOG"), "de": ("Ein Hund!",)})
    assert list(image_bags([rec], "en", "de")) == [({"a", "dog", "cats", "the"}, {"ein", "hund"})]
    assert list(image_bags([rec], "en", "fr")) == []


def test_lexicon_from_corpus_fixture():
    lex = lexicon_from_corpus(FIX / "multi30k", "en", "de", splits=("test_2016",), task=2,
                              min_count=2, min_cooc=2, min_g2=0.0)
    # 'dog'/'hund' in image 2001 only... each appears in one image: below min_count=2
    assert len(lex) == 0
    lex = lexicon_from_corpus(FIX / "multi30k", "en", "de", splits=("test_2016",), task=2,
                              min_count=1, min_cooc=1, min_g2=0.0, top_k=5)
    assert lex.meta["images"] == 2 and lex.meta["task"] == 2
    # two images: every word of image 2001 only is perfectly associated with every other
    assert lex.score("dog", "hund") == 1.0 and lex.score("dog", "brauner") == 1.0
    assert lex.score("dog", "ein") == 0.0  # 'ein' is in both images: no association
    src, tgt = caption_bitext(FIX / "multi30k", "en", "de", splits=("train",))
    assert len(src) == 3 and tgt[2][-2:] == ["Fahrrad", "."]


def test_save_load_round_trip_and_errors(tmp_path):
    lex = induce_lexicon(toy_bags(), min_count=2, min_cooc=2, min_g2=0.0, top_k=1)
    p = tmp_path / "lex.tsv"
    assert lex.save(p) == 3
    again = Lexicon.load(p)
    assert again.meta["images"] == 10 and again.meta["top_k"] == 1
    assert [(e.src, e.tgt, e.score, e.cooc) for e in again] == [(e.src, e.tgt, e.score, e.cooc) for e in lex]
    small = Lexicon.load(FIX / "lexicon.tsv")
    assert small.score("Dog", "HUND") == 0.9 and small.translations("dog") == [("hund", 0.9)]
    for text, msg in [("a\tb\n", "3 or 7"), ("a\tb\tx\n", "numbers"), ("a\tb\t1.5\n", "in [0, 1]")]:
        bad = tmp_path / "bad.tsv"
        bad.write_text("# header\n" + text, encoding="utf-8")
        with pytest.raises(InputError) as ei:
            Lexicon.load(bad)
        assert ei.value.line == 2 and msg in ei.value.message


def test_eflomal_priors_file_is_read_by_eflomal(tmp_path):
    import eflomal

    lex = Lexicon([LexiconEntry("dog", "hund", 0.75), LexiconEntry("cat", "katze", 1.0)])
    p = tmp_path / "priors.txt"
    assert write_eflomal_priors(lex, p, scale=2.0) == 2
    assert p.read_text(encoding="utf-8") == "LEX\tcat\tkatze\t2\nLEX\tdog\thund\t1.5\n"
    with open(p, encoding="utf-8") as fh:
        priors_list, hmmf, hmmr, ferf, ferr = eflomal.read_priors(fh)
    assert priors_list == [("cat", "katze", 2.0), ("dog", "hund", 1.5)]
    # and the aligner runs with them
    from projner.align import EflomalAligner

    src = [["the", "dog"], ["the", "cat"], ["a", "dog", "and", "a", "cat"]] * 3
    tgt = [["der", "hund"], ["die", "katze"], ["ein", "hund", "und", "eine", "katze"]] * 3
    out = EflomalAligner(priors=str(p), n_samplers=1).align(src, tgt)
    assert len(out) == 9 and (1, 1) in out[0].pairs()


def pair(src, tgt, spans=()):
    return Pair(Sentence(src, spans, allow_overlap=True), Sentence(tgt))


def test_caption_lexicon_aligner_links_and_registry():
    lex = Lexicon.load(FIX / "lexicon.tsv")
    al = CaptionLexiconAligner(lex, threshold=0.5)
    out = al.align([["The", "dog", "runs", "in", "the", "park"]], [["Der", "Hund", "rennt", "im", "Park"]])
    assert out[0].pairs() == [(1, 1), (2, 2), (5, 4)]
    assert out[0].scores.tolist() == pytest.approx([0.9, 0.5, 0.8])
    assert CaptionLexiconAligner(lex, threshold=0.6).align([["dog", "runs"]], [["Hund", "rennt"]])[0].pairs() == [(0, 0)]
    from projner.align import build_aligner

    combo = build_aligner("lexical|caption-lexicon", {"caption-lexicon": {"lexicon": str(FIX / "lexicon.tsv")}})
    links = combo.align([["Commission", "dog"]], [["Kommission", "Hund"]])[0].pairs()
    assert links == [(0, 0), (1, 1)]


def test_lexicon_scorer_exact_values():
    lex = Lexicon.load(FIX / "lexicon.tsv")
    sc = LexiconScorer(lex)
    p = pair(["The", "dog", "park"], ["Der", "Hund", "im", "Park"], [Span(1, 2, "X"), Span(1, 3, "Y")])
    cands = [(1, 2), (1, 4), (0, 1)]
    m = sc(p, p.source.spans, cands)
    assert m.shape == (2, 3)
    # entity "dog" vs "Hund": (0.9 + 0.9) / 2; vs "Hund im Park": (0.9 + 0.9) / 4; vs "Der": 0
    assert m[0].tolist() == pytest.approx([0.9, 0.45, 0.0])
    # entity "dog park" vs "Hund im Park": (0.9 + 0.8 + 0.9 + 0.8) / 5
    assert m[1, 1] == pytest.approx(3.4 / 5)
    assert sc(pair(["x"], ["y"], [Span(0, 1, "X")]), [Span(0, 1, "X")], [(0, 1)]).tolist() == [[0.0]]


def test_lexicon_scorer_inside_candidate_matching():
    from projner.project import build_projector
    from projner.types import Alignment

    lex = Lexicon.load(FIX / "lexicon.tsv")
    src = Sentence(["The", "Commission", "agrees"], [Span(1, 2, "ORG")])
    tgt = Sentence(["Die", "Kommission", "stimmt", "zu"])
    proj = build_projector("ilp", extra=((0.5, LexiconScorer(lex)),))
    out = proj(src, tgt, Alignment([(1, 1)]))
    assert [(s.start, s.end, s.label) for s in out.spans] == [(1, 2, "ORG")]


def test_jsonl_corpus_is_read_once_whatever_the_splits(tmp_path):
    from projner.io.captions import read_multi30k, write_caption_jsonl

    p = tmp_path / "comparable.jsonl"
    write_caption_jsonl(p, read_multi30k(FIX / "multi30k", "test_2016", task=2))
    lex = lexicon_from_corpus(p, splits=("train", "val"), min_count=1, min_cooc=1, min_g2=0.0, top_k=5)
    assert lex.meta["images"] == 2 and lex.score("dog", "hund") == 1.0
    t = tmp_path / "translations.jsonl"
    write_caption_jsonl(t, read_multi30k(FIX / "multi30k", "train", task=1))
    src, tgt = caption_bitext(t, splits=("train", "val"))
    assert len(src) == 3
