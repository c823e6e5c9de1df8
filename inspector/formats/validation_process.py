"""Validate a big submission in a child process, so the window's process keeps its GIL to itself.

Validating 100 MB is ~1-2 s of pure Python. On a worker thread it shares the GIL with the GUI thread, which
then waits for its turn at every call into Python (each item model ``data()`` while painting): the window
stutters for as long as the validation runs, and an edit made meanwhile takes twice as long. A child process
runs on another core with its own interpreter; the window process only writes the bytes to a temporary file
and reads the problems back.

The child is this module (``python -m inspector.formats.validation_process IN OUT FORMAT NAME``) or, in the
frozen app, the app itself with ``--validation-process`` first (see :func:`inspector.cli.main`). Any failure to
start or finish it (no interpreter, killed, garbled answer) raises :class:`ValidationProcessError`; callers
then validate in-process.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence

import orjson

from inspector.formats.base import Problem, Severity

#: The argument that makes the frozen app (or ``crash-inspector``) act as the child.
FLAG = "--validation-process"
#: The temporary folder of one validation (the child removes its input copy from it once read).
FOLDER_PREFIX = "crash-inspector-validate-"
#: The child gets this long at most (seconds).
TIMEOUT_S = 600.0


class ValidationProcessError(Exception):
    """The child could not be started or gave no usable answer."""


class Cancelled(Exception):
    """``cancelled()`` became true while the child ran; it was killed."""


def child_command(paths_and_names: Sequence[str]) -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, FLAG, *paths_and_names]
    return [sys.executable, "-m", __name__, *paths_and_names]


def validate_in_child(
    data: bytes,
    *,
    format: str,
    source_name: str | None,
    cancelled: Callable[[], bool] = lambda: False,
    timeout: float = TIMEOUT_S,
) -> list[Problem]:
    """The problems of the submission ``data`` encodes (as ``validate(load_bytes(data, format=...))``)."""
    # (ignore_cleanup_errors: at interpreter exit the folder may be removed under a child still reading it)
    with tempfile.TemporaryDirectory(prefix=FOLDER_PREFIX, ignore_cleanup_errors=True) as folder:
        source = os.path.join(folder, "input")
        answer = os.path.join(folder, "problems.json")
        errors = os.path.join(folder, "stderr.txt")
        with open(source, "wb") as fh:
            fh.write(data)
        command = child_command([source, answer, format, source_name or ""])
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        try:
            with open(errors, "wb") as err:  # a file, not a pipe: a chatty child cannot fill it and block
                proc = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, creationflags=flags
                )
        except OSError as exc:
            raise ValidationProcessError(f"cannot start the validation process: {exc}") from None
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    proc.wait(timeout=0.05)
                    break
                except subprocess.TimeoutExpired:
                    if cancelled():
                        raise Cancelled() from None
                    if time.monotonic() > deadline:
                        raise ValidationProcessError(f"the validation process took over {timeout:.0f} s") from None
        finally:
            if proc.returncode is None:
                proc.kill()
                proc.wait()
        if proc.returncode != 0:
            with open(errors, "rb") as fh:
                stderr = fh.read().decode("utf-8", "replace")
            last = stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
            raise ValidationProcessError(f"the validation process failed: {last[0]}")
        try:
            with open(answer, "rb") as fh:
                rows = orjson.loads(fh.read())
            return [Problem(Severity(r["severity"]), r["pointer"], r["message"], r["rule"]) for r in rows]
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValidationProcessError(f"the validation process gave no usable answer: {exc}") from None


def child_main(argv: Sequence[str]) -> int:
    """The child: read the input, validate, write the problems as JSON. Exit status 0 unless it could not."""
    from inspector.formats import load_bytes, validate
    from inspector.formats.base import InspectorError

    source, answer, format, name = argv
    with open(source, "rb") as fh:
        data = fh.read()
    # The payload may hold a token: it leaves the disk as soon as it is read (the folder is the user's alone, 0700).
    # Only the copy validate_in_child made: never a file someone named on a command line.
    if os.path.basename(os.path.dirname(os.path.abspath(source))).startswith(FOLDER_PREFIX):
        with contextlib.suppress(OSError):
            os.remove(source)
    try:
        problems = validate(load_bytes(data, source_name=name or None, format=format))
    except InspectorError as exc:
        print(f"cannot validate: {exc}", file=sys.stderr)
        return 2
    with open(answer, "wb") as fh:
        fh.write(orjson.dumps([p.as_dict() for p in problems]))
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
