"""The ``projner`` commands: one top-level function per command, in small modules
by job. :mod:`projner.cli` registers every entry of :data:`COMMANDS` on its app.

A command parses its flags, builds a configuration, calls the library's public
functions (:mod:`projner.pipelines`, :mod:`projner.transfer`, :mod:`projner.io`,
:mod:`projner.evaluate`...) and prints a summary. Shared flags are spelled once,
in :mod:`projner.commands.options`. To add a command, write the function in a
module here and add a line to :data:`COMMANDS`.
"""

from __future__ import annotations

# (command name, "module:function") in the order of ``projner --help``
COMMANDS: tuple[tuple[str, str], ...] = (
    ("project", "projner.commands.project:project"),
    ("align", "projner.commands.project:align"),
    ("evaluate", "projner.commands.evaluate:evaluate"),
    ("benchmark-projection", "projner.commands.project:benchmark_projection"),
    ("example", "projner.commands.example:example"),
    ("translate-train", "projner.commands.transfer:translate_train"),
    ("translate-test", "projner.commands.transfer:translate_test"),
    ("ensemble", "projner.commands.ensemble:ensemble"),
    ("train", "projner.commands.tagger:train"),
    ("tag", "projner.commands.tagger:tag"),
    ("evaluate-alignment", "projner.commands.evaluate:evaluate_alignment"),
    ("induce-lexicon", "projner.commands.captions:induce_lexicon"),
    ("caption-bitext", "projner.commands.captions:caption_bitext"),
    ("show", "projner.commands.show:show"),
    ("report", "projner.commands.report:report"),
)
