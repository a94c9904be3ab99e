"""Build a tiny randomly initialised BERT encoder + WordPiece tokenizer in a folder.

Used by the neural tests to exercise the real transformers loading and
inference code without any download.
"""

from __future__ import annotations

from pathlib import Path

WORDS = (
    "the house is small and green a cat sees dog in garden Paris Berlin Angela Merkel visited "
    "la maison est petite et verte un chat voit chien dans jardin das Haus ist klein und grün "
    "die Katze sieht Hund im Garten besuchte play ##ing ##s ##ed , . !"
).split()


def build_tiny_bert(folder: str | Path, *, layers: int = 2, hidden: int = 32, max_positions: int = 64,
                    seed: int = 0) -> str:
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab = {w: i for i, w in enumerate(specials + list(dict.fromkeys(WORDS)))}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.BertProcessing(("[SEP]", vocab["[SEP]"]), ("[CLS]", vocab["[CLS]"]))
    tok.decoder = decoders.WordPiece()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]", model_max_length=max_positions)
    fast.save_pretrained(folder)
    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=2,
                     intermediate_size=2 * hidden, max_position_embeddings=max_positions)
    BertModel(cfg).eval().save_pretrained(folder)
    return str(folder)
