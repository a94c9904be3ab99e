"""Refinement of projected spans: function-word trimming, adjective relabelling,
bracket balancing (projner.project.refine) and its wiring into the projectors."""

import pytest

from projner.config import ProjectionConfig
from projner.pipelines import make_projector, project_corpus
from projner.project import RefinedProjector, RefineOptions, Refiner, build_projector
from projner.project.refine import function_words
from projner.types import Alignment, Sentence, Span

# a small corpus in which "der", "den", "und", "the", "of", "and" are function words
FILLER_SRC = ["the", "house", "of", "the", "people", "and", "the", "garden"]
FILLER_TGT = ["das", "Haus", "der", "Leute", "und", "den", "Garten"]


def fitted(options=None, labels=("ORG", "LOC", "MISC")):
    filler_src = [Sentence(FILLER_SRC, [Span(1, 2, lab)]) for lab in labels]
    sources = filler_src + [Sentence(FILLER_SRC)] * 20
    targets = [Sentence(FILLER_TGT)] * (20 + len(labels))
    return Refiner(options or RefineOptions(min_sentences=10)).fit(sources, targets)


def test_function_words_by_sentence_share():
    sents = [["der", "Hund"], ["der", "die", "Katze"], ["die", "der"], ["Maus", "und"]]
    assert function_words(sents, 0.5, 1) == frozenset({"der", "die"})
    assert function_words(sents, 0.5, 5) == frozenset()  # too few sentences to learn from


def test_leading_determiner_is_trimmed_when_the_source_edge_is_a_function_word():
    ref = fitted()
    assert "der" in ref.target_fw and "the" in ref.source_fw
    src = Sentence(["with", "the", "Netherlands"], [Span(1, 3, "LOC")])
    tgt = Sentence(["mit", "den", "Niederlanden"], [Span(1, 3, "LOC")])
    out = ref(src, tgt, Alignment([(0, 0), (1, 1), (2, 2)]))
    assert out.spans == (Span(2, 3, "LOC"),)


def test_function_word_linked_to_an_entity_content_word_stays():
    ref = fitted()
    src = Sentence(["Group", "of", "Greens"], [Span(0, 3, "ORG")])
    tgt = Sentence(["der", "Grünen"], [Span(0, 2, "ORG")])
    # "der" is linked to the content word "Group": kept
    assert ref(src, tgt, Alignment([(0, 0), (2, 1)])).spans == (Span(0, 2, "ORG"),)
    # linked to the function word "of" only: trimmed
    assert ref(src, tgt, Alignment([(1, 0), (2, 1)])).spans == (Span(1, 2, "ORG"),)


def test_same_word_at_both_edges_is_kept():
    ref = fitted(RefineOptions(min_sentences=10))
    # "den" as a name particle on both sides ("den Uyl") is not trimmed
    src = Sentence(["Mr", "den", "Uyl"], [Span(1, 3, "PER")])
    tgt = Sentence(["Herr", "den", "Uyl"], [Span(1, 3, "PER")])
    assert ref(src, tgt, Alignment([(1, 1), (2, 2)])).spans == (Span(1, 3, "PER"),)


