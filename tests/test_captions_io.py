"""Image-caption readers: Multi30K file layout (task 1 and 2), JSONL, errors with file and line."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from projner.errors import InputError
from projner.io.captions import (ImageCaptions, caption_translations, multi30k_files, read_caption_corpus,
                                 read_caption_files, read_caption_jsonl, read_image_ids, read_multi30k,
                                 write_caption_jsonl)

FIX = Path(__file__).parent / "fixtures" / "captions"
M30 = FIX / "multi30k"


def test_task1_reader_exact():
    recs = list(read_multi30k(M30, "train", ("en", "de"), task=1))
    assert [r.image for r in recs] == ["1001.jpg", "1002.jpg", "1003.jpg"]
    assert recs[0].captions == {"en": ("A dog runs in the park.",), "de": ("Ein Hund rennt im Park.",)}
    assert recs[1].get("de") == ("Zwei Männer spielen Fußball.",)
    assert recs[2].image_path is None
    assert recs[0].origin == (str(M30 / "task1" / "image_splits" / "train.txt"), 1)
    assert recs[0].languages == ("en", "de")


def test_task2_reader_exact_and_empty_caption_skipped():
    image_file, files = multi30k_files(M30, "test_2016", ("en", "de"), task=2)
    assert image_file == M30 / "task2" / "image_splits" / "test_2016_images.txt"
    assert [p.name for p in files["en"]] == ["test_2016.1.en", "test_2016.2.en"]
    recs = list(read_multi30k(M30, "test_2016", ("en", "de"), task=2))
    assert len(recs) == 2
    assert recs[0] == ImageCaptions("2001.jpg", {"en": ("A brown dog.", "The dog is running."),
                                                 "de": ("Ein brauner Hund.", "Der Hund rennt.")})
    # line 2 of test_2016.2.de is empty: image 2002 has one German caption
    assert recs[1].get("de") == ("Ein Mann auf dem Fahrrad.",)
    assert recs[1].get("en") == ("A man on a bike.", "A cyclist in the street.")


def test_root_may_be_the_task_folder():
    recs = list(read_multi30k(M30 / "task1", "train", ("en",), task=1))
    assert [r.get("en")[0] for r in recs][-1] == "A woman rides a bike."


def test_gzip_files_are_read_transparently(tmp_path):
    root = tmp_path / "m30"
    shutil.copytree(M30, root)
    for lang in ("en", "de"):
        p = root / "task1" / "raw" / f"train.{lang}"
        with gzip.open(str(p) + ".gz", "wb") as fh:
            fh.write(p.read_bytes())
        p.unlink()
    img = root / "task1" / "image_splits" / "train.txt"
    with gzip.open(str(img) + ".gz", "wb") as fh:
        fh.write(img.read_bytes())
    img.unlink()
    recs = list(read_multi30k(root, "train", task=1))
    assert recs[0].get("de") == ("Ein Hund rennt im Park.",)
    assert len(recs) == 3


def test_caption_translations_tokenised():
    src, tgt = caption_translations(read_multi30k(M30, "train", task=1), "en", "de")
    assert src[0] == ["A", "dog", "runs", "in", "the", "park", "."]
    assert tgt[1] == ["Zwei", "Männer", "spielen", "Fußball", "."]
    assert len(src) == len(tgt) == 3


def test_jsonl_reader_groups_by_image_and_finds_images(tmp_path):
    recs = read_caption_jsonl(FIX / "captions.jsonl")
    assert [r.image for r in recs] == ["red.png", "blue.png"]
    assert recs[0].captions == {"en": ("A red square.", "Something red."), "de": ("Ein rotes Quadrat.",)}
    assert recs[1].captions == {"de": ("Ein blaues Quadrat.",), "en": ("A blue square.",), "fr": ("Un carré bleu.",)}
    assert recs[0].image_path is None
    assert recs[1].origin == (str(FIX / "captions.jsonl"), 3)
    only = read_caption_jsonl(FIX / "captions.jsonl", langs=("fr",))
    assert [(r.image, r.captions) for r in only] == [("blue.png", {"fr": ("Un carré bleu.",)})]
    # image files: resolved against image_dir, then the JSONL's folder
    (tmp_path / "red.png").write_bytes(b"not really a png")
    recs = read_caption_jsonl(FIX / "captions.jsonl", image_dir=tmp_path)
    assert recs[0].image_path == tmp_path / "red.png" and recs[1].image_path is None
    with pytest.raises(InputError) as ei:
        read_caption_jsonl(FIX / "captions.jsonl", image_dir=tmp_path, require_images=True)
    assert ei.value.path == str(FIX / "captions.jsonl") and ei.value.line == 3
    assert "blue.png" in ei.value.message


def test_jsonl_round_trip(tmp_path):
    recs = read_caption_jsonl(FIX / "captions.jsonl")
    out = tmp_path / "out.jsonl"
    assert write_caption_jsonl(out, recs) == 6
    again = read_caption_jsonl(out)
    assert again == recs
    assert list(read_caption_corpus(out, langs=("en", "de")))[0].get("de") == ("Ein rotes Quadrat.",)


def test_file_layout_with_image_dir(tmp_path):
    (tmp_path / "1002.jpg").write_bytes(b"x")
    recs = list(read_multi30k(M30, "train", task=1, image_dir=tmp_path))
    assert [r.image_path for r in recs] == [None, tmp_path / "1002.jpg", None]
    with pytest.raises(InputError) as ei:
        list(read_multi30k(M30, "train", task=1, image_dir=tmp_path, require_images=True))
    assert ei.value.line == 1 and ei.value.path.endswith("train.txt")
    with pytest.raises(InputError, match="image folder"):
        list(read_multi30k(M30, "train", task=1, image_dir=tmp_path / "missing"))


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "invalid JSON"),
        ('["image", "lang"]', "JSON object"),
        ('{"image": "a.jpg", "lang": "en"}', "missing key 'caption'"),
        ('{"image": "a.jpg", "lang": "en", "caption": 3}', "'caption' must be a string"),
        ('{"image": "", "lang": "en", "caption": "x"}', "'image' is empty"),
        ('{"image": "a.jpg", "lang": "e n", "caption": "x"}', "language code"),
    ],
)
def test_jsonl_errors_name_file_and_line(tmp_path, line, message):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"image": "a.jpg", "lang": "en", "caption": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        read_caption_jsonl(p)
    assert ei.value.path == str(p) and ei.value.line == 2
    assert message in ei.value.message


def test_empty_jsonl(tmp_path):
    p = tmp_path / "empty.jsonl"
    p.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="no captions"):
        read_caption_jsonl(p)


def test_file_layout_errors(tmp_path):
    img = tmp_path / "images.txt"
    img.write_text("a.jpg\nb.jpg\nc.jpg\n", encoding="utf-8")
    short = tmp_path / "short.en"
    short.write_text("one\ntwo\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        list(read_caption_files(img, {"en": short}))
    assert ei.value.path == str(short) and ei.value.line == 2 and "ends after 2 lines" in ei.value.message
    long = tmp_path / "long.de"
    long.write_text("1\n2\n3\n4\n", encoding="utf-8")
    ok = tmp_path / "ok.en"
    ok.write_text("1\n2\n3\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        list(read_caption_files(img, {"en": ok, "de": long}))
    assert ei.value.path == str(long) and ei.value.line == 4 and "more lines" in ei.value.message
    gap = tmp_path / "gap.txt"
    gap.write_text("a.jpg\n\nc.jpg\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        list(read_caption_files(gap, {"en": ok}))
    assert (ei.value.path, ei.value.line) == (str(gap), 2)
    with pytest.raises(InputError) as ei:
        read_image_ids(gap)
    assert ei.value.line == 2
    bad = tmp_path / "bad.en"
    bad.write_bytes(b"ok\n\xff\xfe\nok\n")
    with pytest.raises(InputError) as ei:
        list(read_caption_files(img, {"en": bad}))
    assert (ei.value.path, ei.value.line) == (str(bad), 2) and "UTF-8" in ei.value.message
    with pytest.raises(InputError, match="file not found"):
        list(read_caption_files(tmp_path / "nope.txt", {"en": ok}))


def test_multi30k_missing_files(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        multi30k_files(tmp_path / "nothing")
    with pytest.raises(InputError, match="caption file for dev/en"):
        multi30k_files(M30, "dev", ("en",), task=1)
    with pytest.raises(InputError, match="test_2016.N.fr"):
        multi30k_files(M30, "test_2016", ("fr",), task=2)
    with pytest.raises(InputError, match="task must be 1 or 2"):
        multi30k_files(M30, task=3)
