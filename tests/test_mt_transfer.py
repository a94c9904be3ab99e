"""Marker-based translate-train and translate-test with back-translation refinement,
with word-by-word in-test translators (no model)."""

import re

from projner.config import ProjectionConfig
from projner.transfer.mt import translate_test_backtranslation, translate_train_markers
from projner.types import Sentence, Span

EN_PT = {"visited": "visitou", "the": "o", "yesterday": "ontem", "bank": "banco", "Lisbon": "Lisboa",
         "and": "e"}
PT_EN = {v: k for k, v in EN_PT.items()}


class Words:
    """Word-by-word translation keeping unknown words and markers; ``drop`` removes markers."""

    def __init__(self, table, drop=False):
        self.table, self.drop, self.calls = table, drop, []

    def translate(self, texts):
        self.calls.append(list(texts))
        out = []
        for t in texts:
            words = [self.table.get(w, w) for w in re.findall(r"\w+|[^\w\s]", t)]
            if self.drop:
                words = [w for w in words if w not in "[]"]
            out.append(" ".join(words))
        return out


class Capitalised:
    """A toy English tagger: capitalised words are LOC, runs of them one entity."""

    name = "toy"

    def predict(self, sentences):
        out = []
        for toks in sentences:
            spans, i = [], 0
            while i < len(toks):
                if toks[i][:1].isupper():
                    j = i
                    while j < len(toks) and toks[j][:1].isupper():
                        j += 1
                    spans.append(Span(i, j, "LOC"))
                    i = j
                else:
                    i += 1
            out.append(spans)
        return out


EN = Sentence("Ana Costa visited Lisbon yesterday .".split(), [Span(0, 2, "PER"), Span(3, 4, "LOC"), Span(4, 5, "MISC")])


def test_translate_train_markers_labels_the_translation_and_counts_markers():
    tr = Words(EN_PT)
    res, stats = translate_train_markers([EN], tr, ProjectionConfig(ignore_labels=["MISC"]))
    (out,) = res.predictions
    assert out.tokens == ("Ana", "Costa", "visitou", "Lisboa", "ontem", ".")
    assert [(s.start, s.end, s.label) for s in out.spans] == [(0, 2, "PER"), (3, 4, "LOC")]
    assert tr.calls[0] == ["[ Ana Costa ] visited [ Lisbon ] yesterday."]  # MISC gets no markers
    assert stats == {"sentences": 1, "entities": 2, "marker_pairs": 2, "sentences_all_markers": 1,
                     "sentences_extra_markers": 0, "via_marker": 2, "via_search": 0, "lost": 0}


def test_lost_markers_are_repaired_and_counted():
    res, stats = translate_train_markers([EN], Words(EN_PT, drop=True), ProjectionConfig(ignore_labels=["MISC"]))
    assert [(s.start, s.end) for s in res.predictions[0].spans] == [(0, 2), (3, 4)]
    assert stats["marker_pairs"] == 0 and stats["via_search"] == 2 and stats["lost"] == 0


def test_translate_test_backtranslation_projects_through_the_back_translation():
    pt = Sentence("Ana Costa visitou Lisboa ontem .".split(), [Span(0, 2, "PER"), Span(3, 4, "LOC")])
    cfg = ProjectionConfig(aligner="lexical", method="heuristic")
    back = Words(EN_PT)
    res, stats = translate_test_backtranslation([pt], Words(PT_EN), back, Capitalised(), cfg, gold=[pt])
    assert res.translated[0].tokens == ("Ana", "Costa", "visited", "Lisbon", "yesterday", ".")
    assert back.calls[0] == ["[ Ana Costa ] visited [ Lisbon ] yesterday."]
    assert [(s.start, s.end, s.label) for s in res.predictions[0].spans] == [(0, 2, "LOC"), (3, 4, "LOC")]
    assert stats["via_marker"] == 2
    assert res.report.overall.correct == 1 and res.report.overall.predicted == 2
