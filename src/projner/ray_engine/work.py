"""What one worker does with one shard (no Ray here: Ray Data calls :class:`ShardWorker`).

A worker reads its shard's pairs, aligns those without precomputed links (eflomal
with the run's shared priors, or an embedding aligner on the worker's device),
projects them with the projector fitted on the whole corpus, and writes the shard's
output atomically with the same writers as the single-process commands, so the
concatenated shards equal the single-process output byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from pathlib import Path

SHARD_DELAY_ENV = "PROJNER_RAY_SHARD_DELAY"  # test hook: seconds to sleep in each shard, pid file written


class ShardWorker:
    """A callable for ``Dataset.map``: one row = one shard, returns the shard's record.

    command: ``project`` (write labelled targets) or ``align`` (write talp links).
    config: the :class:`~projner.config.ProjectionConfig` shards are aligned with
        (for eflomal: with the shared priors, see :func:`projner.pipelines_scale.shard_config`).
    projector: path of the pickled refiner fitted on the whole corpus (``project`` only;
        projectors themselves are closures and are rebuilt from ``config``).
    output_format: ``conll`` or ``jsonl`` (``project``).
    links: ``project`` also writes the shard's links (talp) to the row's ``links`` file
        (``--save-alignment``; translate-train keeps them in its run folder).

    ``project`` leaves out the sentences ``config.filter`` drops, as the single-process command does.
    """

    def __init__(self, command: str, config, projector: str | None = None, output_format: str = "conll",
                 links: bool = False) -> None:
        self.command = command
        self.config = config
        self.output_format = output_format
        self.links = links
        self.projector = None
        if projector is not None:
            from ..pipelines import make_projector

            self.projector = make_projector(config)
            with open(projector, "rb") as fh:
                refiner = pickle.load(fh)
            if refiner is not None:
                self.projector.refiner = refiner
        self._aligner = None

    def aligner(self):
        if self._aligner is None:
            from ..pipelines import make_aligner

            self._aligner = make_aligner(self.config)
        return self._aligner

    def __call__(self, row: dict) -> dict:
        from .shards import read_shard

        items = read_shard(row["root"], row["input"])
        _test_delay(row)
        aligns = [al for _, _, al in items]
        if any(al is None for al in aligns):
            aligns = self.aligner().align([s.tokens for s, _, _ in items], [t.tokens for _, t, _ in items])
        from ..io import write_sentences, write_talp

        root = Path(row["root"])
        path = root / row["output"]
        rec = {"shard": row["shard"], "output": row["output"], "pairs": len(items)}
        if self.command == "align":
            write_talp(path, aligns)
        else:
            if self.links:  # before the output: a shard counts as done once its output is there
                write_talp(root / row["links"], aligns)
                rec.update(links=row["links"], links_bytes=(root / row["links"]).stat().st_size)
            keep = self.config.sentence_filter().keep
            out = [self.projector(s, t, al) for (s, t, _), al in zip(items, aligns)]
            write_sentences(path, [o for (s, _, _), o in zip(items, out) if keep(s, o)], self.output_format)
        data = path.read_bytes()
        return {**rec, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "node": os.uname().nodename,
                "pid": os.getpid()}


def read_part(root: str, index: int, spans: tuple, spec: dict) -> dict:
    """Read part ``index`` of the inputs where it lies (``spans``: source, target and links
    byte ranges from :func:`projner.io.ranges.index_records`), check it as the one-pass
    split does, write the shard's input and return the part's pair count and refiner
    statistics (:class:`~projner.project.refine.RefinerStats`, added up by the driver).

    ``spec``: ``source``, ``target``, ``alignment`` (paths), ``source_format``,
    ``target_format``, ``scheme``, ``config`` (the run's ProjectionConfig)."""
    from itertools import zip_longest

    from ..errors import InputError
    from ..io import read_sentences, read_talp
    from ..pipelines import prepare_source
    from ..project.refine import RefinerStats
    from .shards import write_input

    config = spec["config"]
    sources = read_sentences(spec["source"], spec["source_format"], labels=True, scheme=spec["scheme"], span=spans[0])
    targets = read_sentences(spec["target"], spec["target_format"], labels=False, scheme=spec["scheme"],
                             span=spans[1])
    links = read_talp(spec["alignment"], span=spans[2])
    items = []
    for k, (s, t, al) in enumerate(zip_longest(sources, targets, links)):
        if s is None or t is None or al is None:  # the index counted otherwise: the file changed under us
            raise InputError(f"inputs changed while they were read (part {index + 1}: the records no longer line up)",
                             spec["source"])
        try:
            al.check_bounds(len(s), len(t))
        except ValueError as exc:
            raise InputError(str(exc), spec["alignment"], spans[2][2] + k) from None
        items.append((prepare_source(s, config), t, al))
    write_input(root, index, items)
    stats = RefinerStats.count((s for s, _, _ in items), (t for _, t, _ in items))
    return {"shard": index, "pairs": len(items), "stats": stats}


_WORKERS: dict[str, ShardWorker] = {}


def run_shard(row: dict, **kwargs) -> dict:
    """One shard as a task (aligners without a model to load). Ray reuses its worker
    processes: the :class:`ShardWorker` (projector, fitted refiner, aligner) built for the
    run's first shard in a process serves its later shards there (same settings, same fitted refiner)."""
    fitted = kwargs.get("projector")  # a rerun may rewrite the file at the same path: key on its bytes
    key = pickle.dumps((sorted((k, v.model_dump_json() if hasattr(v, "model_dump_json") else v)
                               for k, v in kwargs.items()),
                        hashlib.sha256(Path(fitted).read_bytes()).hexdigest() if fitted else None))
    worker = _WORKERS.get(key)
    if worker is None:
        _WORKERS.clear()
        worker = _WORKERS[key] = ShardWorker(**kwargs)
    return worker(row)


def _test_delay(row: dict) -> None:
    delay = float(os.environ.get(SHARD_DELAY_ENV, "0") or 0)
    if delay > 0:
        running = Path(row["root"]) / "running"
        running.mkdir(exist_ok=True)
        (running / f"{row['shard']:05d}.{os.getpid()}").write_text("")
        time.sleep(delay)
