"""The ``projner`` command line: a thin typer app over pipelines, io and evaluate.

The commands are top-level functions in :mod:`projner.commands` (listed in
:data:`projner.commands.COMMANDS`); this module owns the app, the entry point
:func:`main` and the translation of errors into messages and exit codes.

User mistakes (:class:`projner.errors.ProjnerError`) print one line
``projner: error: FILE:LINE: what is wrong`` and exit with code 2; internal errors
exit 1 with a short message, and the traceback only under ``--debug``.
"""

from __future__ import annotations

import errno
import importlib
import sys
import traceback

import typer

from .errors import ProjnerError, UsageError

app = typer.Typer(
    name="projner",
    help="Cross-lingual NER by annotation projection: align, project, evaluate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_STATE = {"debug": False}

# OSErrors that describe the user's files or machine (a missing or unreadable path, a full
# disk, a name too long): exit 2 with the file and the system's message, not an internal error
_USER_ERRNOS = {errno.ENOENT, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG, errno.ENOSPC, errno.EDQUOT, errno.EROFS,
                errno.ELOOP, errno.EISDIR, errno.ENOTDIR, errno.EFBIG, errno.EMFILE, errno.ENFILE, errno.EIO}


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"projner {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Cross-lingual NER by annotation projection."""
    _STATE["debug"] = debug


def _register_commands() -> None:
    """Add every command of :data:`projner.commands.COMMANDS` to the app, once."""
    from .commands import COMMANDS

    if app.registered_commands:
        return
    for name, target in COMMANDS:
        module, _, function = target.partition(":")
        fn = getattr(importlib.import_module(module), function)
        # commands with a typer.Context take dotted configuration overrides (--projection.k 2)
        takes_overrides = "ctx" in fn.__code__.co_varnames[: fn.__code__.co_argcount]
        settings = {"allow_extra_args": True, "ignore_unknown_options": True} if takes_overrides else None
        app.command(name, context_settings=settings)(fn)


def _log_warnings() -> None:
    """Warnings from the library (logger ``projner``) as ``projner: warning: …`` lines."""
    import logging

    class StderrHandler(logging.Handler):
        _projner = True

        def emit(self, record: logging.LogRecord) -> None:  # sys.stderr looked up when writing
            sys.stderr.write(f"projner: warning: {record.getMessage()}\n")

    log = logging.getLogger("projner")
    if not any(getattr(h, "_projner", False) for h in log.handlers):
        handler = StderrHandler(logging.WARNING)
        log.addHandler(handler)


def error(message: str) -> None:
    """One line on stderr, whatever the message holds."""
    one_line = " ".join(part.strip() for part in str(message).splitlines() if part.strip())
    sys.stderr.write(f"projner: error: {one_line}\n")


# options that take two values (SRC TGT); typer has no multi-value repeatable options,
# so "--bitext A B" is rewritten to "--bitext A --bitext B" and paired up again
# (projner.commands.options.pairs)
PAIR_OPTIONS = ("--bitext",)


def expand_pairs(args: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in PAIR_OPTIONS:
            vals = args[i + 1 : i + 3]
            if len(vals) < 2 or any(v.startswith("-") and v != "-" for v in vals):
                raise UsageError(f"{a} needs two files: {a} SRC TGT")
            out += [a, vals[0], a, vals[1]]
            i += 3
            continue
        out.append(a)
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``projner`` console script."""
    _register_commands()
    _log_warnings()
    args = list(sys.argv[1:] if argv is None else argv)
    _STATE["debug"] = "--debug" in args
    from .io.spool import spooling, user_text
    from .signals import Interrupted, handle_signals

    try:
        with handle_signals(), spooling():
            args = expand_pairs(args)
            app(args=args, standalone_mode=False)
    except ProjnerError as exc:
        error(user_text(exc.located()))
        return exc.exit_code
    except Interrupted as exc:  # SIGINT 130, SIGTERM 143, SIGHUP 129; SIGPIPE 141 (a pipe's reader left)
        if exc.name == "SIGPIPE":
            error("output pipe closed by its reader (SIGPIPE): the output is incomplete")
        else:
            error(f"interrupted ({exc.name}); no partial output left, finished run-folder steps kept (rerun to resume)")
        return exc.exit_code
    except KeyboardInterrupt:  # a Ctrl-C before the handlers were installed
        error("interrupted (SIGINT); no partial output left, finished run-folder steps kept (rerun to resume)")
        return 130
    except SystemExit as exc:  # typer/click exits (help, usage errors)
        return int(exc.code or 0) if isinstance(exc.code, int) else 1
    except Exception as exc:  # click usage errors and internal errors
        # typer vendors its own click (typer._click): recognise its exceptions by shape
        if hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int):
            ctx = getattr(exc, "ctx", None)
            where = f"'{ctx.command_path} --help'" if ctx is not None else "'projner --help'"
            error(f"{exc.format_message()} (see {where})")
            return 2
        if type(exc).__name__ == "Abort":
            if isinstance(exc.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
                error("interrupted (SIGINT); no partial output left, finished run-folder steps kept (rerun to resume)")
                return 130
            error("aborted")
            return 1
        if isinstance(exc, OSError) and exc.errno in _USER_ERRNOS:  # the machine's answer, not a bug
            where = f"{exc.filename}: " if exc.filename else ""
            error(user_text(f"{where}{exc.strerror or exc}"))
            return 2
        if isinstance(exc, MemoryError):
            error("out of memory")
            return 1
        if _STATE["debug"]:
            traceback.print_exc()
        error(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)")
        return 1
    return 0


def run() -> None:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
