"""Ensembles: weighted voting and neural filtering / rescue of statistical links."""

import numpy as np
import pytest

from projner.align import build_aligner
from projner.align.ensemble import RescueAligner, VoteAligner, rescue, vote
from projner.errors import ConfigError
from projner.types import Alignment


def test_vote_keeps_links_with_enough_weight():
    a = Alignment([(0, 0), (1, 1)])
    b = Alignment([(0, 0), (1, 2)])
    c = Alignment([(0, 0), (1, 1), (2, 2)])
    out = vote([a, b, c], [1, 1, 1], 0.6)
    assert out.pairs() == [(0, 0), (1, 1)]
    assert out.scores.tolist() == pytest.approx([1.0, 2 / 3])
    # a heavier member decides alone
    assert vote([a, b, c], [1, 1, 3], 0.6).pairs() == [(0, 0), (1, 1), (2, 2)]


def test_vote_with_scores_and_similarity():
    a = Alignment([(0, 0), (1, 1)], [1.0, 0.2])
    sim = np.array([[0.9, 0.0], [0.0, -0.5]])
    # vote of (0,0) = (1*1.0 + 1*0.9)/2 = 0.95; (1,1) = (0.2 + 0)/2 = 0.1
    out = vote([a], [1.0], 0.5, use_scores=True, similarity=sim, similarity_weight=1.0)
    assert out.pairs() == [(0, 0)]
    assert out.scores.tolist() == pytest.approx([0.95])
    assert len(vote([], [], 0.5)) == 0


def test_rescue_filters_and_completes():
    base = Alignment([(0, 0), (1, 2)])
    neural = Alignment([(0, 0), (1, 1), (2, 2)])
    sim = np.array([[0.8, 0.0, 0.0], [0.0, 0.6, 0.1], [0.0, 0.0, 0.7]])
    out = rescue(base, neural, sim, filter_threshold=0.3, rescue_threshold=0.5)
    # (1,2) filtered (0.1); (1,1) and (2,2) rescued (row 1 / row 2 unaligned)
    assert out.pairs() == [(0, 0), (1, 1), (2, 2)]
    assert out.scores.tolist() == pytest.approx([0.8, 0.6, 0.7])
    assert rescue(base, neural, sim, filter_threshold=None, rescue_threshold=None).pairs() == base.pairs()


def test_vote_aligner_by_name_with_tiny_encoder(tiny_encoder):
    src = ["Angela Merkel visited Paris .".split()]
    tgt = ["Angela Merkel besuchte Paris .".split()]
    al = build_aligner("embedding-vote", {"embedding-vote": {
        "model": tiny_encoder, "members": ["lexical", "embedding:argmax", "embedding:itermax"],
        "threshold": 0.6, "options": {"embedding": {"layer": 2}}}})
    assert isinstance(al, VoteAligner)
    out = al.align(src, tgt)[0]
    # lexical and both neural members agree on the identical words
    assert {(0, 0), (1, 1), (3, 3)} <= set(out.pairs())
    assert out.scores is not None and len(out.scores) == len(out)
    with pytest.raises(ConfigError):
        VoteAligner(members=["lexical"], weights=[1, 2])
    with pytest.raises(ConfigError):
        VoteAligner(members=["lexical"], similarity_weight=1.0)
    with pytest.raises(ConfigError):
        VoteAligner(members=["lexical:argmax"])


def test_vote_aligner_without_scores():
    src, tgt = ["Merkel visited Paris".split()], ["Merkel besuchte Paris".split()]
    scored = VoteAligner(members=["lexical"]).align(src, tgt)[0]
    plain = VoteAligner(members=["lexical"], scores="none").align(src, tgt)[0]
    assert scored.scores is not None and plain.scores is None
    assert plain.pairs() == scored.pairs() == [(0, 0), (2, 2)]
    with pytest.raises(ConfigError, match="scores must be 'vote', 'similarity' or 'none', not 'max'"):
        VoteAligner(members=["lexical"], scores="max")


def test_rescue_aligner_with_lexical_statistics(tiny_encoder):
    al = RescueAligner(statistical="lexical", model=tiny_encoder, embedding={"layer": 2}, filter_threshold=0.99,
                       rescue_threshold=0.99, lexical=False)
    s = "the house is small".split()
    # identical sentences: all neural links have similarity 1 and rescue the words lexical leaves out
    assert al.align([s], [s])[0].pairs() == [(0, 0), (1, 1), (2, 2), (3, 3)]


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from _tiny_encoder import build_tiny_bert

    return build_tiny_bert(tmp_path_factory.mktemp("tiny_bert_ens"))


def test_config_bitext_files_reach_eflomal_inside_a_vote(tmp_path):
    from projner.config import ProjectionConfig
    from projner.io import BitextFiles
    from projner.pipelines import make_aligner

    (tmp_path / "b.en").write_text("the house\nthe cat\n" * 20)
    (tmp_path / "b.de").write_text("das haus\ndie katze\n" * 20)
    cfg = ProjectionConfig(aligner="embedding-vote", bitext=[(str(tmp_path / "b.en"), str(tmp_path / "b.de"))],
                           aligner_options={"embedding-vote": {"members": ["eflomal", "lexical"], "threshold": 0.5}})
    al = make_aligner(cfg)
    assert al.members[0].bitext == [BitextFiles(tmp_path / "b.en", tmp_path / "b.de")]
    out = al.align([["the", "cat", "Paris"]], [["die", "katze", "Paris"]])[0]
    assert (2, 2) in out.pairs()
    assert len(al.members[0]._bitext_cache[0]) == 40
    assert al.members[0].trained_pairs == 41  # the pair aligned + 40 bitext pairs