def test_trailing_function_word_after_a_bracket_is_trimmed_and_empty_spans_vanish():
    ref = fitted()
    src = Sentence(["the", "Committee", "(", "CEN", ")", "not"], [Span(1, 5, "ORG"), Span(0, 1, "LOC")])
    tgt = Sentence(["Komitee", "(", "CEN", ")", "und", "den"], [Span(0, 5, "ORG"), Span(5, 6, "LOC")])
    out = ref(src, tgt, Alignment([(1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (0, 5)]))
    assert out.spans == (Span(0, 4, "ORG"),)


def test_single_lowercase_word_from_a_name_becomes_misc():
    ref = fitted()
    src = Sentence(["European", "policy", "in", "Europe"], [Span(3, 4, "LOC")])
    tgt = Sentence(["die", "europäische", "Politik"], [Span(1, 2, "LOC")])
    assert ref(src, tgt, Alignment([(3, 1)])).spans == (Span(1, 2, "MISC"),)
    # capitalised words and multi-word spans keep their label
    tgt2 = Sentence(["in", "Europa"], [Span(1, 2, "LOC")])
    assert ref(src, tgt2, Alignment([(3, 1)])).spans == (Span(1, 2, "LOC"),)


def test_no_relabelling_when_the_corpus_has_no_misc_label():
    ref = fitted(labels=("ORG", "LOC"))
    src = Sentence(["Europe"], [Span(0, 1, "LOC")])
    tgt = Sentence(["europäische"], [Span(0, 1, "LOC")])
    assert ref(src, tgt, Alignment([(0, 0)])).spans == (Span(0, 1, "LOC"),)


def test_unfitted_refiner_only_balances_brackets():
    ref = Refiner()
    src = Sentence(["report", "(", "COM", "1999", ")"], [Span(0, 5, "MISC")])
    tgt = Sentence(["der", "Bericht", "(", "KOM", "1999", ")", "."], [Span(0, 5, "MISC")])
    assert ref(src, tgt, Alignment()).spans == (Span(0, 6, "MISC"),)
    # an unopened closing bracket pulls in the opening one before the span
    tgt2 = Sentence(["(", "KOM", "1999", ")", "Bericht"], [Span(1, 5, "MISC")])
    assert ref(src, tgt2, Alignment()).spans == (Span(0, 5, "MISC"),)
    # the extension stops at a neighbouring span
    tgt3 = Sentence(["Bericht", "(", "KOM", ")"], [Span(0, 3, "MISC"), Span(3, 4, "ORG")])
    assert ref(src, tgt3, Alignment()).spans == (Span(0, 3, "MISC"), Span(3, 4, "ORG"))


def test_build_projector_refines_by_default_and_can_be_switched_off():
    assert isinstance(build_projector("ilp"), RefinedProjector)
    assert not isinstance(build_projector("heuristic", refine=False), RefinedProjector)
    p = build_projector("heuristic", refine={"adjective_label": None})
    assert p.refiner.options.adjective_label is None
    with pytest.raises(TypeError, match=r"^unknown option 'trim' in refine \(known: trim_function_words, "):
        build_projector("ilp", refine={"trim": True})


def test_config_refine_options_are_validated_and_reach_the_projector():
    cfg = ProjectionConfig(method="heuristic", projection={"refine": {"function_word_share": 0.2}})
    assert make_projector(cfg).refiner.options.function_word_share == 0.2
    assert not isinstance(make_projector(ProjectionConfig(projection={"refine": False})), RefinedProjector)


def test_project_corpus_fits_the_refiner_on_the_corpus():
    sources = [Sentence(FILLER_SRC, [Span(1, 2, "MISC")])] * 60 + [
        Sentence(["in", "the", "Netherlands"], [Span(1, 3, "LOC")])]
    targets = [Sentence(FILLER_TGT)] * 60 + [Sentence(["in", "den", "Niederlanden"])]
    aligns = [Alignment([(1, 1)])] * 60 + [Alignment([(0, 0), (1, 1), (2, 2)])]
    cfg = ProjectionConfig(method="heuristic")
    projected, _ = project_corpus(sources, targets, cfg, aligns)
    assert projected[-1].spans == (Span(2, 3, "LOC"),)
    raw, _ = project_corpus(sources, targets, ProjectionConfig(method="heuristic", projection={"refine": False}), aligns)
    assert raw[-1].spans == (Span(1, 3, "LOC"),)


@pytest.mark.parametrize("body, line, message", [
    ("method: ilp\nprojection:\n  refine: {trim: true}\n", 3,
     "projection: unknown option 'trim' in refine (known: trim_function_words, function_word_share, "
     "min_sentences, adjective_label, adjective_from, balance_brackets, join_connectors, long_spans)"),
    ("method: ilp\nprojection:\n  refine: {function_word_share: 2}\n", 2,
     "projection: refine: function_word_share must be in (0, 1]"),
    ("method: heuristic\nprojection:\n  refine: maybe\n", 2,
     "projection: refine: 'maybe' is not true, false or a mapping of refine options"),
])
def test_bad_refine_config_is_one_located_error(tmp_path, body, line, message):
    from projner.config import load_config
    from projner.errors import ConfigError

    cfg = tmp_path / "c.yaml"
    cfg.write_text(body)
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert str(err.value.located()) == f"{cfg}:{line}: {message}"


def test_prefixed_names_are_not_lowercase_words():
    from projner.project.refine import is_lower

    assert not is_lower("eGoli") and not is_lower("wase-Iraq") and not is_lower("Berlin")
    assert is_lower("ikhomishini") and is_lower("europäischen")


def test_affix_similarity_case_endings():
    from projner.text.affixes import affix_similarity

    assert affix_similarity("london", "londonban") == 0.9
    assert affix_similarity("euro", "european") < 0.75  # a 4-letter stem is too short to carry an ending
    assert affix_similarity("mueller", "muller") == pytest.approx(1 - 1 / 7)


def test_span_extended_over_connector_and_name_the_alignment_left_out():
    from projner.project.connectors import join_connectors

    # a corpus whose target capitalises no more words than its source: capitals mark names
    sw_src = ["the", "people", "of", "the", "House", "and", "the", "garden"]
    sw_tgt = ["watu", "wa", "Nyumba", "na", "bustani", "nzuri"]
    ref = Refiner(RefineOptions(min_sentences=10)).fit([Sentence(sw_src)] * 20, [Sentence(sw_tgt)] * 20)
    assert ref.capitals and not fitted().capitals  # FILLER_TGT is German: every noun capitalised
    # U.N. → Umoja (linked) wa Mataifa (unlinked): the whole name
    src = Sentence(["the", "U.N.", "said"], [Span(1, 2, "ORG")])
    tgt = Sentence(["Umoja", "wa", "Mataifa", "ulisema"], [Span(0, 1, "ORG")])
    assert ref(src, tgt, Alignment([(1, 0), (2, 3)])).spans == (Span(0, 3, "ORG"),)
    # German: "EU die Möglichkeit" — an unlinked capitalised word is no name there
    de = fitted()
    src = Sentence(["the", "EU", "the", "chance"], [Span(1, 2, "ORG")])
    tgt = Sentence(["der", "EU", "die", "Möglichkeit"], [Span(1, 2, "ORG")])
    assert de(src, tgt, Alignment([(1, 1), (2, 0)])).spans == (Span(1, 2, "ORG"),)
    assert de(Sentence(["the", "U.N."], [Span(1, 2, "ORG")]), Sentence(["Vereinte", "der", "Nationen"],
              [Span(0, 1, "ORG")]), Alignment([(1, 0), (1, 2)])).spans == (Span(0, 3, "ORG"),)  # linked: joined
    # a capitalised word linked to another source name stays out (two names joined by "na")
    src = Sentence(["Kenya", "and", "Uganda"], [Span(0, 1, "LOC"), Span(2, 3, "LOC")])  # (ref: capitals mark names)
    tgt = Sentence(["Kenya", "na", "Uganda"], [Span(0, 1, "LOC"), Span(2, 3, "LOC")])
    assert ref(src, tgt, Alignment([(0, 0), (1, 1), (2, 2)])).spans == tgt.spans
    src = Sentence(["Kenya", "and", "Uganda"], [Span(0, 1, "LOC")])
    tgt = Sentence(["Kenya", "na", "Uganda"], [Span(0, 1, "LOC")])
    assert ref(src, tgt, Alignment([(0, 0), (2, 2)])).spans == (Span(0, 1, "LOC"),)
    # a connector linked outside the entity ("na" ← "and") stops it too
    assert ref(src, tgt, Alignment([(0, 0), (1, 1)])).spans == (Span(0, 1, "LOC"),)
    assert Refiner(RefineOptions(min_sentences=10, join_connectors=False)).fit(
        [Sentence(sw_src)] * 20, [Sentence(sw_tgt)] * 20)(
        Sentence(["the", "U.N."], [Span(1, 2, "ORG")]), Sentence(["Umoja", "wa", "Mataifa"], [Span(0, 1, "ORG")]),
        Alignment([(1, 0)])).spans == (Span(0, 1, "ORG"),)
    # lowercase words after a connector join only when linked to the entity; several steps; a bound
    toks = ["Jumuiya", "ya", "Falme", "za", "Kiarabu", "ya", "kiuchumi", "Uganda"]
    assert join_connectors(toks, 2, 3, 0, 8, inside={2}, outside=set()) == (2, 5)
    assert join_connectors(toks, 2, 3, 0, 8, inside={2, 6}, outside=set()) == (2, 7)
    assert join_connectors(toks, 2, 3, 0, 4, inside={2}, outside=set()) == (2, 3)
    # on the left only with a link to the entity (Rais wa Marekani: the title stays out)
    assert join_connectors(toks, 2, 5, 0, 8, inside={2, 4}, outside=set()) == (2, 5)
    assert join_connectors(toks, 2, 5, 0, 8, inside={0, 2, 4}, outside=set()) == (0, 5)
    assert join_connectors(toks, 2, 5, 0, 8, inside={1, 2, 4}, outside=set()) == (0, 5)
    # a name behind a lowercase prefix is a name (kwaZulu), a long lowercase word is no connector
    assert join_connectors(["Umoja", "wa", "kwaZulu"], 0, 1, 0, 3, {0}, set()) == (0, 3)
    assert join_connectors(["Umoja", "katika", "Mataifa"], 0, 1, 0, 3, {0}, set()) == (0, 1)
    assert join_connectors(["Umoja", "katika", "Mataifa"], 0, 1, 0, 3, {0}, set(), {"katika"}) == (0, 3)
