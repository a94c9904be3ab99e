"""The taggers of ``benchmarks/portuguese.py`` (issue 13): which English tagger and
which multilingual encoder the benchmark uses, and the Portuguese taggers trained on
the projected translations.

``--tagger hf`` (the default, the measured setting):

- the English tagger (translate-test; applied to Portuguese it is model transfer) is a
  multilingual encoder fine-tuned on English CoNLL: ``--en-model`` DIR, else
  ``$PROJNER_EN_MODEL``, else ``MODELS/models/e5-en-conll``, else
  ``CACHE/models/en-hf-<encoder>-<n>`` — trained there from the encoder (one epoch on
  the English train set, once) when none of them exists;
- the encoder (for that English model and for the translate-train taggers):
  ``--encoder`` DIR, else ``$PROJNER_ENCODER``, else ``MODELS/e5-small``;
- translate-train (projner projection and markers): the encoder fine-tuned on the
  projected Portuguese, one epoch, the same settings as the English model.

``MODELS`` is ``$PROJNER_MODELS`` or ``/work/cache`` (this machine's shared model
cache). Nothing is downloaded: a missing encoder is an error that says what to give.
``--tagger crf``: CRFs everywhere (English CoNLL CRF, Portuguese CRFs), no encoder.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from projner.ner import load_tagger
from projner.ner.crf import CRFTagger

HF_SETTINGS = {"epochs": 1, "learning_rate": 5e-5, "batch_size": 16, "max_length": 128}


class SetupError(Exception):
    """A missing or unusable model folder (the benchmark exits with status 2)."""


def models_root() -> Path:
    return Path(os.environ.get("PROJNER_MODELS") or "/work/cache")


def _is_hf_folder(path: Path) -> bool:
    return (path / "config.json").is_file()


def find_encoder(given: str | None) -> Path:
    """The multilingual encoder folder (module doc), or SetupError saying what to give."""
    if given:
        path = Path(given).expanduser()
        if not _is_hf_folder(path):
            raise SetupError(f"--encoder {given}: not a transformers model folder (no config.json)")
        return path
    env = os.environ.get("PROJNER_ENCODER")
    if env:
        if not _is_hf_folder(Path(env).expanduser()):
            raise SetupError(f"PROJNER_ENCODER={env}: not a transformers model folder (no config.json)")
        return Path(env).expanduser()
    default = models_root() / "e5-small"
    if _is_hf_folder(default):
        return default
    raise SetupError(f"no multilingual encoder: {default} does not exist and PROJNER_ENCODER is not set. "
                     "Give --encoder DIR (a transformers folder of a multilingual encoder, e.g. "
                     "multilingual-e5-small; nothing is downloaded) or use --tagger crf")


def find_en_model(given: str | None, cache: Path, encoder: Path, n_english: int) -> tuple[Path, bool]:
    """(the English transformer tagger's folder, whether it must be trained first)."""
    for source, value in (("--en-model", given), ("PROJNER_EN_MODEL", os.environ.get("PROJNER_EN_MODEL"))):
        if value:
            path = Path(value).expanduser()
            if not _is_hf_folder(path):
                raise SetupError(f"{source} {value}: not a transformers tagger folder (no config.json)")
            return path, False
    shared = models_root() / "models" / "e5-en-conll"
    if _is_hf_folder(shared):
        return shared, False
    own = cache / "models" / f"en-hf-{encoder.name}-{n_english}"
    return own, not _is_hf_folder(own)


def describe(path: Path) -> dict:
    """What ``projner.json`` says of a trained tagger (sentences, test F1, seconds)."""
    try:
        meta = json.loads((path / "projner.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"path": str(path)}
    training = meta.get("training", {})
    out = {"path": str(path), "base": meta.get("base"), "labels": meta.get("labels"),
           "train_sentences": training.get("sentences"), "epochs": training.get("epochs")}
    if "test_f1" in meta:
        out["english_test_f1"] = meta["test_f1"]
    return out


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def english_tagger(args, english_all) -> tuple[object, dict]:
    """The English tagger and its description for the JSON ``_meta``."""
    if args.tagger == "crf":
        path = args.cache / "models" / f"en-crf-{len(english_all)}-{args.max_iterations}"
        if (path / "projner.json").exists():
            return CRFTagger.load(path), {"kind": "crf", "path": str(path), "train_sentences": len(english_all)}
        log(f"training the English CRF on {len(english_all)} sentences (once; kept in {path})")
        crf = CRFTagger(max_iterations=args.max_iterations).fit(english_all)
        crf.save(path)
        return crf, {"kind": "crf", "path": str(path), "train_sentences": len(english_all)}
    path, train = find_en_model(args.en_model, args.cache, args.encoder, len(english_all))
    if train:
        from projner.ner.hf import HFTagger

        log(f"no English transformer tagger: fine-tuning {args.encoder} on {len(english_all)} English "
            f"CoNLL sentences (once, about 15 minutes on 2 cores; kept in {path})")
        HFTagger.fit(str(args.encoder), english_all, path, seed=args.seed, log=log, **HF_SETTINGS)
    return load_tagger(path, "hf"), {"kind": "hf", "trained_now": train, **describe(path)}


def train_target(args, sentences, name: str):
    """A Portuguese tagger trained on projected translations: (tagger, seconds)."""
    sents = [s for s in sentences if len(s)]
    t0 = time.perf_counter()
    if args.tagger == "crf":
        return CRFTagger(max_iterations=args.max_iterations).fit(sents), time.perf_counter() - t0
    from projner.ner.hf import HFTagger

    log(f"fine-tuning {args.encoder.name} on {len(sents)} projected Portuguese sentences ({name})")
    args.cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"pt-{name}-", dir=args.cache) as tmp:
        tagger = HFTagger.fit(str(args.encoder), sents, Path(tmp) / "model", seed=args.seed, log=log,
                              **HF_SETTINGS)
    return tagger, time.perf_counter() - t0


def target_description(args) -> dict:
    if args.tagger == "crf":
        return {"kind": "crf", "max_iterations": args.max_iterations}
    return {"kind": "hf", "encoder": str(args.encoder), **HF_SETTINGS,
            "what": "the encoder fine-tuned on the projected Portuguese translations of the English train set"}
