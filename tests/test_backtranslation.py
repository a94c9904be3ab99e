"""Back-translation refinement and marker-based translation, with in-test and file translators."""

import pytest

from projner.align.backtranslation import (
    BackTranslationAligner,
    SameLanguageAligner,
    align_via_backtranslation,
    compose_scored,
    entity_block_links,
    same_language_links,
)
from projner.align.lexical import LexicalAligner
from projner.pipelines import project_via_backtranslation
from projner.translate.markers import MarkerOptions, fuzzy_similarity, parse_marked, translate_with_markers
from projner.types import Alignment, Sentence, Span

EN_DE = {"visited": "besuchte", "Germany": "Deutschland", "the": "die", "chancellor": "Kanzlerin",
         "yesterday": "gestern", "met": "traf"}


class DictTranslator:
    """Word-by-word translation that keeps markers and unknown words; counts calls."""

    def __init__(self, table=EN_DE, drop_markers=False, swap=False):
        self.table, self.drop, self.swap, self.calls = table, drop_markers, swap, []

    def translate(self, texts):
        self.calls.append(list(texts))
        out = []
        for t in texts:
            words = [self.table.get(w, w) for w in t.split()]
            if self.drop:
                words = [w for w in words if w not in "[]"]
            if self.swap and " besuchte " in " ".join(words):  # "A besuchte B ." -> "B besuchte A ."
                text = " ".join(words)
                left, _, right = text.partition(" besuchte ")
                right, dot = right.rsplit(" ", 1)
                words = f"{right} besuchte {left} {dot}".split()
            out.append(" ".join(words))
        return out


SRC = Sentence("Angela Merkel visited Germany .".split(), [Span(0, 2, "PER"), Span(3, 4, "LOC")])


def test_markers_recover_spans_and_record_source_entities():
    tr = DictTranslator()
    (out,) = translate_with_markers([SRC], tr)
    assert out.tokens == ("Angela", "Merkel", "besuchte", "Deutschland", ".")
    assert [(s.start, s.end, s.label) for s in out.spans] == [(0, 2, "PER"), (3, 4, "LOC")]
    assert out.meta["source_entity"] == [0, 1]
    assert tr.calls[0] == ["[ Angela Merkel ] visited [ Germany ] ."]
    assert tr.calls[1] == ["Angela Merkel", "Germany"]  # entities translated separately


def test_reordered_markers_are_matched_by_entity_translation_not_order():
    (out,) = translate_with_markers([SRC], DictTranslator(swap=True))
    assert out.tokens == ("Deutschland", "besuchte", "Angela", "Merkel", ".")
    assert [(s.start, s.end, s.label) for s in out.spans] == [(0, 1, "LOC"), (2, 4, "PER")]
    assert out.meta["source_entity"] == [1, 0]


def test_lost_markers_fall_back_to_the_best_fuzzy_match():
    (out,) = translate_with_markers([SRC], DictTranslator(drop_markers=True))
    assert [(s.start, s.end, s.label) for s in out.spans] == [(0, 2, "PER"), (3, 4, "LOC")]


def test_best_match_wins_not_the_last_above_threshold():
    src = Sentence("Paris".split() + ["is", "big"], [Span(0, 1, "LOC")])

    class Fixed:
        def translate(self, texts):
            return ["Parisien Paris Parise ist groß" if "is" in t else "Paris" for t in texts]

    (out,) = translate_with_markers([src], Fixed(), MarkerOptions(threshold=0.5))
    # 'Parisien' (0.77) and 'Parise' (0.91) pass the threshold, the exact 'Paris' wins
    assert [(s.start, s.end) for s in out.spans] == [(1, 2)]
    assert out.spans[0].score == pytest.approx(1.0)
    assert fuzzy_similarity("Paris", "Parise") > 0.5


def test_parse_marked_drops_unbalanced_markers():
    toks, spans = parse_marked("[ a b ] c ] [ d [ e ]")
    assert toks == ["a", "b", "c", "d", "e"]
    assert spans == [(0, 2), (4, 5)]


