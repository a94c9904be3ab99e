"""eflomal with a priors file per direction (``EflomalAligner(reverse_priors=...)``).

eflomal's binary reads one priors file and uses it for both directions (the reverse
run swaps each word pair). Priors learnt from an alignment describe each direction's
model best with the reverse run's word pairs counted from the reverse links
(:func:`projner.align.sharded.lexical_counts`), so the two directions run as two
eflomal processes on the same prepared input, each with its own priors.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..types import Alignment
from .eflomal import _environ, _eflomal_tempdir, _read_links, _seed_shim
from .eflomal_priors import spelling_pairs


def two_processes(self, aligner, src_lines: list[str], tgt_lines: list[str], n: int,
                   plen: int) -> tuple[list[Alignment], list[Alignment]]:
    """Forward and reverse links of ``self`` (an :class:`~projner.align.eflomal.EflomalAligner`
    with ``reverse_priors``) from one eflomal process per direction, each reading its own
    priors; ``aligner`` is the ``eflomal.Aligner`` with the run's settings."""
    import eflomal

    files = {"fwd": self.priors, "rev": self.reverse_priors}
    with _eflomal_tempdir() as tmp:
        src_file, tgt_file = Path(tmp, "source"), Path(tmp, "target")
        with open(src_file, "wb") as sf, open(tgt_file, "wb") as tf:
            src_index = eflomal.to_eflomal_text_file(src_lines, sf, plen, 0)[0]
            tgt_index = eflomal.to_eflomal_text_file(tgt_lines, tf, plen, 0)[0]
        jobs = {}
        spelling = spelling_pairs(src_lines[:n], tgt_lines[:n]) if self.spelling_prior else set()
        for d, given in files.items():
            base = given.get(plen) if isinstance(given, dict) else given
            path = self._priors_file(src_lines[:n], tgt_lines[:n], base, Path(tmp, f"priors.{d}"), spelling)
            indexed = None
            if path:
                indexed = Path(tmp, f"priors.{d}.indexed")
                with open(path, encoding="utf-8") as fh, open(indexed, "w", encoding="utf-8") as out:
                    eflomal.to_eflomal_priors_file(eflomal.read_priors(fh), src_index, tgt_index, out)
            jobs[d] = dict(links_filename_fwd=str(Path(tmp, d)) if d == "fwd" else None,
                           links_filename_rev=str(Path(tmp, d)) if d == "rev" else None,
                           priors_filename=str(indexed) if indexed else None)

        def run(d: str) -> None:
            eflomal.align(str(src_file), str(tgt_file), model=aligner.model, score_model=aligner.score_model,
                          n_iterations=aligner.n_iterations, n_samplers=aligner.n_samplers, quiet=True,
                          rel_iterations=aligner.rel_iterations, null_prior=aligner.null_prior, **jobs[d])

        if self.seed is None:  # the two processes side by side (one binary runs its directions in parallel too)
            with ThreadPoolExecutor(2) as pool:
                for f in [pool.submit(run, d) for d in jobs]:
                    f.result()
        else:
            for k, d in enumerate(jobs):
                with _environ({"LD_PRELOAD": str(_seed_shim()), "OMP_NUM_THREADS": "1",
                               "PROJNER_EFLOMAL_SEED": str(self.seed * 1000 + plen + 500 * k)}):
                    run(d)
        return _read_links(Path(tmp, "fwd"), n), _read_links(Path(tmp, "rev"), n)
