import json

import pytest

from projner.cli import main
from projner.report import collect_runs, guess_language

pytest.importorskip("matplotlib")


def bench(path, p, r, f1, aligner="eflomal+lexical", method="ilp", seconds=3.5, ratio=0.9):
    path.write_text(json.dumps({"overall": {"precision": p, "recall": r, "f1": f1}, "macro_f1": f1 - 0.01,
                                "per_type": {"PER": {"f1": 0.9}}, "sentences": 799, "projection_ratio": ratio,
                                "seconds": seconds, "config": {"aligner": aligner, "method": method}}))
    return path


def test_collect_and_write(tmp_path, capsys):
    runs = tmp_path / "runs"
    runs.mkdir()
    bench(runs / "de-ilp.json", 0.9, 0.8, 0.847)
    bench(runs / "es-ilp.json", 0.95, 0.9, 0.924)
    bench(tmp_path / "es-heuristic.json", 0.9, 0.85, 0.874, method="heuristic", seconds=1.25)
    run_dir = tmp_path / "tt-de"
    run_dir.mkdir()
    (run_dir / "manifest.json").write_text(json.dumps({"config": {
        "translate": {"tgt_lang": "de"}, "projection": {"aligner": "lexical", "method": "greedy"},
        "train": {"kind": "crf"}}}))
    (run_dir / "scores.json").write_text(json.dumps({"overall": {"precision": 0.7, "recall": 0.6, "f1": 0.646}}))
    found = collect_runs([runs, tmp_path / "es-heuristic.json", run_dir])
    assert [(r.name, r.language, r.method, r.f1) for r in found] == [
        ("de-ilp", "de", "eflomal+lexical · ilp", 0.847), ("es-ilp", "es", "eflomal+lexical · ilp", 0.924),
        ("es-heuristic", "es", "eflomal+lexical · heuristic", 0.874),
        ("tt-de", "de", "translate-train · lexical · greedy · crf", 0.646)]
    out = tmp_path / "report"
    assert main(["report", str(runs), str(tmp_path / "es-heuristic.json"), str(run_dir), "-o", str(out)]) == 0
    md = (out / "report.md").read_text().splitlines()
    assert md[2] == "| run | language | method | P | R | F1 | macro F1 | proj. ratio | sentences | seconds |"
    assert md[6] == "| es-heuristic | es | eflomal+lexical · heuristic | 0.9000 | 0.8500 | 0.8740 | 0.8640 | 0.9000 | 799 | 1.25 |"
    assert md[7] == "| tt-de | de | translate-train · lexical · greedy · crf | 0.7000 | 0.6000 | 0.6460 | – | – | – | – |"
    for name in ("f1", "precision-recall", "projection-ratio", "seconds"):
        assert (out / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
        assert "<svg" in (out / f"{name}.svg").read_text()
    page = (out / "report.html").read_text()
    assert page.count("<svg") == 4 and "<td>tt-de</td>" in page and "http://www.w3.org/2000/svg" in page


def test_bad_runs(tmp_path, capsys):
    (tmp_path / "x.json").write_text("[1]")
    assert main(["report", str(tmp_path / "x.json"), "-o", str(tmp_path / "r")]) == 2
    assert "x.json: not a projner result (expected a JSON object)" in capsys.readouterr().err
    assert guess_language("de-europarl.test.conll02") == "de" and guess_language("runs/test.json") == "?"
