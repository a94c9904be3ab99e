"""A transformers token-classification tagger (XLM-R, mBERT, ... fine-tuned for NER).

Words are given (pre-tokenised sentences); each word takes the label of its
first sub-word, and the IOB tags become spans (an ``I-`` without a ``B-`` starts
an entity). A tagger fine-tuned with ``marks="split"`` (or ``auto`` on text that writes
combining marks as tokens of their own, see :mod:`projner.text.marks`) cuts the words
it tags the same way (recorded as ``marks`` in ``projner.json``) and returns spans over
the words. Sentences longer than the model's limit are tagged in windows of
words. :meth:`HFTagger.fit` fine-tunes an encoder on labelled sentences (a short
plain torch loop; a GPU is used when asked for).

    tagger = HFTagger("models/xlmr-ner-de")
    tagger.predict([["Angela", "Merkel", "besuchte", "Paris", "."]])
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

from ..errors import InputError, ModelError
from ..io.common import atomic_folder
from ..types import Sentence, Span, iob_to_spans

__all__ = ["HFTagger"]


def _load_error(model: str, exc: Exception, offline: bool) -> ModelError:
    from ..hub import load_error_message

    return ModelError(load_error_message(model, "NER model", exc, offline))


class HFTagger:
    """Parameters: ``model`` (directory or cached hub name of a token-classification
    model), ``batch_size``, ``max_length`` (sub-words per window, at most the
    model's limit), ``device`` (``cpu``, ``cuda``, ``auto``), ``label_map``
    (e.g. ``{"PERSON": "PER"}``; map to ``""`` to drop), ``offline``, ``bf16``
    (``auto``: bfloat16 autocast on CPUs with native bf16; ``on``, ``off``)."""

    name = "hf"

    def __init__(
        self,
        model: str,
        batch_size: int = 16,
        max_length: int = 256,
        device: str = "cpu",
        label_map: dict[str, str] | None = None,
        offline: bool = True,
        bf16: str = "auto",
    ) -> None:
        from ..hub import check_model_location
        from ..hub import pick_device

        self.model_name = check_model_location(model, "NER model")
        self.batch_size = batch_size
        self.label_map = dict(label_map or {})
        self.device = pick_device(device)
        try:
            from transformers import AutoModelForTokenClassification, AutoTokenizer
        except ImportError as exc:  # pragma: no cover
            raise ModelError(f"the transformers package is needed for HF taggers: {exc}")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.model_name, local_files_only=offline)
            self.model = AutoModelForTokenClassification.from_pretrained(self.model_name, local_files_only=offline)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise _load_error(self.model_name, exc, offline) from None
        if not getattr(self.tokenizer, "is_fast", False):
            raise ModelError(f"NER model {self.model_name!r} needs a fast tokenizer (tokenizer.json) for word alignment")
        self.model.to(self.device).eval()
        from .hf_train import use_bf16

        self.bf16 = self.device == "cpu" and use_bf16(bf16)
        self.id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        self.marks = _saved_marks(self.model_name)
        limit = getattr(self.model.config, "max_position_embeddings", 512) or 512
        # RoBERTa-style models reserve padding_idx + 1 positions
        self.max_length = int(min(max_length, limit - 2, 512))

    # -- inference ----------------------------------------------------------
    def _windows(self, words: Sequence[str]) -> list[tuple[int, int]]:
        """Word windows whose sub-words fit in ``max_length``."""
        enc = self.tokenizer(list(words), is_split_into_words=True, add_special_tokens=False)
        lens = [0] * len(words)
        for wid in enc.word_ids():
            if wid is not None:
                lens[wid] += 1
        lens = [max(1, n) for n in lens]
        budget = self.max_length - 2
        out, start, used = [], 0, 0
        for i, n in enumerate(lens):
            if used + n > budget and i > start:
                out.append((start, i))
                start, used = i, 0
            used += n
        out.append((start, len(words)))
        return out

    def predict_tags(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        import torch

        pieces: list[tuple[int, int, list[str]]] = []
        for si, words in enumerate(sentences):
            words = [w if w.strip() else "_" for w in words]
            if not words:
                continue
            for a, b in self._windows(words):
                pieces.append((si, a, words[a:b]))
        tags: list[list[str]] = [["O"] * len(s) for s in sentences]
        order = sorted(range(len(pieces)), key=lambda i: len(pieces[i][2]))
        for k in range(0, len(order), self.batch_size):
            batch = [pieces[i] for i in order[k : k + self.batch_size]]
            enc = self.tokenizer(
                [p[2] for p in batch],
                is_split_into_words=True,
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.max_length,
            )
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
                logits = self.model(**{k2: v.to(self.device) for k2, v in enc.items()}).logits
            best = logits.argmax(-1).cpu().tolist()
            for row, (si, offset, words) in enumerate(batch):
                seen = set()
                for pos, wid in enumerate(enc.word_ids(row)):
                    if wid is None or wid in seen:
                        continue
                    seen.add(wid)
                    tags[si][offset + wid] = self.id2label.get(best[row][pos], "O")
        return tags

    def predict(self, sentences: Sequence[Sequence[str]]) -> list[list[Span]]:
        owners = None
        if self.marks == "split":  # the words cut as in training, the spans mapped back onto them
            from ..text.marks import split_marks

            cut = [split_marks(s) for s in sentences]
            sentences, owners = [c[0] for c in cut], [c[1] for c in cut]
        out = []
        for k, tags in enumerate(self.predict_tags(sentences)):
            spans = []
            for s in iob_to_spans([_normalise_tag(t) for t in tags]):
                lab = self.label_map.get(s.label, s.label)
                if lab:
                    spans.append(s.with_label(lab))
            if owners is not None:
                from ..text.marks import word_spans

                spans = word_spans(spans, owners[k])
            out.append(spans)
        return out

    # -- training -----------------------------------------------------------
    @classmethod
    def fit(
        cls,
        base_model: str,
        train: Sequence[Sentence],
        output: str | os.PathLike,
        dev: Sequence[Sentence] | None = None,
        epochs: int = 3,
        learning_rate: float = 5e-5,
        batch_size: int = 16,
        max_length: int = 128,
        device: str = "cpu",
        seed: int = 13,
        offline: bool = True,
        freeze_embeddings: bool = True,
        bf16: str = "auto",
        bucket: bool = True,
        threads: int | None = None,
        warmup: float = 0.1,
        marks: str = "keep",
        log=None,
    ) -> "HFTagger":
        """Fine-tune ``base_model`` on ``train`` and save the tagger to ``output``
        (atomically). ``base_model``: an encoder directory (new head), or a token-classification
        model (e.g. an English NER model) whose training goes on: see :func:`_load_for_training`. Returns the loaded tagger. The speed options
        (frozen word embeddings, bf16 autocast, length buckets, threads) are described
        in :mod:`projner.ner.hf_train`; the statistics of the run are saved in
        ``projner.json`` (``training``). ``marks``: as for the CRF (``keep``, ``attach``,
        ``split``, ``auto``; :mod:`projner.ner.crf`)."""
        import torch
        from ..hub import check_model_location
        from ..hub import pick_device
        from .hf_train import TrainOptions, encode, train_loop

        opt = TrainOptions(epochs=epochs, learning_rate=learning_rate, batch_size=batch_size, max_length=max_length,
                           warmup=warmup, freeze_embeddings=freeze_embeddings, bf16=bf16, bucket=bucket,
                           threads=threads, seed=seed)
        base = check_model_location(base_model, "base encoder")
        sents = [s for s in train if len(s)]
        if not sents:
            raise InputError("no training sentences")
        marks, sents = _marks_form(marks, sents)
        labels = sorted({s.label for x in sents for s in x.spans})
        tagset = ["O"] + [f"{p}-{l}" for l in labels for p in ("B", "I")]
        label2id = {t: i for i, t in enumerate(tagset)}
        dev_ = torch.device(pick_device(device))
        torch.manual_seed(seed)
        tok, model, head = _load_for_training(base, tagset, offline, log)
        model.to(dev_)
        data = encode(tok, sents, label2id, min(max_length, 510))
        stats = train_loop(model, data, opt, tok.pad_token_id or 0, dev_, log)
        dest = Path(output)
        with atomic_folder(dest) as tmp:
            model.save_pretrained(tmp)
            tok.save_pretrained(tmp)
            meta = {"tagger": "hf", "labels": labels, "base": str(base_model), "head": head, "marks": marks,
                    "training": stats}
            (tmp / "projner.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        tagger = cls(str(dest), batch_size=max(batch_size, 32), max_length=256, device=device)
        tagger.training = stats
        return tagger


def _load_for_training(base, tagset: list[str], offline: bool, log=None):
    """The tokenizer, a token-classification model over ``base`` for ``tagset``, and what
    became of the head (``head`` in ``projner.json``): a bare encoder gets a new head; a
    token-classification model (e.g. an English NER model, continued on projected target
    data) keeps its head rows for the tags it shares with ``tagset`` (matched by name, BIOES
    read as IOB2), gets new rows for the others and loses the rest (a ``MISC`` the data
    lacks is dropped): the tagger's labels are the training data's
    (:func:`projner.ner.hf_train.adapt_head`)."""
    from transformers import AutoConfig, AutoModelForTokenClassification, AutoTokenizer

    from .hf_train import adapt_head, head_tags

    ids = {"id2label": dict(enumerate(tagset)), "label2id": {t: i for i, t in enumerate(tagset)}}
    try:
        tok = AutoTokenizer.from_pretrained(base, local_files_only=offline)
        old = head_tags(AutoConfig.from_pretrained(base, local_files_only=offline))
        model = AutoModelForTokenClassification.from_pretrained(
            base, local_files_only=offline, **({"ignore_mismatched_sizes": True, **ids} if old is None else {}))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _load_error(base, exc, offline) from None
    head = None if old is None else adapt_head(model, old, tagset)
    if head is None and old is not None:  # no plain linear head to carry over
        model = AutoModelForTokenClassification.from_pretrained(
            base, local_files_only=offline, ignore_mismatched_sizes=True, num_labels=len(tagset), **ids)
    if head is None:
        head = {"kept": [], "new": list(tagset), "dropped": []}
    if log is not None:
        log(f"head rows kept: {' '.join(head['kept']) or '-'}; new: {' '.join(head['new']) or '-'}; "
            f"dropped: {' '.join(head['dropped']) or '-'}")
    return tok, model, head


def _marks_form(marks: str, sents: list[Sentence]) -> tuple[str, list[Sentence]]:
    """The resolved ``marks`` setting and the training sentences in that form."""
    from ..text.marks import MARKS, attach_marks_sentence, has_split_marks, split_marks_sentence

    if marks not in MARKS:
        raise InputError(f"marks must be keep, attach, split or auto, not {marks!r}")
    if marks == "auto":
        marks = "split" if has_split_marks(sents) else "keep"
    form = {"split": split_marks_sentence, "attach": attach_marks_sentence}.get(marks)
    return marks, ([form(s) for s in sents] if form else sents)


def _saved_marks(model: str) -> str:
    """``marks`` recorded in a projner-trained model folder (``keep`` for any other model)."""
    try:
        meta = json.loads((Path(model) / "projner.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "keep"
    return meta.get("marks", "keep") if isinstance(meta, dict) else "keep"


def _normalise_tag(tag: str) -> str:
    """Accept ``B-PER``, ``I-PER``, ``S-``/``E-`` (BIOES), ``PER`` (no prefix) and ``O``."""
    if tag == "O" or not tag:
        return "O"
    if len(tag) > 2 and tag[1] in "-_" and tag[0] in "BIESLU":
        p = {"L": "E", "U": "S"}.get(tag[0], tag[0])
        return f"{p}-{tag[2:]}"
    return f"I-{tag}"
