"""Run directories: atomic step outputs, a manifest, and resume after interruption.

A :class:`RunDir` is a folder holding the outputs of a multi-step run and a
``manifest.json`` that records the configuration, a SHA-256 of every input, the
versions of projner, Python and numpy, and every finished step with its
*fingerprint*.

A step declares what it depends on::

    run = RunDir("runs/en-de", config, {"source": "en.conll", "target": "de.txt"})
    run.step("align", ["links.talp"], align_fn, depends=["input:source", "input:target", "config:align"])
    run.step("project", ["out.conll"], project_fn, depends=["step:align", "input:source", "config:project"])

The fingerprint hashes the step's name, its output names and each dependency
(``input:NAME``, ``config:SECTION.SUB``, ``step:NAME``). A finished step with the
same fingerprint whose outputs exist with the recorded sizes and checksums is
skipped; otherwise its function writes temporary paths that are fsynced and
renamed into place before the step is recorded, so an interruption (even
``kill -9``) leaves the old state or the new one. See docs/reliability.md.

Steps run under ``flock`` on ``ROOT/.lock``: two processes never write one step at once.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import platform
import uuid
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator, Mapping, Sequence

from .errors import InputError, UsageError
from .io.atomic import write_failure
from .stepfiles import fsync_dir as _fsync_dir
from .stepfiles import is_folder as _is_folder
from .stepfiles import move_into_place as _move_into_place
from .stepfiles import remove_path as _remove
from .stepfiles import run_into as _run_into
from .stepfiles import sha256_file
from .stepfiles import tree_size as _size

__all__ = ["RunDir", "sha256_file", "check_run_folder", "MANIFEST"]

MANIFEST = "manifest.json"
FORMAT_VERSION = 1

try:  # pragma: no cover - always present on Linux/macOS
    import fcntl
except ImportError:  # pragma: no cover - Windows: no cross-process lock
    fcntl = None  # type: ignore[assignment]


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=repr)
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    return str(obj)


def _plain_config(config: Any) -> Any:
    """The configuration as plain JSON data (mappings, pydantic models, dataclasses)."""
    if config is None:
        return {}
    if hasattr(config, "model_dump"):
        config = config.model_dump()
    elif hasattr(config, "__dataclass_fields__"):
        import dataclasses

        config = dataclasses.asdict(config)
    return json.loads(_canonical(config))


def check_run_folder(root: Path) -> None:
    """Refuse, before anything is written, a run folder path that is a file or a
    folder of the user's: it must be new, empty (hidden files aside), or a run folder."""
    if root.exists() and not root.is_dir():
        raise InputError("run folder exists and is not a folder", root)
    if root.is_dir() and not (root / MANIFEST).is_file() and any(not p.name.startswith(".") for p in root.iterdir()):
        raise InputError(f"folder exists and is not a projner run folder (no {MANIFEST}); refusing to write "
                         "into it: give a new or empty folder", root)


def _versions() -> dict[str, str]:
    import numpy

    from . import __version__

    return {"projner": __version__, "python": platform.python_version(), "numpy": numpy.__version__}