def test_same_language_links_handle_repeats_and_inflection():
    a = "der Hund sieht den Hund".split()
    b = "den Hund sah der Hund".split()
    assert same_language_links(a, b).pairs() == [(0, 3), (1, 1), (3, 0), (4, 4)]
    al = same_language_links("Merkels Besuch".split(), "Merkel besuchte".split())
    assert al.pairs() == [(0, 0), (1, 1)]


def test_compose_keeps_best_score_product():
    ab = Alignment([(0, 0), (0, 1)], [0.5, 1.0])
    bc = Alignment([(0, 2), (1, 2)], [1.0, 0.8])
    out = compose_scored(ab, bc)
    assert out.pairs() == [(0, 2)] and out.scores.tolist() == pytest.approx([0.8])


def test_project_via_marker_backtranslation():
    (bt,) = translate_with_markers([SRC], DictTranslator())
    tgt = Sentence("Frau Angela Merkel besuchte gestern Deutschland .".split())
    (out,) = project_via_backtranslation([bt], [tgt])
    assert [(s.start, s.end, s.label) for s in out.spans] == [(1, 3, "PER"), (5, 6, "LOC")]
    # entity blocks give source→bt links for composition
    assert entity_block_links(SRC, bt).pairs() == [(0, 0), (0, 1), (1, 0), (1, 1), (3, 3)]


SRC_T = ["Merkel visited Paris .".split()]
BT_T = ["Merkel besuchte Paris .".split()]
TGT_T = ["Gestern besuchte Merkel Paris .".split()]


def test_backtranslation_aligner_from_list_translator_and_file(tmp_path):
    from projner.translate.file import FileTranslator

    expected = [(0, 2), (2, 3)]  # via bt: Merkel and Paris (lexical cross links only cover names)
    a1 = BackTranslationAligner(translations=BT_T, cross="lexical", direct=None)
    assert a1.align(SRC_T, TGT_T)[0].pairs() == expected
    a2 = BackTranslationAligner(translator=DictTranslator({"visited": "besuchte"}), cross="lexical", direct=None)
    assert a2.align(SRC_T, TGT_T)[0].pairs() == expected
    f = tmp_path / "bt.de"
    f.write_text("Merkel besuchte Paris .\n", encoding="utf-8")
    a3 = BackTranslationAligner(translator=FileTranslator(f), cross="lexical", direct=None)
    assert a3.align(SRC_T, TGT_T)[0].pairs() == expected
    a4 = BackTranslationAligner(translations=str(f), cross="lexical", direct=None)
    assert a4.align(SRC_T, TGT_T)[0].pairs() == expected


def test_align_via_backtranslation_with_entity_blocks_and_direct_links():
    src = [list(SRC.tokens)]
    bt_sent = Sentence("Angela Merkel besuchte Deutschland .".split(), [Span(0, 2, "PER"), Span(3, 4, "LOC")])
    tgt = ["Angela Merkel war in Deutschland .".split()]
    blocks = [entity_block_links(SRC, bt_sent)]

    class Nothing:
        def align(self, s, t):
            return [Alignment() for _ in s]

    out = align_via_backtranslation(src, tgt, [list(bt_sent.tokens)], Nothing(), SameLanguageAligner(),
                                    extra_src_back=blocks)
    # entity blocks are all-to-all: Angela Merkel x Angela Merkel, Germany -> Deutschland
    assert out[0].pairs() == [(0, 0), (0, 1), (1, 0), (1, 1), (3, 4)]
    # combined with direct links ('.' from an aligner that links punctuation)
    direct = LexicalAligner(link_punctuation=True)
    out = align_via_backtranslation(src, tgt, [list(bt_sent.tokens)], Nothing(), SameLanguageAligner(),
                                    direct=direct, combine="union", extra_src_back=blocks)
    assert out[0].pairs() == [(0, 0), (0, 1), (1, 0), (1, 1), (3, 4), (4, 5)]


def test_registered_names():
    from projner.align import build_aligner

    assert isinstance(build_aligner("backtranslation", {"backtranslation": {
        "translations": [["x"]], "cross": "lexical", "direct": None}}), BackTranslationAligner)
    assert isinstance(build_aligner("same-language"), SameLanguageAligner)
