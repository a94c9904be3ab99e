"""kill -9 at random points of a multi-step run, then resume: is the output identical?

A reference run first goes through uninterrupted. Then, ``--trials`` times (20 by
default): start the same run in a fresh run folder, ``kill -9`` it at a random
moment within its expected duration, rerun the same command to completion, and
compare every final output byte for byte with the reference. Prints where each
kill landed (steps already finished), whether the rerun completed, whether its
outputs were identical, and the tally.

Two kinds of run:

- ``--mode library`` (default): a four-step run in a :class:`projner.runs.RunDir`
  over a synthetic corpus: ``read`` (CoNLL + text → JSONL pairs), ``align``
  (lexical aligner → talp), ``project`` (ILP matching → CoNLL), ``evaluate``
  (scores against the target gold → JSON).
- ``--mode cli``: the real command ``projner translate-train SOURCE -o RUN
  --translations FILE -a lexical`` (translate, then align and project), rerun
  after each kill exactly as a user would.

    python benchmarks/kill_resume.py                   # 20 trials, library mode
    python benchmarks/kill_resume.py --mode cli --trials 20 -n 3000

The lexical aligner is used because eflomal is not deterministic between runs
(see docs/reliability.md): an interrupted and an uninterrupted eflomal run
differ in the alignments even without any kill.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIB_OUTPUTS = ["pairs.jsonl", "links.talp", "projected.conll", "scores.json"]
CLI_OUTPUTS = ["translations.txt", "target.txt", "projected.conll", "alignments.talp"]


# the corpus -------------------------------------------------------------------

def make_corpus(folder: Path, n: int, seed: int = 0) -> None:
    rnd = random.Random(seed)
    names = ["Paris", "Berlin", "Obama", "Merkel", "Müller", "Kopenhagen", "Siemens", "Lisboa", "東京", "Nairobi"]
    words = ["the", "of", "said", "in", "visited", "met", "with", "and", "a", "report"]
    trans = {"the": "die", "of": "von", "said": "sagte", "in": "in", "visited": "besuchte", "met": "traf",
             "with": "mit", "and": "und", "a": "ein", "report": "Bericht"}
    labels = {"Paris": "LOC", "Berlin": "LOC", "Obama": "PER", "Merkel": "PER", "Müller": "PER",
              "Kopenhagen": "LOC", "Siemens": "ORG", "Lisboa": "LOC", "東京": "LOC", "Nairobi": "LOC"}
    src_lines, tgt_lines, gold_lines, trans_lines = [], [], [], []
    for _ in range(n):
        toks = [rnd.choice(names) if rnd.random() < 0.25 else rnd.choice(words) for _ in range(rnd.randint(4, 25))]
        tgt = [trans.get(t, t) for t in toks]
        if len(tgt) > 3 and rnd.random() < 0.5:  # some reordering
            i = rnd.randrange(len(tgt) - 1)
            tgt[i], tgt[i + 1] = tgt[i + 1], tgt[i]
        for t in toks:
            src_lines.append(f"{t}\t{'B-' + labels[t] if t in labels else 'O'}")
        src_lines.append("")
        for t in tgt:
            gold_lines.append(f"{t}\t{'B-' + labels[t] if t in labels else 'O'}")
        gold_lines.append("")
        tgt_lines.append(" ".join(tgt))
        trans_lines.append(" ".join(tgt))
    (folder / "src.conll").write_text("\n".join(src_lines) + "\n", encoding="utf-8")
    (folder / "tgt.txt").write_text("\n".join(tgt_lines) + "\n", encoding="utf-8")
    (folder / "gold.conll").write_text("\n".join(gold_lines) + "\n", encoding="utf-8")
    (folder / "translations.txt").write_text("\n".join(trans_lines) + "\n", encoding="utf-8")


# the library-mode run (executed in a child process) ------------------------------

def library_run(root: str, data: str) -> None:
    from projner.align.lexical import LexicalAligner
    from projner.evaluate import evaluate
    from projner.io import (format_talp, read_conll, read_talp, read_text, sentence_to_json,
                            write_conll)
    from projner.project import build_projector
    from projner.runs import RunDir

    d = Path(data)
    config = {"align": {"aligner": "lexical"}, "project": {"method": "ilp"}}
    run = RunDir(root, config, {"source": d / "src.conll", "target": d / "tgt.txt", "gold": d / "gold.conll"})

    def read(tmp):
        with open(tmp["pairs.jsonl"], "w", encoding="utf-8") as fh:
            for s, t in zip(read_conll(d / "src.conll"), read_text(d / "tgt.txt")):
                fh.write(json.dumps({"source": json.loads(sentence_to_json(s)), "target": list(t.tokens)},
                                    ensure_ascii=False) + "\n")

    def pairs():
        from projner.types import Sentence, Span

        with open(run.path("pairs.jsonl"), encoding="utf-8") as fh:
            for line in fh:
                obj = json.loads(line)
                src = obj["source"]
                yield (Sentence(src["tokens"], [Span(x["start"], x["end"], x["label"]) for x in src["spans"]]),
                       Sentence(obj["target"]))

    def align(tmp):
        aligner = LexicalAligner()
        with open(tmp["links.talp"], "w", encoding="utf-8") as fh:
            batch = []
            for s, t in pairs():
                batch.append((s.tokens, t.tokens))
                if len(batch) == 200:
                    for a in aligner.align([b[0] for b in batch], [b[1] for b in batch]):
                        fh.write(format_talp(a) + "\n")
                    batch = []
            if batch:
                for a in aligner.align([b[0] for b in batch], [b[1] for b in batch]):
                    fh.write(format_talp(a) + "\n")

    def project(tmp):
        projector = build_projector(config["project"]["method"])
        out = (projector(s, t, a) for (s, t), a in zip(pairs(), read_talp(run.path("links.talp"))))
        # write_conll is itself atomic; here it writes the step's temporary path
        write_conll(tmp["projected.conll"], out)

    def score(tmp):
        rep = evaluate(list(read_conll(d / "gold.conll")), list(read_conll(run.path("projected.conll"))))
        Path(tmp["scores.json"]).write_text(json.dumps(rep.as_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")

    run.step("read", ["pairs.jsonl"], read, depends=["input:source", "input:target"])
    run.step("align", ["links.talp"], align, depends=["step:read", "config:align"])
    run.step("project", ["projected.conll"], project, depends=["step:read", "step:align", "config:project"])
    run.step("evaluate", ["scores.json"], score, depends=["step:project", "input:gold"])
    print("ran:", " ".join(run.ran), "| skipped:", " ".join(run.skipped))


# the driver ---------------------------------------------------------------------

def command(mode: str, root: Path, data: Path) -> list[str]:
    if mode == "library":
        return [sys.executable, __file__, "--child", str(root), str(data)]
    return [sys.executable, "-m", "projner.cli", "translate-train", str(data / "src.conll"), "-o", str(root),
            "--translations", str(data / "translations.txt"), "-a", "lexical", "-m", "ilp", "--tokenize", "whitespace"]


def finished_steps(root: Path) -> list[str]:
    try:
        return sorted(json.loads((root / "manifest.json").read_text())["steps"])
    except (OSError, ValueError, KeyError):
        return []


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=["library", "cli"], default="library")
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("-n", type=int, default=4000, help="sentences in the synthetic corpus")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", nargs=2, metavar=("ROOT", "DATA"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        library_run(*args.child)
        return 0

    outputs = LIB_OUTPUTS if args.mode == "library" else CLI_OUTPUTS
    rnd = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="projner-kill-"))
    try:
        data = work / "data"
        data.mkdir()
        make_corpus(data, args.n)
        t0 = time.perf_counter()
        ref = subprocess.run(command(args.mode, work / "ref", data), capture_output=True, text=True)
        duration = time.perf_counter() - t0
        if ref.returncode != 0:
            print(ref.stderr)
            return 1
        reference = {o: (work / "ref" / o).read_bytes() for o in outputs}
        print(f"{args.mode} mode, {args.n} sentences: uninterrupted run {duration:.1f}s, "
              f"steps {finished_steps(work / 'ref')}")
        tally = {"killed": 0, "finished before the kill": 0, "rerun completed": 0, "identical": 0}
        for k in range(args.trials):
            root = work / f"run{k}"
            delay = rnd.uniform(0.05, duration * 0.95)
            proc = subprocess.Popen(command(args.mode, root, data), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(delay)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                tally["killed"] += 1
                how = "killed"
            else:
                tally["finished before the kill"] += 1
                how = "done early"
            proc.wait()
            at_kill = finished_steps(root)
            temps = sorted(p.name for p in root.iterdir() if p.name.startswith(".") and "tmp" in p.name) \
                if root.exists() else []
            partial = [o for o in outputs if (root / o).exists() and (root / o).read_bytes() != reference[o]
                       and o.rsplit(".", 1)[0] in " ".join(at_kill)]
            rerun = subprocess.run(command(args.mode, root, data), capture_output=True, text=True)
            ok = rerun.returncode == 0
            tally["rerun completed"] += ok
            same = ok and all((root / o).read_bytes() == reference[o] for o in outputs)
            tally["identical"] += same
            leftovers = sorted(p.name for p in root.iterdir() if p.name.startswith(".") and "tmp" in p.name)
            print(f"trial {k + 1:2d}: {how} at {delay:5.2f}s with {len(at_kill)} step(s) done {at_kill}, "
                  f"{len(temps)} temp file(s); rerun {'ok' if ok else 'FAILED'}, "
                  f"{'identical' if same else 'DIFFERENT'}"
                  + (f", leftover temps {leftovers}" if leftovers else "")
                  + (f", bad finished outputs {partial}" if partial else ""))
            if not ok:
                print(rerun.stderr)
            shutil.rmtree(root, ignore_errors=True)
        print("tally:", ", ".join(f"{k} {v}/{args.trials}" for k, v in tally.items()))
        return 0 if tally["identical"] == args.trials else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
