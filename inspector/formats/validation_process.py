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
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

import orjson

from inspector.formats.base import Problem, Severity

#: The argument that makes the frozen app (or ``crash-inspector``) act as the child.
FLAG = "--validation-process"
#: The temporary folder of one validation where descriptors cannot be inherited (the child removes its input
#: copy from it once read); on POSIX the prefix of the nameless files.
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


#: An argument naming an inherited file descriptor instead of a path (``fd:5``).
FD_PREFIX = "fd:"


def _anonymous_file() -> BinaryIO:
    """A file with no name (O_TMPFILE on Linux, else unlinked at once): nothing of it outlives its last holder."""
    return tempfile.TemporaryFile(prefix=FOLDER_PREFIX)


def validate_in_child(
    data: bytes,
    *,
    format: str,
    source_name: str | None,
    cancelled: Callable[[], bool] = lambda: False,
    timeout: float = TIMEOUT_S,
) -> list[Problem]:
    """The problems of the submission ``data`` encodes (as ``validate(load_bytes(data, format=...))``).

    On POSIX the payload copy (which may hold a token) and the answer are files without a name, handed to the
    child as inherited descriptors: when both processes die (SIGKILL included) the kernel frees them, and no
    other user can open them. Elsewhere they live in a private folder (0700) the child empties once it has read
    the payload, and folders left by killed processes are swept at the next validation.
    """
    if os.name != "posix":
        return _validate_in_child_folder(
            data, format=format, source_name=source_name, cancelled=cancelled, timeout=timeout
        )
    with _anonymous_file() as source, _anonymous_file() as answer, _anonymous_file() as errors:
        source.write(data)
        source.flush()
        fds = (source.fileno(), answer.fileno())
        command = child_command([f"{FD_PREFIX}{fds[0]}", f"{FD_PREFIX}{fds[1]}", format, source_name or ""])
        proc = _start(command, errors, pass_fds=fds)
        _wait(proc, cancelled, timeout)
        if proc.returncode != 0:
            errors.seek(0)
            raise _failed(proc, errors.read())
        answer.seek(0)
        return _problems(answer.read())


def _start(command: list[str], errors: BinaryIO, **kwargs: Any) -> subprocess.Popen[bytes]:
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
    try:  # stderr to a file, not a pipe: a chatty child cannot fill it and block
        return subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors, creationflags=flags, **kwargs
        )
    except OSError as exc:
        raise ValidationProcessError(f"cannot start the validation process: {exc}") from None


def _wait(proc: subprocess.Popen[bytes], cancelled: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                proc.wait(timeout=0.05)
                return
            except subprocess.TimeoutExpired:
                if cancelled():
                    raise Cancelled() from None
                if time.monotonic() > deadline:
                    raise ValidationProcessError(f"the validation process took over {timeout:.0f} s") from None
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait()


def _failed(proc: subprocess.Popen[bytes], stderr: bytes) -> ValidationProcessError:
    last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
    return ValidationProcessError(f"the validation process failed: {last[0]}")


def _problems(raw: bytes) -> list[Problem]:
    try:
        rows = orjson.loads(raw)
        return [Problem(Severity(r["severity"]), r["pointer"], r["message"], r["rule"]) for r in rows]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValidationProcessError(f"the validation process gave no usable answer: {exc}") from None


def sweep_stale_folders(base: str | None = None) -> int:
    """Remove validation folders (``crash-inspector-validate-{pid}-…``) of processes that are gone."""
    base = base or tempfile.gettempdir()
    removed = 0
    try:
        names = os.listdir(base)
    except OSError:
        return 0
    for name in names:
        if not name.startswith(FOLDER_PREFIX):
            continue
        pid = name[len(FOLDER_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _validate_in_child_folder(
    data: bytes, *, format: str, source_name: str | None, cancelled: Callable[[], bool], timeout: float
) -> list[Problem]:
    """Without inheritable descriptors (Windows): a private folder named after this process."""
    sweep_stale_folders()
    # (ignore_cleanup_errors: at interpreter exit the folder may be removed under a child still reading it)
    prefix = f"{FOLDER_PREFIX}{os.getpid()}-"
    with tempfile.TemporaryDirectory(prefix=prefix, ignore_cleanup_errors=True) as folder:  # mode 0700
        source = os.path.join(folder, "input")
        answer = os.path.join(folder, "problems.json")
        with open(source, "wb") as fh:
            fh.write(data)
        with open(os.path.join(folder, "stderr.txt"), "w+b") as errors:
            proc = _start(child_command([source, answer, format, source_name or ""]), errors)
            _wait(proc, cancelled, timeout)
            if proc.returncode != 0:
                errors.seek(0)
                raise _failed(proc, errors.read())
        try:
            with open(answer, "rb") as fh:
                return _problems(fh.read())
        except OSError as exc:
            raise ValidationProcessError(f"the validation process gave no usable answer: {exc}") from None


def child_main(argv: Sequence[str]) -> int:
    """The child: read the input, validate, write the problems as JSON. Exit status 0 unless it could not."""
    from inspector.formats import load_bytes, validate
    from inspector.formats.base import InspectorError

    source, answer, format, name = argv
    if source.startswith(FD_PREFIX):  # an inherited file without a name (see validate_in_child)
        with os.fdopen(int(source[len(FD_PREFIX) :]), "rb") as fh:
            fh.seek(0)
            data = fh.read()
    else:
        with open(source, "rb") as fh:
            data = fh.read()
        # The payload may hold a token: it leaves the disk once read (the folder is the user's alone, 0700).
        # Only the copy validate_in_child made: never a file someone named on a command line.
        if os.path.basename(os.path.dirname(os.path.abspath(source))).startswith(FOLDER_PREFIX):
            with contextlib.suppress(OSError):
                os.remove(source)
    try:
        problems = validate(load_bytes(data, source_name=name or None, format=format))
    except InspectorError as exc:
        print(f"cannot validate: {exc}", file=sys.stderr)
        return 2
    out = orjson.dumps([p.as_dict() for p in problems])
    if answer.startswith(FD_PREFIX):
        with os.fdopen(int(answer[len(FD_PREFIX) :]), "wb") as fh:
            fh.write(out)
    else:
        with open(answer, "wb") as fh:
            fh.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
