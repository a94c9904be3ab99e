"""Fixtures shared by several test modules."""

import pytest


@pytest.fixture(scope="session")
def marian(tmp_path_factory):
    """A tiny random Marian seq2seq with a real SentencePiece tokenizer, built once."""
    pytest.importorskip("transformers")
    from projner.translate.tiny import build_marian

    return build_marian(tmp_path_factory.mktemp("marian") / "model")
