import pytest

from projner.align import EflomalAligner, LexicalAligner, augment, build_aligner, symmetrize
from projner.align.combine import CombinedAligner
from projner.errors import ConfigError
from projner.types import Alignment


def test_symmetrize_koehn_example():
    fwd = Alignment([(0, 0), (1, 1), (2, 1), (3, 3)])
    rev = Alignment([(0, 0), (1, 1), (2, 2), (3, 2)])
    assert symmetrize(fwd, rev, "intersection").pairs() == [(0, 0), (1, 1)]
    assert symmetrize(fwd, rev, "union").pairs() == [(0, 0), (1, 1), (2, 1), (2, 2), (3, 2), (3, 3)]
    # grow-diag adds neighbours of the intersection that align an unaligned word
    assert symmetrize(fwd, rev, "grow-diag").pairs() == [(0, 0), (1, 1), (2, 1), (2, 2), (3, 2), (3, 3)]
    # final-and: only links whose both words are unaligned
    f = Alignment([(0, 0), (2, 2)])
    r = Alignment([(0, 0), (1, 3)])
    assert symmetrize(f, r, "grow-diag-final-and").pairs() == [(0, 0), (1, 3), (2, 2)]
    with pytest.raises(ValueError, match="unknown symmetrisation 'gdfa'"):
        symmetrize(f, r, "gdfa")


def test_lexical_aligner_links_names_numbers_and_near_matches():
    src = "Mr Müller paid 1,000 euros to the European Parliament in Brussels".split()
    tgt = "Herr Mueller zahlte 1,000 Euro an das Europäische Parlament in Brüssel".split()
    a = LexicalAligner().align([src], [tgt])[0]
    assert a.pairs() == [(1, 1), (3, 3), (8, 8), (10, 10)]  # European ~ Europäische is too far (0.45)
    assert a.scores.tolist()[1] == 1.0  # 1,000 = 1,000
    assert a.scores.tolist()[0] == pytest.approx(1 - 1 / 7)  # muller ~ mueller


def test_augment_overrides_conflicting_links():
    base = Alignment([(0, 0), (1, 2), (2, 1)])
    extra = Alignment([(1, 1)])
    assert augment(base, extra).pairs() == [(0, 0), (1, 1)]


def test_build_aligner_specs():
    a = build_aligner("eflomal+lexical", {"eflomal": {"symmetrization": "intersection"}})
    assert isinstance(a, CombinedAligner) and a.method == "augment"
    assert a.members[0].symmetrization == "intersection"
    assert build_aligner("lexical|lexical").method == "union"
    with pytest.raises(ConfigError, match=r"unknown aligner 'fast_align' \(known: .*eflomal.*lexical"):
        build_aligner("fast_align")
    with pytest.raises(ConfigError, match="mixes combination operators"):
        build_aligner("eflomal+lexical|lexical")


def test_eflomal_learns_from_extra_bitext():
    # 'haus'/'house' and 'katze'/'cat' co-occur only in the extra bitext
    # (IBM1 has no distortion model, so the crossing links depend on the lexicon alone)
    extra_src = [["the", "house"], ["the", "cat"], ["a", "house"], ["a", "cat"], ["house"], ["cat"], ["and"]] * 30
    extra_tgt = [["das", "haus"], ["die", "katze"], ["ein", "haus"], ["eine", "katze"], ["haus"], ["katze"], ["und"]] * 30
    al = EflomalAligner(bitext=[(extra_src, extra_tgt)], symmetrization="intersection", model=1)
    out = al.align([["cat", "and", "house"]], [["haus", "und", "katze"]])
    assert out[0].pairs() == [(0, 2), (1, 1), (2, 0)]


def test_eflomal_reads_bitext_files_and_checks_lengths(tmp_path):
    (tmp_path / "s.txt").write_text("a b\nc\n")
    (tmp_path / "t.txt").write_text("x y\n")
    from projner.errors import InputError

    from projner.errors import ConfigError
    from projner.align import Shared, build_aligner
    from projner.io import BitextFiles

    with pytest.raises(InputError, match=r"s.txt: bitext files differ in length: 2 sentences here, 1 in .*t.txt"):
        EflomalAligner(bitext=[BitextFiles(tmp_path / "s.txt", tmp_path / "t.txt")]).align([["a"]], [["x"]])
    # align never reads files itself: bare paths are refused when the aligner is built
    with pytest.raises(ConfigError, match=r"give files as projner.io.BitextFiles\(source, target\)"):
        EflomalAligner(bitext=[(tmp_path / "s.txt", tmp_path / "t.txt")])
    # file pairs named in an aligner's own options are opened by the run's shared open_bitext,
    # at any depth; the run's bitext follows the aligner's own
    shared = Shared(bitext=(BitextFiles("a.en", "a.de"),), open_bitext=BitextFiles)
    vote = build_aligner("embedding-vote", {"embedding-vote": {
        "members": ["eflomal", "lexical"], "options": {"eflomal": {"bitext": [["b.en", "b.de"]]}}}}, shared)
    assert vote.members[0].bitext == [BitextFiles("b.en", "b.de"), BitextFiles("a.en", "a.de")]
    ef = build_aligner("eflomal", {"eflomal": {"bitext": [([["x"]], [["y"]])]}}, shared)
    assert ef.bitext == [([["x"]], [["y"]]), BitextFiles("a.en", "a.de")]


