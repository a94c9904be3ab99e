import numpy as np
import pytest

from projner.project import (HeuristicOptions, build_projector, ngram_candidates,
                             project_candidates, project_heuristic, runs)
from projner.project.matching import match_bipartite, match_greedy, match_ilp
from projner.types import Alignment, Sentence, Span


def test_runs_merge_distance():
    assert runs(np.array([1, 2, 4, 7]), 0) == [(1, 3), (4, 5), (7, 8)]
    assert runs(np.array([1, 2, 4, 7]), 1) == [(1, 5), (7, 8)]
    assert runs(np.array([], dtype=int), 1) == []


def test_heuristic_projection():
    src = Sentence("the European Parliament in Strasbourg".split(), [Span(1, 3, "ORG"), Span(4, 5, "LOC")])
    tgt = Sentence("das Parlament , Europas , in Straßburg".split())
    a = Alignment([(0, 0), (1, 3), (2, 1), (3, 5), (4, 6)])
    out = project_heuristic(src, tgt, a, merge_distance=0)
    # two runs for ORG; the longest (first on ties) wins
    assert out.spans == (Span(1, 2, "ORG", 0.5), Span(6, 7, "LOC", 1.0))
    out = project_heuristic(src, tgt, a, merge_distance=1)
    assert out.spans == (Span(1, 4, "ORG", 1.0), Span(6, 7, "LOC", 1.0))
    out = project_heuristic(src, tgt, a, HeuristicOptions(merge_distance=0, keep="all"))
    assert [(s.start, s.end) for s in out.spans] == [(1, 2), (3, 4), (6, 7)]
    out = project_heuristic(src, tgt, a, merge_distance=0, min_ratio=1.0)
    assert out.spans == (Span(6, 7, "LOC", 1.0),)
    assert out.tokens == tgt.tokens


def test_ngram_candidates_do_not_cross_punctuation():
    toks = "Herr Müller , sagte Procter & Gamble .".split()
    c = ngram_candidates(toks, 3)
    assert (0, 2) in c and (4, 7) in c
    assert not any(s <= 2 < e for s, e in c)  # the comma
    assert (5, 6) not in c  # starts on '&'
    assert (4, 6) not in c  # ends on '&'
    assert all(e <= 7 for s, e in c)


def test_matchers_exact_and_ilp_optimal():
    # two entities, three candidates; candidate 0 overlaps candidate 1
    cands = [(0, 2), (1, 3), (3, 4)]
    scores = np.array([[0.9, 0.0, 0.0], [0.85, 0.8, 0.0]])
    # greedy takes (0,0)=0.9, then entity 1's candidates 0 (taken) and 1 overlap -> nothing for entity 1
    assert match_greedy(scores, cands, 4) == [(0, 0, 0.9)]
    ilp = match_ilp(scores, cands, 4)
    assert ilp == [(0, 0, 0.9)]  # (0,0)+(1,1) overlap at token 1: 0.9 is the optimum
    scores2 = np.array([[0.9, 0.0, 0.8], [0.85, 0.0, 0.0]])
    assert match_greedy(scores2, cands, 4) == [(0, 0, 0.9)]
    assert match_ilp(scores2, cands, 4) == [(0, 2, 0.8), (1, 0, 0.85)]
    assert sorted(match_bipartite(scores2, cands, 4)) == [(0, 2, 0.8), (1, 0, 0.85)]
    # k = 2: entity 0 may take two disjoint candidates
    scores3 = np.array([[0.9, 0.0, 0.7]])
    assert match_ilp(scores3, cands, 4, k=2) == [(0, 0, 0.9), (0, 2, 0.7)]
    assert match_greedy(scores3, cands, 4, k=2) == [(0, 0, 0.9), (0, 2, 0.7)]


def test_candidate_projection_end_to_end():
    src = Sentence("I met the United Nations envoy in New York .".split(), [Span(3, 5, "ORG"), Span(7, 9, "LOC")])
    tgt = Sentence("Ich traf den Gesandten der Vereinten Nationen in New York .".split())
    a = Alignment([(0, 0), (1, 1), (2, 2), (3, 5), (4, 6), (5, 3), (6, 7), (7, 8), (8, 9), (9, 10)])
    for method in ("greedy", "bipartite", "ilp"):
        out = project_candidates(src, tgt, a, method)
        assert [(s.start, s.end, s.label) for s in out.spans] == [(5, 7, "ORG"), (8, 10, "LOC")], method
        assert all(0 < s.score <= 1 for s in out.spans)


