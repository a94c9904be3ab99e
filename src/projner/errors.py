"""One error hierarchy for user mistakes.

Every error a user can cause (a malformed file, a wrong option, a missing model)
is a :class:`ProjnerError`. The CLI prints it as one line,
``projner: error: FILE:LINE: what is wrong`` on stderr and exits with code 2.
Anything else is an internal error (exit 1; traceback only under ``--debug``).
"""

from __future__ import annotations

import os

__all__ = ["ProjnerError", "InputError", "ConfigError", "UsageError", "ModelError"]


class ProjnerError(Exception):
    """A user-facing error; ``path`` and ``line`` locate it when known."""

    exit_code = 2

    def __init__(self, message: str, path: str | os.PathLike | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = None if path is None else os.fspath(path)
        self.line = line

    def located(self) -> str:
        loc = ""
        if self.path is not None:
            loc = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        return loc + self.message

    def __str__(self) -> str:
        return self.located()


class InputError(ProjnerError):
    """Malformed or inconsistent input data."""


class ConfigError(ProjnerError):
    """An invalid configuration file or option."""


class UsageError(ProjnerError):
    """A wrong combination of options or arguments."""


class ModelError(ProjnerError):
    """A model that cannot be found or loaded."""
