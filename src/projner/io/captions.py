"""Readers and a writer for image-caption corpora.

Two layouts are read, both streaming, UTF-8, ``.gz`` transparent, with errors
that name the file and line (:class:`projner.errors.InputError`):

* **Files** (the Multi30K layout): one image-id file (one image file name per
  line) and, per language, one or more caption files that are line-parallel with
  it. Multi30K task 1 has one caption file per language
  (``task1/raw/{split}.{lang}.gz``: translations of each other); task 2 has five
  (``task2/raw/{split}.{1..5}.{lang}.gz``: independent descriptions of the same
  image). :func:`read_multi30k` finds those files under the corpus folder;
  :func:`read_caption_files` takes any image file plus caption files.
* **JSONL**: one caption per line, ``{"image": ..., "lang": ..., "caption": ...}``;
  captions are grouped by image in order of first appearance.

Image files are optional. When ``image_dir`` is given (or, for JSONL, when the
``image`` value is a path relative to the JSONL file's folder or absolute),
:attr:`ImageCaptions.image_path` is set for images whose file exists;
``require_images=True`` turns a missing image file into an error.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from ..errors import InputError
from .common import load_json_line, atomic_write, iter_lines

__all__ = [
    "ImageCaptions",
    "read_image_ids",
    "read_caption_files",
    "multi30k_files",
    "read_multi30k",
    "read_caption_jsonl",
    "write_caption_jsonl",
    "read_caption_corpus",
    "caption_translations",
    "MULTI30K_SPLITS",
]

#: split names of Multi30K task 1 and task 2 (``test_2016`` is task 2's name of
#: task 1's ``test_2016_flickr``)
MULTI30K_SPLITS = {
    1: ("train", "val", "test_2016_flickr", "test_2017_flickr", "test_2017_mscoco", "test_2018_flickr"),
    2: ("train", "val", "test_2016"),
}


@dataclass(frozen=True)
class ImageCaptions:
    """The captions of one image, by language.

    ``captions[lang]`` is a tuple of captions (one per caption file for the file
    layout, in file order; in JSONL order for JSONL). ``image_path`` is set only
    when the image file was found. ``origin`` is ``(file, line)`` of the image's
    first record, for messages.
    """

    image: str
    captions: Mapping[str, tuple[str, ...]]
    image_path: Path | None = None
    origin: tuple[str, int] | None = field(default=None, compare=False)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.captions)

    def get(self, lang: str) -> tuple[str, ...]:
        return tuple(self.captions.get(lang, ()))


# ---------------------------------------------------------------------------
# file layout


def read_image_ids(path: str | os.PathLike) -> list[str]:
    """Image ids (file names), one per line; an empty line is an error."""
    ids: list[str] = []
    for lineno, line in iter_lines(path):
        name = line.strip()
        if not name:
            raise InputError("empty line in an image-id file (expected one image file name per line)", path, lineno)
        ids.append(name)
    if not ids:
        raise InputError("image-id file is empty", path)
    return ids


def _resolve_image(image: str, image_dir: Path | None, base: Path | None) -> Path | None:
    candidates = []
    p = Path(image)
    if p.is_absolute():
        candidates.append(p)
    else:
        if image_dir is not None:
            candidates.append(image_dir / p)
        if base is not None:
            candidates.append(base / p)
    for c in candidates:
        if c.is_file():
            return c
    return None


def _check_image_dir(image_dir) -> Path | None:
    if image_dir is None:
        return None
    d = Path(image_dir)
    if not d.is_dir():
        raise InputError("image folder does not exist or is not a folder", d)
    return d


def read_caption_files(
    image_file: str | os.PathLike,
    caption_files: Mapping[str, str | os.PathLike | Sequence[str | os.PathLike]],
    *,
    image_dir: str | os.PathLike | None = None,
    require_images: bool = False,
) -> Iterator[ImageCaptions]:
    """Stream :class:`ImageCaptions` from an image-id file and line-parallel caption files.

    ``caption_files`` maps a language to one caption file or a list of them
    (e.g. Multi30K task 2's five files per language). Every caption file must
    have exactly as many lines as the image file; an empty caption line is
    skipped (that image has one caption fewer in that language).
    """
    img_dir = _check_image_dir(image_dir)
    if not caption_files:
        raise InputError("no caption files given", image_file)
    streams: list[tuple[str, str, Iterator[tuple[int, str]]]] = []
    for lang, files in caption_files.items():
        if isinstance(files, (str, os.PathLike)):
            files = [files]
        if not files:
            raise InputError(f"no caption files for language {lang!r}", image_file)
        for f in files:
            streams.append((lang, os.fspath(f), iter_lines(f)))
    langs = list(dict.fromkeys(lang for lang, _, _ in streams))
    image_path = os.fspath(image_file)
    n = 0
    for lineno, line in iter_lines(image_file):
        name = line.strip()
        if not name:
            raise InputError("empty line in an image-id file (expected one image file name per line)", image_path, lineno)
        caps: dict[str, list[str]] = {lang: [] for lang in langs}
        for lang, path, it in streams:
            got = next(it, None)
            if got is None:
                raise InputError(
                    f"caption file ends after {lineno - 1} lines but the image file {image_path} has more",
                    path, lineno - 1 if lineno > 1 else None,
                )
            text = got[1].strip()
            if text:
                caps[lang].append(text)
        found = _resolve_image(name, img_dir, None) if img_dir is not None else None
        if require_images and found is None:
            where = f" in {img_dir}" if img_dir is not None else " (no image folder given)"
            raise InputError(f"image file {name!r} not found{where}", image_path, lineno)
        n += 1
        yield ImageCaptions(name, {k: tuple(v) for k, v in caps.items()}, found, (image_path, lineno))
    if n == 0:
        raise InputError("image-id file is empty", image_path)
    for lang, path, it in streams:
        extra = next(it, None)
        if extra is not None:
            raise InputError(
                f"caption file has more lines than the image file {image_path} ({n} lines)", path, extra[0]
            )


def _find(path: Path, what: str) -> Path:
    for cand in (path, path.with_name(path.name + ".gz")):
        if cand.is_file():
            return cand
    if path.name.endswith(".gz") and path.with_name(path.name[:-3]).is_file():
        return path.with_name(path.name[:-3])
    raise InputError(f"{what} not found (expected {path.name} or {path.name}.gz)", path.parent)


def multi30k_files(
    root: str | os.PathLike, split: str = "train", langs: Sequence[str] = ("en", "de"), task: int = 1
) -> tuple[Path, dict[str, list[Path]]]:
    """Locate the image-id file and caption files of a Multi30K split.

    ``root`` is the corpus folder (holding ``task1/`` and ``task2/``) or a task
    folder itself. Task 1: ``raw/{split}.{lang}[.gz]`` and
    ``image_splits/{split}.txt[.gz]``. Task 2: ``raw/{split}.{k}.{lang}[.gz]``
    for k = 1, 2, ...; its image list is ``task2/image_splits/{split}_images.txt``
    when present, else task 1's list of the same split (train and val are not
    duplicated upstream; task 2's ``test_2016`` is task 1's ``test_2016_flickr``).
    """
    if task not in (1, 2):
        raise InputError(f"Multi30K task must be 1 or 2, got {task}")
    base = Path(root)
    if not base.is_dir():
        raise InputError("Multi30K folder does not exist", base)
    tdir = base / f"task{task}" if (base / f"task{task}").is_dir() else base
    if not (tdir / "raw").is_dir():
        raise InputError(f"no raw/ folder for Multi30K task {task} (expected {tdir / 'raw'})", base)
    files: dict[str, list[Path]] = {}
    if task == 1:
        for lang in langs:
            files[lang] = [_find(tdir / "raw" / f"{split}.{lang}", f"caption file for {split}/{lang}")]
        image_file = _find(tdir / "image_splits" / f"{split}.txt", f"image list for split {split!r}")
    else:
        pat = re.compile(rf"^{re.escape(split)}\.(\d+)\.([^.]+)(?:\.gz)?$")
        found: dict[str, dict[int, Path]] = {}
        for p in sorted((tdir / "raw").iterdir()):
            m = pat.match(p.name)
            if m and m.group(2) in langs:
                found.setdefault(m.group(2), {})[int(m.group(1))] = p
        for lang in langs:
            if lang not in found:
                raise InputError(f"no task-2 caption files {split}.N.{lang}[.gz]", tdir / "raw")
            files[lang] = [found[lang][k] for k in sorted(found[lang])]
        t1 = tdir.parent / "task1" / "image_splits"
        options = [tdir / "image_splits" / f"{split}_images.txt", tdir / "image_splits" / f"{split}.txt",
                   t1 / f"{split}.txt", t1 / f"{split}_flickr.txt"]
        image_file = None
        for opt in options:
            for cand in (opt, opt.with_name(opt.name + ".gz")):
                if cand.is_file():
                    image_file = cand
                    break
            if image_file is not None:
                break
        if image_file is None:
            raise InputError(f"image list for task-2 split {split!r} not found (looked for {options[0].name} "
                             f"and task1/image_splits/{split}.txt)", tdir / "image_splits")
    return image_file, files


def read_multi30k(
    root: str | os.PathLike,
    split: str = "train",
    langs: Sequence[str] = ("en", "de"),
    task: int = 1,
    *,
    image_dir: str | os.PathLike | None = None,
    require_images: bool = False,
) -> Iterator[ImageCaptions]:
    """Stream a Multi30K split (task 1: translations; task 2: 5 independent captions)."""
    image_file, files = multi30k_files(root, split, langs, task)
    return read_caption_files(image_file, files, image_dir=image_dir, require_images=require_images)


# ---------------------------------------------------------------------------
# JSONL layout


def read_caption_jsonl(
    path: str | os.PathLike,
    *,
    langs: Sequence[str] | None = None,
    image_dir: str | os.PathLike | None = None,
    require_images: bool = False,
) -> list[ImageCaptions]:
    """Read ``{"image", "lang", "caption"}`` lines, grouped by image (first-appearance order).

    ``langs`` keeps only those languages. Image paths are resolved against
    ``image_dir`` and then the JSONL file's folder (absolute paths as they are).
    """
    img_dir = _check_image_dir(image_dir)
    base = Path(path).parent
    order: list[str] = []
    caps: dict[str, dict[str, list[str]]] = {}
    origin: dict[str, tuple[str, int]] = {}
    for lineno, line in iter_lines(path):
        if not line.strip():
            continue
        obj = load_json_line(line, path, lineno)
        if not isinstance(obj, dict):
            raise InputError("expected a JSON object with 'image', 'lang' and 'caption'", path, lineno)
        for key in ("image", "lang", "caption"):
            if key not in obj:
                raise InputError(f"missing key {key!r} (each line needs 'image', 'lang' and 'caption')", path, lineno)
            if not isinstance(obj[key], str):
                raise InputError(f"{key!r} must be a string, got {type(obj[key]).__name__}", path, lineno)
        image, lang, caption = obj["image"].strip(), obj["lang"].strip(), obj["caption"].strip()
        if not image:
            raise InputError("'image' is empty", path, lineno)
        if not lang or any(c.isspace() for c in lang):
            raise InputError(f"'lang' must be a language code without spaces, got {obj['lang']!r}", path, lineno)
        if langs is not None and lang not in langs:
            continue
        if image not in caps:
            order.append(image)
            caps[image] = {}
            origin[image] = (os.fspath(path), lineno)
        if caption:
            caps[image].setdefault(lang, []).append(caption)
    if not order:
        raise InputError("no captions found" + (f" for languages {', '.join(langs)}" if langs else ""), path)
    out: list[ImageCaptions] = []
    for image in order:
        found = _resolve_image(image, img_dir, base)
        if require_images and found is None:
            raise InputError(f"image file {image!r} not found", origin[image][0], origin[image][1])
        out.append(ImageCaptions(image, {k: tuple(v) for k, v in caps[image].items()}, found, origin[image]))
    return out


def write_caption_jsonl(path: str | os.PathLike, records: Iterable[ImageCaptions]) -> int:
    """Write records as ``{"image", "lang", "caption"}`` lines (atomically); returns the line count."""
    n = 0
    with atomic_write(path) as fh:
        for rec in records:
            for lang, captions in rec.captions.items():
                for cap in captions:
                    fh.write(json.dumps({"image": rec.image, "lang": lang, "caption": cap}, ensure_ascii=False))
                    fh.write("\n")
                    n += 1
    return n


def read_caption_corpus(
    path: str | os.PathLike,
    *,
    split: str = "train",
    langs: Sequence[str] = ("en", "de"),
    task: int = 1,
    image_dir: str | os.PathLike | None = None,
) -> Iterator[ImageCaptions]:
    """A JSONL file, or a folder in the Multi30K layout (``split`` and ``task`` apply)."""
    p = Path(path)
    if p.is_dir():
        return read_multi30k(p, split, langs, task, image_dir=image_dir)
    if not p.exists():
        raise InputError("caption corpus not found", p)
    return iter(read_caption_jsonl(p, langs=langs, image_dir=image_dir))


# ---------------------------------------------------------------------------
# helpers


def caption_translations(
    records: Iterable[ImageCaptions], src_lang: str, tgt_lang: str, *, tokenize: bool = True
) -> tuple[list[list[str]], list[list[str]]]:
    """Caption translations as bitext: the k-th ``src_lang`` caption of an image
    paired with its k-th ``tgt_lang`` caption (Multi30K task 1 layout).

    Images whose two languages have different numbers of captions are skipped
    (in the file layout that only happens when a caption line was empty).
    Captions are split by the word tokenizer unless ``tokenize`` is false
    (then by white space).
    """
    from ..text.tokenize import tokenize as word_tokenize

    split = word_tokenize if tokenize else str.split
    src: list[list[str]] = []
    tgt: list[list[str]] = []
    for rec in records:
        a, b = rec.get(src_lang), rec.get(tgt_lang)
        if not a or len(a) != len(b):
            continue
        for x, y in zip(a, b):
            tx, ty = split(x), split(y)
            if tx and ty:
                src.append(tx)
                tgt.append(ty)
    return src, tgt