def test_build_projector_options_and_errors():
    p = build_projector("ilp", lexical=0.0, min_score=0.5, k=1)
    src = Sentence(["Paris"], [Span(0, 1, "LOC")])
    assert p(src, Sentence(["Paris"]), Alignment([(0, 0)])).spans == (Span(0, 1, "LOC", 0.941176),)
    with pytest.raises(ValueError, match="unknown projection method 'viterbi'"):
        build_projector("viterbi")
    with pytest.raises(TypeError):
        build_projector("heuristic", k=2)


def test_out_of_range_alignment_is_rejected():
    src = Sentence(["a"], [Span(0, 1, "X")])
    with pytest.raises(ValueError, match="link 0-5 is out of range"):
        project_heuristic(src, Sentence(["b"]), Alignment([(0, 5)]))


@pytest.mark.parametrize("method", ["greedy", "bipartite", "ilp"])
def test_one_word_linked_to_two_takes_both(method):
    # "UK" -> "Vereinigte Königreich": both n-grams have Dice 1; the one leaving no linked word out wins
    src = Sentence(["the", "UK", "figures"], [Span(1, 2, "LOC")])
    tgt = Sentence(["das", "Vereinigte", "Königreich", "heute"])
    out = build_projector(method, refine=False)(src, tgt, Alignment([(0, 0), (1, 1), (1, 2), (2, 3)]))
    assert out.spans == (Span(1, 3, "LOC"),)


def test_heuristic_drops_a_run_whose_linked_words_are_all_punctuation():
    # the entity links to "(" and ")" only; bridging the gap and trimming the punctuation
    # would leave "a b", which no link supports
    src = Sentence(["Big", "Name", "x"], [Span(0, 2, "ORG")])
    tgt = Sentence(["y", "(", "a", "b", ")", "z"])
    al = Alignment([(0, 1), (1, 4)])
    out = project_heuristic(src, tgt, al, HeuristicOptions(merge_distance=2))
    assert out.spans == ()
    # with a linked word inside, the run is kept and trimmed to it
    out = project_heuristic(src, tgt, Alignment([(0, 1), (1, 3), (1, 4)]), HeuristicOptions(merge_distance=2))
    assert [(s.start, s.end) for s in out.spans] == [(2, 4)]


def test_candidate_holds_every_word_the_entity_links_to():
    # English compound -> Romance "N de N" (links as e5 neural-vote gave them on ABSA en-fr):
    # "taco" is linked to both "salades" and "tacos,"
    src = Sentence("it is good , taco salads , burritos".split(), [Span(4, 6, "TARGET"), Span(7, 8, "TARGET")])
    tgt = Sentence("est bon, salades de tacos, burritos".split())
    links = Alignment([(1, 0), (2, 1), (3, 1), (4, 2), (4, 4), (5, 2), (6, 4), (7, 5)])
    out = project_candidates(src, tgt, links, "ilp")
    assert [(s.start, s.end) for s in out.spans] == [(2, 5), (5, 6)]
    from projner.project import MatchingOptions, ScoreWeights
    old = project_candidates(src, tgt, links, "ilp", MatchingOptions(weights=ScoreWeights(outside=0)))
    assert [(s.start, s.end) for s in old.spans] == [(2, 3), (5, 6)]  # Dice alone: "salades"


def test_outside_links_count_only_up_to_words_linked_from_elsewhere():
    from projner.project.scoring import _zone
    # target: Mitteln im Rahmen der Strukturfonds ; "im" and "der" translate other source words
    free = np.array([False, True, True, True, False])      # not linked from the entity
    foreign = np.array([True, True, False, True, False])   # linked from outside the entity
    lo, hi = _zone(free, foreign)
    # a candidate starting at "Strukturfonds" (4) reaches back only to after "der" (3)
    assert lo[4] == 4 and hi[5] == 5
    # one starting at "Rahmen" (2) reaches back to after "im" (1); "Mitteln" is beyond it
    assert lo[2] == 2 and hi[3] == 3
    assert list(lo) == [0, 0, 2, 2, 4, 4] and list(hi) == [1, 1, 3, 3, 5, 5]
