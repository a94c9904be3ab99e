"""Data- and model-transfer: translate-train, translate-test, the model-transfer
baseline and tagger training.

- :mod:`~projner.transfer.config`: the run configurations and their loader;
- :mod:`~projner.transfer.components`: translators and taggers built from them;
- :mod:`~projner.transfer.pipelines`: the pipelines as functions over sentences;
- :mod:`~projner.transfer.steps` / :mod:`~projner.transfer.run`: the same pipelines
  as resumable steps in a run folder (:func:`run_translate_train`, :func:`run_translate_test`).
"""

from .components import check_new_model_dir, make_translator, train_tagger
from .config import TaggerConfig, TranslateTestConfig, TranslateTrainConfig, TranslatorConfig, load_transfer_config
from .pipelines import TransferResult, model_transfer, translate_sentences, translate_test, translate_train
from .run import run_translate_test, run_translate_train

__all__ = [
    "TranslatorConfig",
    "TaggerConfig",
    "TranslateTrainConfig",
    "TranslateTestConfig",
    "load_transfer_config",
    "make_translator",
    "check_new_model_dir",
    "translate_sentences",
    "TransferResult",
    "translate_train",
    "translate_test",
    "model_transfer",
    "train_tagger",
    "run_translate_train",
    "run_translate_test",
]
