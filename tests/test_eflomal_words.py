"""What eflomal reads (issue 14): word keys of untokenised text, spelling priors for rare words."""

import eflomal
import pytest

from projner.align.eflomal import EflomalAligner, _clean, word_key
from projner.align.eflomal_priors import spelling_pairs, write_spelling_priors
from projner.align.factories import eflomal as eflomal_factory
from projner.errors import ConfigError


@pytest.mark.parametrize("token, key", [
    ("l'endroit.", "endroit"), ("service,", "service"), ("(yogurt", "yogurt"), ("dip)", "dip"),
    ("Ray's", "Ray"), ("qu'ils", "ils"), ("J'ai", "ai"), ("dell\u2019albergo", "albergo"),
    ("17.", "17"), ("I-EU", "I-EU"), ("...", "..."), ("'", "'"), ("Kafta", "Kafta"), ("«Hola»", "Hola"),
])
def test_word_key_strips_edge_punctuation_and_elided_clitics(token, key):
    assert word_key(token) == key


def test_clean_line_keeps_one_word_per_token():
    toks = ["L'ENDROIT", "est", "idéal", ",", "la", "nourriture,", "aussi."]
    assert _clean(toks, True) == "endroit est idéal , la nourriture aussi"
    assert _clean(toks, True, normalize=False) == "l'endroit est idéal , la nourriture, aussi."
    assert len(_clean(toks, True).split()) == len(toks)


def test_spelling_pairs_are_names_numbers_and_cognates_in_the_same_pair():
    src = ["the restaurant of kafta opened in 1996 .", "great service"]
    tgt = ["el restaurante de kafta abrió en 1996 .", "buen servicio"]
    assert spelling_pairs(src, tgt) == {("restaurant", "restaurante"), ("kafta", "kafta"), ("1996", "1996"),
                                        ("service", "servicio")}
    # words of different pairs, short words and different numbers are never paired
    assert spelling_pairs(["the service", "in 1996"], ["el plato", "en 1997"]) == set()


def test_spelling_priors_file_is_read_by_eflomal(tmp_path):
    base = tmp_path / "user.priors"
    base.write_text("LEX\tcat\tgato\t2", encoding="utf-8")
    out = tmp_path / "p.priors"
    assert write_spelling_priors(out, {("kafta", "kafta"), ("1996", "1996")}, 1.0, base=base) == 2
    with open(out, encoding="utf-8") as fh:
        lex = eflomal.read_priors(fh)[0]
    assert lex == [("cat", "gato", 2.0), ("1996", "1996", 1.0), ("kafta", "kafta", 1.0)]


def test_eflomal_options_normalize_and_spelling_prior():
    a = eflomal_factory(None, normalize=False, spelling_prior=0.5)
    assert (a.normalize, a.spelling_prior) == (False, 0.5)
    b = eflomal_factory(None)
    assert (b.normalize, b.spelling_prior) == (True, 1.0)
    with pytest.raises(ConfigError, match="spelling_prior"):
        eflomal_factory(None, spelling_prior=-1)
    with pytest.raises(ValueError, match="spelling_prior"):
        EflomalAligner(spelling_prior=-1)


def test_eflomal_aligns_with_spelling_priors():
    src = [["Kafta", "plate", "!"], ["The", "plate", "."]] * 4
    tgt = [["¡Plato", "de", "Kafta!"], ["El", "plato."]] * 4
    links = EflomalAligner(n_samplers=1, seed=1, prefix_len=0).align(src, tgt)
    assert (0, 2) in set(map(tuple, links[0].links.tolist()))


def test_priors_file_adds_spelling_priors_to_the_given_file(tmp_path):
    base = tmp_path / "run4.priors"
    base.write_text("LEX\tcat\tgato\t2\n", encoding="utf-8")
    a = EflomalAligner(priors={0: str(base), 4: str(base)}, prefix_len=(0, 4))
    out = a._priors_file(["kafta plate"], ["plato de kafta"], str(base), tmp_path / "p")
    assert (tmp_path / "p").read_text(encoding="utf-8").splitlines() == [
        "LEX\tcat\tgato\t2", "LEX\tkafta\tkafta\t1", "LEX\tplate\tplato\t1"]
    assert out == tmp_path / "p"
    off = EflomalAligner(priors=str(base), spelling_prior=0)
    assert off._priors_file(["kafta"], ["kafta"], str(base), tmp_path / "q") == str(base)
    assert EflomalAligner()._priors_file(["the"], ["el"], None, tmp_path / "r") is None
