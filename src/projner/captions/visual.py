"""Visual-context scoring for candidate matching, with a CLIP-style image-text encoder.

When a parallel pair comes with an image (``pair.meta["image"]``: a path or a
PIL image), a target candidate that names something visible in the image is a
more plausible projection of a source entity than one that does not. The
:class:`ClipScorer` embeds the image and every candidate's text with a
transformers image-text model (``CLIPModel`` and anything else loaded by
``AutoModel`` that has ``get_image_features`` / ``get_text_features``, e.g.
SigLIP, AltCLIP) and scores each candidate by its cosine similarity to the image,
normalised per pair to [0, 1]. The score is the same for every source entity
(the image says which target phrases are grounded, not which entity they
translate); combine it with the alignment evidence by a weight::

    from projner.captions.visual import ClipScorer
    from projner.project import ScoreWeights, build_projector
    proj = build_projector("ilp", weights=ScoreWeights(extra=((0.2, ClipScorer("path/to/clip")),)))
    proj(source, target, alignment, meta={"image": "images/1000092795.jpg"})

With no image attached the scorer returns zeros for every candidate (it adds
nothing; note that the candidate matcher's weighted mean still counts its
weight in the normaliser). The text encoder must read the *target* language:
stock OpenAI CLIP is English-only, so for en→X projection use a multilingual
image-text model, or use it for X→en (translate-test) where the target is English.

Heavy imports (torch, transformers, PIL) happen on first use. Nothing is
downloaded: the model loads from a local path (``local_files_only``).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Any, Literal, Optional, Sequence

import numpy as np

from ..errors import InputError, ModelError
from ..options import NonNegativeInt, Options, PositiveInt, parse_options
from ..types import Pair, Span

__all__ = ["ClipScorer", "NORMALISATIONS"]

NORMALISATIONS = ("minmax", "softmax", "cosine")


class ClipScorer:
    """Candidate scorer from image-text similarity.

    model: local path of a transformers image-text model + processor (CLIP-style).
    normalize: ``minmax`` (default; best candidate 1, worst 0 within the pair),
        ``softmax`` (CLIP's temperature, divided by the maximum so the best is 1),
        or ``cosine`` (``(cos + 1) / 2``, absolute).
    template: how a candidate is turned into a caption, e.g. ``"a photo of {}"``.
    image_key: the ``pair.meta`` key holding the image path or PIL image.
    image_dir: folder against which relative image paths are resolved.
    batch_size: candidates embedded per forward pass.
    """

    def __init__(self, model: str | os.PathLike, *, normalize: str = "minmax", template: str = "{}",
                 image_key: str = "image", image_dir: str | os.PathLike | None = None,
                 batch_size: int = 64, device: str = "cpu", cache_size: int = 4096) -> None:
        if normalize not in NORMALISATIONS:
            raise ValueError(f"unknown normalisation {normalize!r} (use one of {', '.join(NORMALISATIONS)})")
        if "{}" not in template:
            raise ValueError("template must contain {} for the candidate text")
        self.model_path = os.fspath(model)
        self.normalize = normalize
        self.template = template
        self.image_key = image_key
        self.image_dir = None if image_dir is None else Path(image_dir)
        self.batch_size = batch_size
        self.device = device
        self.cache_size = cache_size
        self._model = None
        self._processor = None
        self._text_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._image_cache: OrderedDict[str, np.ndarray] = OrderedDict()

    # loading -----------------------------------------------------------------
    def _load(self) -> None:
        if self._model is not None:
            return
        if not Path(self.model_path).exists():
            raise ModelError(f"image-text model not found at {self.model_path} (a local folder is expected)")
        try:
            import torch  # noqa: F401
            from transformers import AutoModel, AutoProcessor
        except ImportError:
            raise ModelError("the visual scorer needs torch, transformers and pillow: "
                             "pip install 'projner[neural]' pillow") from None
        try:
            model = AutoModel.from_pretrained(self.model_path, local_files_only=True)
            processor = AutoProcessor.from_pretrained(self.model_path, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load image-text model from {self.model_path}: {exc}".splitlines()[0]) from None
        if not (hasattr(model, "get_text_features") and hasattr(model, "get_image_features")):
            raise ModelError(f"{type(model).__name__} is not an image-text model (no get_text_features/get_image_features)")
        self._model = model.to(self.device).eval()
        self._processor = processor

    @staticmethod
    def _features(out: Any):
        import torch

        feat = out if torch.is_tensor(out) else getattr(out, "pooler_output", None)
        if feat is None:  # pragma: no cover - other output classes
            feat = out[0]
        return torch.nn.functional.normalize(feat.float(), dim=-1)

    def _remember(self, cache: OrderedDict, key: str, value: np.ndarray) -> None:
        cache[key] = value
        if len(cache) > self.cache_size:
            cache.popitem(last=False)

    def text_embeddings(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings of ``texts`` (template applied), cached."""
        import torch

        self._load()
        todo = [t for t in dict.fromkeys(texts) if t not in self._text_cache]
        tok = getattr(self._processor, "tokenizer", self._processor)
        for i in range(0, len(todo), self.batch_size):
            chunk = todo[i : i + self.batch_size]
            enc = tok([self.template.format(t) for t in chunk], padding=True, truncation=True, return_tensors="pt")
            enc = {k: v.to(self.device) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
            with torch.no_grad():
                feats = self._features(self._model.get_text_features(**enc)).cpu().numpy()
            for t, f in zip(chunk, feats):
                self._remember(self._text_cache, t, f)
        return np.stack([self._text_cache[t] for t in texts]) if texts else np.zeros((0, 0), np.float32)

    def _open_image(self, image: Any):
        from PIL import Image, UnidentifiedImageError

        if isinstance(image, Image.Image):
            return image.convert("RGB"), None
        p = Path(image)
        if not p.is_absolute() and self.image_dir is not None:
            p = self.image_dir / p
        if not p.is_file():
            raise InputError("image file not found", p)
        try:
            with Image.open(p) as im:
                return im.convert("RGB"), os.fspath(p.resolve())
        except (UnidentifiedImageError, OSError) as exc:
            raise InputError(f"cannot read image: {exc}".splitlines()[0], p) from None

    def image_embedding(self, image: Any) -> np.ndarray:
        """L2-normalised embedding of an image (path or PIL image); paths are cached."""
        import torch

        self._load()
        key = None
        if isinstance(image, (str, os.PathLike)):
            key = os.fspath(image)
            if key in self._image_cache:
                return self._image_cache[key]
        img, _ = self._open_image(image)
        proc = getattr(self._processor, "image_processor", self._processor)
        pix = proc(images=[img], return_tensors="pt")["pixel_values"].to(self.device)
        with torch.no_grad():
            feat = self._features(self._model.get_image_features(pixel_values=pix)).cpu().numpy()[0]
        if key is not None:
            self._remember(self._image_cache, key, feat)
        return feat

    def _logit_scale(self) -> float:
        scale = getattr(self._model, "logit_scale", None)
        try:
            return float(scale.exp().item()) if scale is not None else 100.0
        except Exception:  # pragma: no cover
            return 100.0

    # scoring -----------------------------------------------------------------
    def candidate_scores(self, target_tokens: Sequence[str], candidates: Sequence[tuple[int, int]], image: Any) -> np.ndarray:
        """Per-candidate visual scores in [0, 1] (shape (len(candidates),))."""
        if not len(candidates):
            return np.zeros(0)
        texts = [" ".join(target_tokens[s:e]) for s, e in candidates]
        t = self.text_embeddings(texts)
        v = self.image_embedding(image)
        cos = t @ v
        if self.normalize == "cosine":
            out = (cos + 1.0) / 2.0
        elif self.normalize == "softmax":
            z = self._logit_scale() * cos
            z = np.exp(z - z.max())
            out = z / z.max()
        else:
            lo, hi = float(cos.min()), float(cos.max())
            out = (cos - lo) / (hi - lo) if hi > lo else np.ones_like(cos)
        return np.clip(out.astype(np.float64), 0.0, 1.0)

    def __call__(self, pair: Pair, entities: Sequence[Span], candidates: Sequence[tuple[int, int]]) -> np.ndarray | None:
        shape = (len(entities), len(candidates))
        image = (pair.meta or {}).get(self.image_key)
        if image is None:
            return None  # abstain: with no image the visual signal is left out of the score
        if not shape[0] or not shape[1]:
            return np.zeros(shape)
        row = self.candidate_scores(pair.target.tokens, candidates, image)
        return np.broadcast_to(row, shape).copy()


class ClipScorerOptions(Options):
    model: str
    normalize: Literal[NORMALISATIONS] = "minmax"  # type: ignore[valid-type]
    template: str = "{}"
    image_key: str = "image"
    image_dir: Optional[str] = None
    batch_size: PositiveInt = 64
    device: str = "cpu"
    cache_size: NonNegativeInt = 4096


def clip_scorer(**options: Any) -> ClipScorer:
    """The registered ``clip`` scorer (options: :class:`ClipScorerOptions`)."""
    return ClipScorer(**parse_options(ClipScorerOptions, options, "scorer 'clip'").model_dump())


clip_scorer.Options = ClipScorerOptions  # type: ignore[attr-defined]
