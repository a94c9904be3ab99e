"""Open a page in headless Chromium (tests and the render benchmark): the DOM after its
scripts ran, console messages, a screenshot. No driver download: the system browser,
a fresh profile, no network services."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
         "--enable-logging=stderr", "--v=0"]


def find_chromium() -> str | None:
    """``PROJNER_CHROMIUM``, else chromium / chromium-browser / google-chrome on PATH."""
    env = os.environ.get("PROJNER_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(url: str, *, dump_dom: bool = False, screenshot: str | os.PathLike | None = None,
                 size: tuple[int, int] = (1200, 900), timeout: float = 120) -> tuple[str, list[str]]:
    """Load ``url``; return (the DOM if ``dump_dom``, the console lines). Raises RuntimeError
    when the browser cannot run."""
    exe = find_chromium()
    if exe is None:
        raise RuntimeError("no Chromium found (install Debian 'chromium' or set PROJNER_CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="projner-chromium-") as profile:
        args = [exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}"]
        if dump_dom:
            args.append("--dump-dom")
        if screenshot is not None:
            args.append(f"--screenshot={Path(screenshot).resolve()}")
        try:
            proc = subprocess.run(args + [url], capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"Chromium did not run: {exc}") from None
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    if proc.returncode != 0 or (dump_dom and "<html" not in proc.stdout):
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"Chromium exited with {proc.returncode}: {tail[:300]}")
    return proc.stdout, console