class RunDir:
    """A run folder with a manifest and resumable, atomically written steps.

    Parameters
    ----------
    root: the run folder (created if missing).
    config: the run's configuration (a mapping, pydantic model or dataclass).
    inputs: input files or folders by name; each is checksummed once, here.
    """

    def __init__(self, root: str | os.PathLike, config: Mapping[str, Any], inputs: Mapping[str, str | os.PathLike]):
        self.root = Path(root)
        check_run_folder(self.root)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create run folder: {exc.strerror}", self.root) from None
        if not os.access(self.root, os.W_OK):
            raise InputError("run folder is not writable", self.root)
        self.config = _plain_config(config)
        self.inputs: dict[str, dict[str, str]] = {}
        for name, path in inputs.items():
            p = Path(path)
            if not p.exists():
                raise InputError("file not found", p)
            try:
                digest = sha256_file(p)
            except OSError as exc:
                raise InputError(f"cannot read file: {exc.strerror}", p) from None
            self.inputs[str(name)] = {"path": os.fspath(p), "sha256": digest}
        self.versions = _versions()
        # fingerprints of steps run or verified in this session
        self._session: dict[str, str] = {}
        self.ran: list[str] = []  # steps whose function was called in this session
        self.skipped: list[str] = []  # steps found finished and skipped
        with self._locked():
            for stale in self.root.glob(f".{MANIFEST}.*.tmp"):  # a writer killed mid-save
                with contextlib.suppress(OSError):
                    stale.unlink()
            manifest = self._load()
            self._save(manifest)

    # paths ----------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def path(self, output: str) -> Path:
        """The final path of ``output`` inside the run folder."""
        return self.root / self._check_output_name(output)

    @staticmethod
    def _check_output_name(output: str) -> str:
        pp = PurePosixPath(output)
        if not output or pp.is_absolute() or ".." in pp.parts or output in (MANIFEST, ".lock") or pp.name.startswith("."):
            raise UsageError(f"invalid step output name {output!r}: use a relative file name inside the run folder")
        return output

    # manifest -------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        steps: dict[str, Any] = {}
        if self.manifest_path.exists():
            try:
                old = json.loads(self.manifest_path.read_text(encoding="utf-8"))
                steps = old.get("steps", {}) if isinstance(old, dict) else None
                if not isinstance(steps, dict):
                    raise ValueError("no steps")
            except (ValueError, UnicodeDecodeError) as exc:
                raise InputError(
                    f"not a valid run manifest ({exc.__class__.__name__}); remove the run folder to start afresh",
                    self.manifest_path,
                ) from None
        return {
            "format": FORMAT_VERSION,
            "config": self.config,
            "inputs": self.inputs,
            "versions": self.versions,
            "steps": steps,
        }

    def _save(self, manifest: Mapping[str, Any]) -> None:
        data = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, default=_json_default) + "\n"
        tmp = self.root / f".{MANIFEST}.{uuid.uuid4().hex}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.manifest_path)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise write_failure(exc, self.manifest_path, "the previous manifest is kept") or exc
        _fsync_dir(self.root)

    def manifest(self) -> dict[str, Any]:
        """The manifest as recorded on disk."""
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if fcntl is None:  # pragma: no cover
            yield
            return
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # fingerprints ---------------------------------------------------------
    def _config_section(self, dotted: str) -> Any:
        node: Any = self.config
        if not dotted or dotted == "*":
            return node
        for part in dotted.split("."):
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            else:
                return None
        return node

    def fingerprint(self, name: str, outputs: Sequence[str], depends: Sequence[str] = ()) -> str:
        """The fingerprint a step would have now (see the module docs)."""
        parts: list[Any] = [["step", name], ["outputs", list(outputs)]]
        for dep in depends:
            kind, _, key = dep.partition(":")
            if kind == "input":
                if key not in self.inputs:
                    raise UsageError(f"step {name!r} depends on unknown input {key!r} (known: {', '.join(sorted(self.inputs)) or 'none'})")
                parts.append([dep, self.inputs[key]["sha256"]])
            elif kind == "config":
                parts.append([dep, self._config_section(key)])
            elif kind == "step":
                if key not in self._session:
                    raise UsageError(f"step {name!r} depends on step {key!r}, which has not run in this run")
                parts.append([dep, self._session[key]])
            else:
                raise UsageError(f"step {name!r}: unknown dependency {dep!r} (use input:NAME, config:SECTION or step:NAME)")
        return hashlib.sha256(_canonical(parts).encode("utf-8")).hexdigest()

    def _is_done(self, record: Any, fp: str, outputs: Sequence[str]) -> bool:
        if not isinstance(record, dict) or record.get("fingerprint") != fp:
            return False
        recorded = record.get("outputs", {})
        for out in outputs:
            p = self.root / out
            info = recorded.get(out) if isinstance(recorded, dict) else None
            exists = p.is_dir() if _is_folder(out) else p.is_file()
            if not exists or not isinstance(info, dict) or _size(p) != info.get("size"):
                return False
            if sha256_file(p) != info.get("sha256"):  # edited in place with the same size
                return False
        return True

    # steps ----------------------------------------------------------------
    def step(
        self,
        name: str,
        outputs: Sequence[str],
        fn: Callable[[dict[str, Path]], None],
        depends: Sequence[str] = (),
    ) -> dict[str, Path]:
        """Run ``fn`` to produce ``outputs`` unless the step is already finished.

        ``fn`` receives ``{output: temporary path}`` and must write every one of
        them. An output name ending in ``/`` is a folder: its temporary path is
        an empty folder for ``fn`` to fill, and it replaces the old folder as a
        whole. Returns ``{output: final path}``.
        """
        if isinstance(outputs, str):
            outputs = [outputs]
        outputs = [self._check_output_name(o) for o in outputs]
        if len(set(outputs)) != len(outputs):
            raise UsageError(f"step {name!r} lists an output twice")
        fp = self.fingerprint(name, outputs, depends)
        final = {o: self.root / o for o in outputs}
        with self._locked():
            manifest = self._load()
            record = manifest["steps"].get(name)
            if self._is_done(record, fp, outputs):
                self._session[name] = self._session_key(fp, record)
                self.skipped.append(name)
                return final
            for p in final.values():
                p.parent.mkdir(parents=True, exist_ok=True)
                self._remove_stale_temps(p)
            tag = uuid.uuid4().hex[:12]
            # the temporary name ends like the final one, so writers that look at
            # the suffix (.gz compression, .jsonl format) behave the same
            tmp = {o: p.with_name(f".tmp-{tag}.{p.name}") for o, p in final.items()}
            try:
                info = _run_into(name, fn, tmp)
            except BaseException as exc:
                for p in tmp.values():
                    _remove(p)
                raise write_failure(exc, self.root, f"step {name!r} not recorded") or exc
            _move_into_place(tmp, final, tag)
            for folder in sorted({p.parent for p in final.values()}):
                _fsync_dir(folder)
            record = {"fingerprint": fp, "depends": list(depends), "outputs": info}
            manifest = self._load()  # another process may have recorded steps meanwhile
            manifest["steps"][name] = record
            self._save(manifest)
            self._session[name] = self._session_key(fp, record)
            self.ran.append(name)
        return final

    @staticmethod
    def _session_key(fp: str, record: Mapping[str, Any]) -> str:
        outs = {o: i.get("sha256") for o, i in sorted(record.get("outputs", {}).items())}
        return hashlib.sha256(_canonical([fp, outs]).encode("utf-8")).hexdigest()

    @staticmethod
    def _remove_stale_temps(final: Path) -> None:
        """Remove temporary files a killed process left for ``final``: the step's
        own (``.tmp-TAG.NAME``) and those of an atomic writer used inside the step
        function on that path (``..tmp-TAG.NAME.…``, files or folders)."""
        name = glob.escape(final.name)
        for pattern in (f".tmp-*.{name}", f"..tmp-*.{name}.*", f".old-*.{name}"):
            for stale in final.parent.glob(pattern):
                _remove(stale)

    def is_finished(self, name: str) -> bool:
        """Whether ``name`` is recorded as finished (whatever its fingerprint)."""
        return name in self._load()["steps"]

    def __repr__(self) -> str:
        return f"RunDir({os.fspath(self.root)!r})"