def test_confirmed_links_and_vote_with_confirmation(tiny_encoder, monkeypatch):
    from projner.align.ensemble import confirmed

    sim = np.array([[0.9, 0.0, 0.0], [0.0, 0.7, 0.0], [0.0, 0.0, 0.1]])
    assert confirmed(Alignment([(0, 0), (1, 1), (2, 2)]), sim, 0.5).pairs() == [(0, 0), (1, 1)]
    assert len(confirmed(Alignment(), sim, 0.5)) == 0

    al = VoteAligner(members=["lexical", "embedding:argmax"], model=tiny_encoder, threshold=0.6,
                     confirm_similarity=0.5, confirm_member="lexical", options={"embedding": {"layer": 2}})
    monkeypatch.setattr(al.members[1], "align", lambda s, t: [Alignment([(1, 1)])])
    monkeypatch.setattr(al.neural, "similarities", lambda s, t: [sim])
    out = al.align([["Merkel", "visited", "Paris"]], [["Merkel", "besuchte", "Paris"]])[0]
    # lexical proposes (0,0) and (2,2); only (0,0) is confirmed (0.9 >= 0.5): 2 of 3 votes >= 0.6;
    # (2,2) and the neural (1,1) have one vote each
    assert out.pairs() == [(0, 0)]
    with pytest.raises(ConfigError, match="confirm_member 'eflomal' is not one of the members"):
        VoteAligner(members=["lexical", "embedding:argmax"], model=tiny_encoder, confirm_similarity=0.5)
    with pytest.raises(ConfigError, match="confirm_similarity needs an embedding member"):
        VoteAligner(members=["lexical"], confirm_similarity=0.5, confirm_member="lexical")


class _Statistical:
    """A stand-in for eflomal: fixed links, and the number of pairs it 'trained' on."""

    name = "eflomal"

    def __init__(self, links, trained_pairs):
        self.links, self.trained_pairs = links, trained_pairs

    def align(self, src, tgt):
        return [Alignment(self.links) for _ in src]


@pytest.mark.parametrize("trained, trust, expected", [
    (5000, 10000, [(0, 0)]),            # too little data: (2,2) is dissimilar (0.1), so unconfirmed
    (10000, 10000, [(0, 0), (2, 2)]),   # enough data: every eflomal link gets the confirmation vote
    (50000, None, [(0, 0)]),            # trust_pairs off: always checked
    (None, 1, [(0, 0)]),                # a member that does not say how much it saw is never trusted
])
def test_vote_trusts_a_statistical_member_trained_on_enough_pairs(tiny_encoder, monkeypatch, trained, trust,
                                                                  expected):
    sim = np.array([[0.9, 0.0, 0.0], [0.0, 0.7, 0.0], [0.0, 0.0, 0.1]])
    stat = _Statistical([(0, 0), (2, 2)], trained)
    al = VoteAligner(members=[stat, "embedding:argmax"], names=["eflomal", "embedding:argmax"], model=tiny_encoder,
                     threshold=0.6, confirm_similarity=0.5, trust_pairs=trust, scores="none",
                     options={"embedding": {"layer": 2}})
    monkeypatch.setattr(al.members[1], "align", lambda s, t: [Alignment([(1, 1)])])
    monkeypatch.setattr(al.neural, "similarities", lambda s, t: [sim])
    # (1,1): the encoder's link alone, 1 of 3 votes; (0,0): eflomal + confirmed (0.9 >= 0.5), 2 of 3
    assert al.align([["a", "b", "c"]], [["x", "y", "z"]])[0].pairs() == expected
    assert al.trusted() is (expected == [(0, 0), (2, 2)])


def test_trust_pairs_is_validated(tiny_encoder):
    with pytest.raises(ConfigError, match="trust_pairs needs confirm_similarity and must be a positive integer"):
        VoteAligner(members=["lexical", "embedding:argmax"], model=tiny_encoder, trust_pairs=1000)
    with pytest.raises(ConfigError, match="trust_pairs needs confirm_similarity and must be a positive integer"):
        VoteAligner(members=["lexical", "embedding:argmax"], model=tiny_encoder, confirm_similarity=0.5,
                    confirm_member="lexical", trust_pairs=0)
    with pytest.raises(ConfigError, match="trust_pairs needs confirm_similarity"):
        build_aligner("embedding-vote", {"embedding-vote": {"members": ["eflomal", "embedding"], "trust_pairs": 5}})
    with pytest.raises(ConfigError, match="trust_pairs"):
        build_aligner("embedding-vote", {"embedding-vote": {
            "members": ["eflomal", "embedding"], "confirm_similarity": 0.4, "trust_pairs": 0}})
