import numpy as np
import pytest

from projner.types import Alignment, Sentence, Span, iob_to_spans, spans_to_iob2


def test_span_validation():
    with pytest.raises(ValueError, match=r"invalid span \[3, 3\)"):
        Span(3, 3, "PER")
    with pytest.raises(ValueError, match="non-empty"):
        Span(0, 1, "")


def test_sentence_spans_sorted_and_checked():
    s = Sentence(["a", "b", "c"], [Span(2, 3, "LOC"), Span(0, 1, "PER")])
    assert [x.start for x in s.spans] == [0, 2]
    assert s.tags() == ["B-PER", "O", "B-LOC"]
    with pytest.raises(ValueError, match=r"outside a sentence of 3 tokens"):
        Sentence(["a", "b", "c"], [Span(2, 4, "LOC")])
    with pytest.raises(ValueError, match=r"overlapping spans \[0, 2\) and \[1, 3\)"):
        Sentence(["a", "b", "c"], [Span(0, 2, "A"), Span(1, 3, "B")])
    Sentence(["a", "b", "c"], [Span(0, 2, "A"), Span(1, 3, "B")], allow_overlap=True)


def test_iob_schemes_to_spans():
    assert iob_to_spans(["B-PER", "I-PER", "O", "B-LOC"]) == [Span(0, 2, "PER"), Span(3, 4, "LOC")]
    # IOB1: I- starts an entity, B- separates adjacent entities of one type
    assert iob_to_spans(["I-PER", "I-PER", "B-PER", "O"]) == [Span(0, 2, "PER"), Span(2, 3, "PER")]
    # BIOES
    assert iob_to_spans(["S-LOC", "B-ORG", "I-ORG", "E-ORG", "O"]) == [Span(0, 1, "LOC"), Span(1, 4, "ORG")]
    assert spans_to_iob2([Span(1, 3, "ORG")], 4) == ["O", "B-ORG", "I-ORG", "O"]


def test_alignment_algebra():
    a = Alignment([(1, 1), (0, 0), (0, 0), (2, 1)])
    assert a.pairs() == [(0, 0), (1, 1), (2, 1)]
    b = Alignment([(1, 1), (2, 2)])
    assert a.union(b).pairs() == [(0, 0), (1, 1), (2, 1), (2, 2)]
    assert a.intersection(b).pairs() == [(1, 1)]
    assert a.difference(b).pairs() == [(0, 0), (2, 1)]
    assert a.transpose().pairs() == [(0, 0), (1, 1), (1, 2)]
    assert a.compose(Alignment([(1, 5), (0, 3)])).pairs() == [(0, 3), (1, 5), (2, 5)]
    assert a.targets_of([1, 2]).tolist() == [1]
    m = a.to_matrix(3, 2)
    assert m.tolist() == [[True, False], [False, True], [False, True]]
    with pytest.raises(ValueError, match=r"link 2-1 is out of range for 2 source and 2 target tokens"):
        a.check_bounds(2, 2)


def test_alignment_scores_and_possible():
    a = Alignment([(0, 0), (0, 0), (1, 1)], scores=[0.2, 0.9, 0.5])
    assert a.pairs() == [(0, 0), (1, 1)]
    assert np.allclose(a.scores, [0.9, 0.5])
    p = Alignment([(0, 0), (1, 1)], possible=[False, True])
    assert p.sure().pairs() == [(0, 0)]
