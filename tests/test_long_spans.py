"""Long, clause-level spans (projner.project.longspan): the contiguous aligned region,
extended over unaligned words to clause boundaries, edge punctuation as in the source."""

import pytest

from projner.project import MatchingOptions, build_projector, project_candidates, project_heuristic
from projner.project.longspan import aligned_region
from projner.project.refine import Refiner, RefineOptions
from projner.types import Alignment, Sentence, Span

SRC = ("Overall survival was similar in the two groups , but toxicity was higher "
       "in the first group .").split()
TGT = ("La supervivencia global fue similar en los dos grupos , pero la toxicidad fue mayor "
       "en el primer grupo .").split()
# word links, the final "." left unaligned, and one stray link: "groups" -> the second "grupo"
LINKS = [(0, 2), (1, 1), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9), (9, 10), (10, 12),
         (11, 13), (12, 14), (13, 15), (14, 16), (15, 17), (16, 18), (7, 18)]
SPANS = [Span(0, 8, "Claim"), Span(10, 18, "Premise")]
EXPECTED = (Span(0, 9, "Claim", 1.0), Span(11, 20, "Premise", 0.875))


def test_aligned_region_leaves_a_stray_link_behind_other_words_out():
    inside = [False, True, True, False, True, False, False, False, True]
    outside = [False, False, False, True, False, True, True, True, False]
    # +1 +1 -1 +1 : the stretch 1..5; the last word, behind three words of another clause, is left out
    assert aligned_region(inside, outside) == (1, 5)
    assert aligned_region([False] * 3, [True] * 3) is None
    assert aligned_region([True, False, True], [False, True, False]) == (0, 3)  # ties: the longer


@pytest.mark.parametrize("method", ["heuristic", "greedy", "bipartite", "ilp"])
def test_long_spans_cover_the_clause_from_boundary_to_boundary(method):
    src = Sentence(SRC, SPANS)
    tgt = Sentence(TGT)
    proj = build_projector(method)
    out = proj(src, tgt, Alignment(LINKS))
    # "La" (unaligned, sentence start) belongs to the first clause; the comma is not part of it
    # (the source span does not end on it); "la" after "pero" belongs to the second, which ends
    # on its "." like the source span does; the stray link into the second clause is ignored
    assert out.spans == EXPECTED


def test_long_spans_can_be_switched_off():
    src = Sentence(SRC, SPANS)
    # name-style projection: the unaligned "La" / "la" and the final "." are left out
    out = project_heuristic(src, Sentence(TGT), Alignment(LINKS), long_spans=0)
    assert [(s.start, s.end) for s in out.spans] == [(1, 9), (12, 19)]
    out = project_candidates(src, Sentence(TGT), Alignment(LINKS), "ilp", MatchingOptions(long_spans=0))
    assert [(s.start, s.end) for s in out.spans] == [(1, 9), (12, 19)]
    assert project_candidates(src, Sentence(TGT), Alignment(LINKS), "ilp").spans == EXPECTED


def test_short_spans_next_to_long_ones_are_still_matched_as_names():
    src = Sentence(SRC, [Span(0, 8, "Claim"), Span(10, 11, "MISC")])
    out = build_projector("ilp", refine=False)(src, Sentence(TGT), Alignment(LINKS))
    assert [(s.start, s.end, s.label) for s in out.spans] == [(0, 9, "Claim"), (12, 13, "MISC")]


def test_refiner_keeps_the_articles_of_long_spans():
    ref = Refiner(RefineOptions())
    ref.target_fw, ref.source_fw, ref.labels = frozenset({"la", "el", "en"}), frozenset({"the", "in"}), None
    src = Sentence(("the patients in the first group were treated .").split(), [Span(0, 9, "Premise")])
    tgt = Sentence(("la mayoría de los pacientes del primer grupo fueron tratados .").split(),
                   [Span(0, 11, "Premise")])
    links = Alignment([(0, 3), (1, 4), (2, 5), (4, 6), (5, 7), (6, 8), (7, 9), (8, 10)])
    assert ref(src, tgt, links).spans == (Span(0, 11, "Premise"),)
    short = Refiner(RefineOptions(long_spans=0))
    short.target_fw, short.source_fw, short.labels = ref.target_fw, ref.source_fw, None
    assert short(src, tgt, links).spans == (Span(1, 11, "Premise"),)


def test_a_long_name_is_not_a_clause():
    from projner.project.longspan import is_long
    toks = "the Committee on Regional Policy , Transport and Tourism rejected the dessert of a port and chocolate".split()
    assert not is_long(Span(1, 10, "ORG"), toks, 6)  # mostly capitalised: a title
    assert is_long(Span(12, 19, "TARGET"), toks, 6)
    assert not is_long(Span(12, 19, "TARGET"), toks, 0)
    assert not is_long(Span(12, 17, "TARGET"), toks, 6)


def test_untokenised_target_attached_clause_punctuation_bounds_the_span():
    # DeepL output split at spaces: commas ride on words ("tanto,", "colon,")
    src = Sentence("Therefore , VFL may be another option for patients .".split(), [Span(2, 10, "Claim")])
    tgt = Sentence("Por lo tanto, el VFL puede ser otra opción para pacientes.".split())
    # the source comma's link lands on "el" (a neighbour of the attached comma): no barrier
    links = Alignment([(0, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7), (6, 8), (7, 9), (8, 10)])
    out = build_projector("ilp")(src, tgt, links)
    assert out.spans == (Span(3, 11, "Claim", 0.875),)
    src = Sentence("The efficacy of LAC is unknown , and its benefit is also unknown .".split(), [Span(0, 7, "Claim")])
    tgt = Sentence("Se desconoce la eficacia de la CAV, así como su beneficio.".split())
    links = Alignment([(1, 3), (2, 4), (3, 6), (4, 1), (5, 1), (7, 8), (8, 9), (9, 10)])
    # "así" is unaligned, but the clause ends with its comma on "CAV,"
    assert build_projector("ilp")(src, tgt, links).spans == (Span(0, 7, "Claim", 0.714286),)


def test_a_stray_link_across_sentence_punctuation_is_left_out():
    src = Sentence("the dessert of a port and chocolate tasting ... what a treat".split(), [Span(1, 8, "TARGET")])
    tgt = Sentence("el postre de oporto y chocolate .... ¡qué delicia".split())
    links = Alignment([(0, 0), (1, 1), (2, 2), (4, 3), (5, 4), (6, 5), (7, 7), (10, 8)])
    out = build_projector("ilp")(src, tgt, links)
    assert out.spans == (Span(1, 6, "TARGET", 0.714286),)
