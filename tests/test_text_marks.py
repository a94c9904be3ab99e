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