@pytest.mark.skipif(not (__import__("shutil").which("cc") or __import__("shutil").which("gcc")), reason="no C compiler")
def test_eflomal_seed_gives_identical_alignments(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    src = [["the", "house", "is", "small"], ["the", "cat", "sleeps"], ["a", "small", "cat"]] * 40
    tgt = [["das", "haus", "ist", "klein"], ["die", "katze", "schläft"], ["eine", "kleine", "katze"]] * 40
    runs = [EflomalAligner(seed=3, prefix_len=0).align(src, tgt) for _ in range(2)]
    assert [a.pairs() for a in runs[0]] == [a.pairs() for a in runs[1]]
    assert list((tmp_path / "projner").glob("eflomal-seed-*.so"))
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        EflomalAligner(seed=-1)


def test_reversed_bitext_is_detected_and_swapped(caplog):
    from projner.align.eflomal import looks_reversed

    en = [["the", "house", "is", "small"], ["the", "cat", "sleeps"], ["a", "small", "cat"]] * 10
    de = [["das", "haus", "ist", "klein"], ["die", "katze", "schläft"], ["eine", "kleine", "katze"]] * 10
    assert not looks_reversed(en, de, en[:3], de[:3])
    assert looks_reversed(de, en, en[:3], de[:3])
    al = EflomalAligner(bitext=[(de, en)], prefix_len=0, model=1)
    with caplog.at_level("WARNING", logger="projner"):
        al.align([["the", "cat"]], [["die", "katze"]])
    assert "looks reversed" in caplog.text
    assert al._bitext_cache[0][0] == "the house is small"


def test_cores_see_through_marked_affixes():
    from projner.text.affixes import cores

    def forms(tok):
        return [f for f, _ in cores(tok)]

    assert forms("eGoli") == ["egoli", "goli"]
    assert forms("kwaZulu") == ["kwazulu", "zulu"]
    assert forms("waseJalimane") == ["wasejalimane", "jalimane"]
    assert forms("UPetru") == ["upetru", "petru"]
    assert forms("I-EU") == ["i-eu", "eu"]
    assert forms("wase-Iraq") == ["wase-iraq", "iraq"]
    assert forms("IBRUSSELS") == ["ibrussels", "brussels", "russels"]
    assert forms("ngo-1996") == ["ngo-1996", "1996"]
    assert forms("1990s") == ["1990s", "1990"]
    assert forms("Ankara'da") == ["ankara'da", "ankara"]
    assert forms("Jámánì") == ["jamani"]  # tone marks and accents folded away
    # no marked affix: the token alone
    for tok in ("Jean-Luc", "Weston-super-Mare", "McDonald", "NATO", "ikhomishini", "Al-Anwar"):
        assert forms(tok) == [cores(tok)[0][0]]
    assert cores("kwaZulu") == (("kwazulu", False), ("zulu", True))  # the core is written like a name


def test_lexical_aligner_links_prefixed_names_and_numbers():
    src = "The EU envoy met Werner in Johannesburg and Iraq in 1996 .".split()
    tgt = "Ummeleli we-EU uhlangane nouWerner eGoli nase-Iraq ngo-1996 .".split()
    a = LexicalAligner().align([src], [tgt])[0]
    # EU ~ we-EU, Werner ~ nouWerner, Iraq ~ nase-Iraq, 1996 ~ ngo-1996 (a translated name, eGoli, is not)
    assert a.pairs() == [(1, 1), (4, 3), (8, 5), (10, 6)]
    assert a.scores.tolist() == pytest.approx([0.98] * 4)  # through an affix: 0.98 of a bare match
    # the bare form wins over a prefixed one
    b = LexicalAligner().align([["Iraq"]], [["nase-Iraq", "Iraq"]])[0]
    assert b.pairs() == [(0, 1)]
