"""projner show: the page's data, its self-containment, and the page in headless Chromium."""

import os
import re
from pathlib import Path

import pytest

from projner.cli import main
from projner.io import write_jsonl, write_talp
from projner.show import render, view_data, write_view
from projner.show.browser import find_chromium, run_chromium
from projner.types import Alignment, Sentence, Span

SRC = [Sentence("Angela Merkel visited Paris .".split(), [Span(0, 2, "PER"), Span(3, 4, "LOC")]),
       Sentence("The European Union met .".split(), [Span(1, 3, "ORG")]),
       Sentence("Nothing here .".split())]
TGT = [Sentence("Angela Merkel besuchte Paris .".split(), [Span(0, 2, "PER", 0.9), Span(3, 4, "LOC", 0.4)]),
       Sentence("Die Europäische Union tagte </script> .".split(), [Span(2, 3, "ORG", 0.55)]),
       Sentence("Nichts hier .".split())]
GOLD = [Sentence(TGT[0].tokens, [Span(0, 2, "PER"), Span(3, 4, "ORG")]),
        Sentence(TGT[1].tokens, [Span(1, 3, "ORG")]),
        Sentence(TGT[2].tokens)]
ALIGN = [Alignment([(i, i) for i in range(5)]), Alignment([(0, 0), (1, 1), (2, 2), (3, 3), (4, 5)]),
         Alignment([(0, 0), (1, 1), (2, 2)])]


def test_view_data_marks_agreements_and_disagreements():
    data = view_data(SRC, TGT, ALIGN, GOLD)
    assert data["labels"] == ["LOC", "ORG", "PER"]
    assert data["counts"] == {"type": 1, "boundary": 1, "correct": 1}
    p0, p1, p2 = data["pairs"]
    assert p0["te"] == [[0, 2, 2, 0.9, "ok"], [3, 4, 0, 0.4, "type"]]
    assert p0["ge"] == [[0, 2, 2, "ok"], [3, 4, 1, "type"]]
    assert p1["te"] == [[2, 3, 1, 0.55, "boundary"]] and p1["ge"] == [[1, 3, 1, "boundary"]]
    assert p1["a"] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 5]
    assert p2["te"] == [] and p2["ge"] == []


def test_page_is_self_contained_and_escapes_data():
    page = render(view_data(SRC, TGT, ALIGN, GOLD), "t <x>")
    assert "<title>t &lt;x&gt;</title>" in page
    assert not re.search(r"(src|href)=\"?(https?:)?//", page)  # no CDN, no network
    assert page.count("</script>") == 2  # the token "</script>" in the data is escaped
    assert "<\\/script>" in page


def test_cli_show_reads_jsonl_with_alignment_and_refuses_other_names(tmp_path, capsys):
    src, tgt, links = tmp_path / "en.jsonl", tmp_path / "de.jsonl", tmp_path / "l.talp"
    write_jsonl(src, SRC), write_jsonl(tgt, TGT), write_talp(links, ALIGN)
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, GOLD)
    out = tmp_path / "v.html"
    assert main(["show", str(src), str(tgt), "--alignment", str(links), "--gold", str(gold), "-o", str(out)]) == 0
    assert capsys.readouterr().err == f"3 pairs, 0 missed, 0 spurious, 1 type, 1 boundary → {out}\n"
    assert main(["show", str(src), str(tgt), "-o", str(tmp_path / "v.txt")]) == 2
    assert "v.txt: projner show writes HTML: name the output .html" in capsys.readouterr().err


def _chromium_or_skip():
    if find_chromium() is None:
        pytest.skip("headless Chromium not found (.ci/run installs Debian 'chromium'; or set PROJNER_CHROMIUM)")


def _cards(dom: str) -> list[int]:
    return [int(i) for i in re.findall(r'<div class="pair[^"]*" data-i="(\d+)"', dom)]


def test_page_in_headless_chromium(tmp_path):
    _chromium_or_skip()
    page = tmp_path / "view.html"
    write_view(page, SRC, TGT, ALIGN, GOLD, title="test view")
    try:
        dom, console = run_chromium(page.as_uri(), dump_dom=True)
    except RuntimeError as exc:
        pytest.skip(f"headless Chromium cannot run here: {exc}")
    assert console == []  # no errors, no messages at all
    assert _cards(dom) == [0, 1, 2]
    assert len(re.findall(r'<line [^>]*class="link"', dom)) == 5 + 5 + 3
    assert re.search(r'<line x1="[\d.]+" y1="[\d.]+" x2="[\d.]+" y2="[\d.]+" class="link" data-s="4" data-t="5">', dom)
    assert re.findall(r'class="ent (\w+)"[^>]*data-label="(\w+)" data-status', dom) == [
        ("ok", "PER"), ("type", "LOC"), ("ok", "PER"), ("type", "ORG"), ("boundary", "ORG"), ("boundary", "ORG")]
    assert "3 of 3 pairs" in dom and 'data-ready="' in dom
    # filters, from the URL: only disagreements; a label; a low score; a search
    dom, console = run_chromium(page.as_uri() + "#dis=1&label=LOC", dump_dom=True)
    assert console == [] and _cards(dom) == [0] and "1 of 3 pairs" in dom
    dom, _ = run_chromium(page.as_uri() + "#score=0.5&q=europ", dump_dom=True)
    assert _cards(dom) == [] and "No pair matches these filters." in dom
    art = Path(os.environ.get("PROJNER_TEST_ARTEFACTS", tmp_path))
    art.mkdir(parents=True, exist_ok=True)
    shot = art / "projner-show.png"
    run_chromium(page.as_uri(), screenshot=shot, size=(1100, 700))
    assert shot.stat().st_size > 10_000
