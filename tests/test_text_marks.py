from projner.text.marks import attach_marks, attach_marks_sentence, is_mark_token
from projner.types import Sentence, Span


def test_mark_tokens_are_glued_to_the_previous_word():
    toks = "Ìgbìmọ ̀ ilẹ ̀ Yúróòpù sọ lọ ́ jọ ́".split()
    assert is_mark_token("\u0300") and not is_mark_token("ọ") and not is_mark_token("")
    out, where = attach_marks(toks)
    assert out == ["Ìgbìmọ̀", "ilẹ̀", "Yúróòpù", "sọ", "lọ́", "jọ́"]
    assert where == [0, 0, 1, 1, 2, 3, 4, 4, 5, 5]
    assert attach_marks(["\u0301", "a"])[0] == ["\u0301", "a"]  # nothing to glue a first mark to


def test_spans_follow_the_merged_tokens():
    s = Sentence("Ìgbìmọ ̀ ilẹ ̀ Yúróòpù sọ".split(), [Span(0, 2, "ORG"), Span(2, 5, "LOC")])
    t = attach_marks_sentence(s)
    assert t.tokens == ("Ìgbìmọ̀", "ilẹ̀", "Yúróòpù", "sọ") and t.spans == (Span(0, 1, "ORG"), Span(1, 3, "LOC"))
    # a span that starts on a mark joins the word of the span before: dropped, no overlap
    s = Sentence(["a", "\u0301", "b"], [Span(0, 1, "PER"), Span(1, 3, "LOC")])
    assert attach_marks_sentence(s).spans == (Span(0, 1, "PER"),)
    plain = Sentence(["no", "marks"])
    assert attach_marks_sentence(plain) is plain


def test_split_marks_cuts_words_at_uncomposed_marks_and_maps_back():
    import unicodedata

    from projner.text.marks import split_marks, word_spans

    nfd = unicodedata.normalize("NFD", "Ọ̀yọ́")  # decomposed, as in MasakhaNER's files
    pieces, owner = split_marks(["wọ́n", "Jámánì", nfd, "Gẹ̀ẹ́sì"])
    assert pieces == ["wọ", "\u0301", "n", "Jámánì", "Ọ", "\u0300", "yọ", "\u0301",
                      "Gẹ", "\u0300", "ẹ", "\u0301", "sì"]
    assert owner == [0, 0, 0, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3]
    assert split_marks(pieces)[0] == pieces  # the split form is a fixed point
    # spans over pieces cover every word they touch; an overlapping one is dropped
    assert word_spans([Span(4, 5, "LOC"), Span(7, 9, "ORG"), Span(3, 4, "PER")], owner) == [
        Span(1, 2, "PER"), Span(2, 3, "LOC")]


def test_split_marks_sentence_canonical_training_form():
    from projner.text.marks import has_split_marks, split_marks_sentence

    # a mark split off its letter the other way round (è + dot below) is canonicalised: ẹ + grave
    s = Sentence("EU kò Gẹ ̀ ẹ ́ sì tì è \u0323".split(), [Span(0, 1, "ORG"), Span(2, 7, "LOC")])
    t = split_marks_sentence(s)
    assert t.tokens == ("EU", "kò", "Gẹ", "\u0300", "ẹ", "\u0301", "sì", "tì", "ẹ", "\u0300")
    assert t.spans == (Span(0, 1, "ORG"), Span(2, 7, "LOC"))
    # a glued word in training data is cut, its span grows over the pieces
    g = split_marks_sentence(Sentence(["wọ́n", "Gẹ̀ẹ́sì"], [Span(1, 2, "LOC")]))
    assert g.tokens == ("wọ", "\u0301", "n", "Gẹ", "\u0300", "ẹ", "\u0301", "sì") and g.spans == (Span(3, 8, "LOC"),)
    plain = Sentence(["no", "marks"])
    assert split_marks_sentence(plain) is plain
    assert has_split_marks([s] * 4) and not has_split_marks([s] * 3) and not has_split_marks([["Jámánì"] * 50])
