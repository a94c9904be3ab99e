"""Entity-level voting over the predictions of several transfer pipelines."""

import pytest

from projner.ensemble import vote_entities
from projner.errors import InputError
from projner.types import Sentence, Span

TOK = "Ana Costa visitou o Banco de Portugal em Lisboa".split()


def S(*spans):
    return Sentence(TOK, [Span(a, b, lab) for a, b, lab in spans])


def spans(s):
    return [(x.start, x.end, x.label) for x in s.spans]


def test_strict_majority_by_default():
    a = S((0, 2, "PER"), (4, 7, "ORG"), (8, 9, "LOC"))
    b = S((0, 2, "PER"), (4, 5, "ORG"), (8, 9, "LOC"))
    c = S((0, 1, "PER"), (4, 7, "ORG"))
    (out,) = vote_entities([[a], [b], [c]])
    assert spans(out) == [(0, 2, "PER"), (4, 7, "ORG"), (8, 9, "LOC")]
    assert out.spans[0].score == pytest.approx(2 / 3)
    (two,) = vote_entities([[a], [b]])  # with two members: both must agree
    assert spans(two) == [(0, 2, "PER"), (8, 9, "LOC")]


def test_union_with_priority_tie_rule():
    a = S((4, 7, "ORG"))
    b = S((4, 5, "ORG"), (6, 7, "LOC"), (8, 9, "LOC"))
    (out,) = vote_entities([[a], [b]], min_votes=1)
    # equal votes: the first member's entity wins the overlap; non-overlapping ones from b survive
    assert spans(out) == [(4, 7, "ORG"), (8, 9, "LOC")]
    (rev,) = vote_entities([[b], [a]], min_votes=1)
    assert spans(rev) == [(4, 5, "ORG"), (6, 7, "LOC"), (8, 9, "LOC")]


def test_more_votes_beat_priority_and_weights_count():
    a = S((4, 7, "ORG"))
    b = S((4, 5, "ORG"))
    c = S((4, 5, "ORG"))
    (out,) = vote_entities([[a], [b], [c]], min_votes=1)
    assert spans(out) == [(4, 5, "ORG")]
    (w,) = vote_entities([[a], [b], [c]], weights=[3, 1, 1], min_votes=1)
    assert spans(w) == [(4, 7, "ORG")]


def test_mismatches_are_clear_errors():
    with pytest.raises(InputError, match="prediction set 2 has 2 sentences, the first has 1"):
        vote_entities([[S()], [S(), S()]])
    with pytest.raises(InputError, match="sentence 1: prediction set 2 has 2 tokens, the first has 9"):
        vote_entities([[S()], [Sentence(["a", "b"])]])
    with pytest.raises(InputError, match=r"min_votes must be in \(0, 2\]"):
        vote_entities([[S()], [S()]], min_votes=3)
    with pytest.raises(InputError, match="2 weights for 1 sets"):
        vote_entities([[S()]], weights=[1, 2])
