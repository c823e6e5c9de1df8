"""The one way the program writes a file: all of the new content or none of it, never a torn file.

Every writer (``convert -o``, ``redact -o``, ``export -o``, support bundles, saves, drafts, profiles, the
receiver's captures) goes through :func:`write_bytes` or :func:`replacing`: the content goes to a temporary file
in the target's folder (same file system, so the rename is atomic), is flushed and fsynced, then renamed over the
target, and the folder is fsynced so the rename itself survives a power cut. A process killed at any moment
(SIGKILL included) leaves the old file intact or the new one complete; at worst a stray ``.NAME.*.tmp`` next to
it. On any error the temporary file is removed and the target is untouched.

Permissions: a file that is replaced keeps its mode; a new file gets the usual ``0666 & ~umask`` unless the
caller asks for ``mode`` (``0o600`` for files that hold payloads or responses).

This module sits at the bottom of the layers (it imports nothing of the program), so the format core, the
network layer, the toolkit and the window all use it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

#: Suffix of the temporary files (a crash can leave one behind; nothing else uses it).
TMP_SUFFIX = ".tmp"
#: Bytes of the target's name kept in the temporary file's name (NAME_MAX is 255 on the usual file systems).
_NAME_KEEP = 160


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make the renames done in ``folder`` durable (a no-op where folders cannot be opened, e.g. Windows)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _target(path: str | os.PathLike[str]) -> Path:
    """The file to replace: a symbolic link is written through (the link stays a link)."""
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    return target


def temp_path(target: Path) -> Path:
    """A fresh temporary name next to ``target`` (hidden, short enough for any file system)."""
    name = target.name.encode("utf-8", "surrogateescape")[:_NAME_KEEP].decode("utf-8", "ignore")
    return target.with_name(f".{name}.{os.urandom(4).hex()}{TMP_SUFFIX}")  # (secrets' import: ~6 ms of start)


def _open_temp(target: Path, mode: int | None) -> tuple[Path, int]:
    try:
        keep = stat.S_IMODE(target.stat().st_mode) if mode is None else mode
    except OSError:
        keep = None  # a new file: 0666 & ~umask, as the kernel applies it below
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    while True:
        tmp = temp_path(target)
        try:
            fd = os.open(tmp, flags, 0o600 if mode is not None else 0o666)
            break
        except FileExistsError:
            continue
    if keep is not None:
        try:
            os.fchmod(fd, keep) if hasattr(os, "fchmod") else os.chmod(tmp, keep)
        except OSError:
            pass  # a file system without modes (FAT, some mounts)
    return tmp, fd


@contextlib.contextmanager
def replacing(
    path: str | os.PathLike[str], *, mode: int | None = None, sync_dir: bool = True, fsync: bool = True
) -> Iterator[BinaryIO]:
    """A binary file to write the new content of ``path`` into; it replaces ``path`` when the block ends well.

    For content produced piece by piece (a zip archive, a big export) without holding it all in memory.
    ``sync_dir=False`` leaves the folder's fsync (which makes the rename durable) to the caller, who renames
    several files in one folder and fsyncs it once (:func:`fsync_dir`). ``fsync=False`` skips flushing to disk
    (readers still never see a part; durability comes from elsewhere, e.g. the receiver's journal).
    """
    target = _target(path)
    tmp, fd = _open_temp(target, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:
        fsync_dir(target.parent)


def write_bytes(
    path: str | os.PathLike[str], data: bytes, *, mode: int | None = None, sync_dir: bool = True, fsync: bool = True
) -> None:
    """Replace ``path`` with ``data`` atomically (see the module's docstring and :func:`replacing`)."""
    with replacing(path, mode=mode, sync_dir=sync_dir and fsync, fsync=fsync) as handle:
        handle.write(data)


def write_batch(
    files: Sequence[tuple[Path, bytes]],
    *,
    mode: int | None = None,
    fsync: Callable[[list[int]], None] | None = None,
) -> None:
    """Replace several files atomically, with one fsync of each folder for all of them (a group commit).

    Every file goes to its own temp file first; all are fsynced (``fsync(fds)`` may do it in parallel, e.g. the
    receiver's writer threads), then renamed in the given order (a capture's raw file before its record) and each
    folder is fsynced once. When this returns every file is durable; when it raises, nothing was renamed and the
    temp files are gone.
    """
    if not files:
        return
    opened: list[tuple[Path, Path, int]] = []
    try:
        for path, data in files:
            target = _target(path)
            tmp, fd = _open_temp(target, mode)
            opened.append((target, tmp, fd))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        fds = [fd for _, _, fd in opened]
        if fsync is not None and len(fds) > 1:
            fsync(fds)
        else:
            for fd in fds:
                os.fsync(fd)
    except BaseException:
        for _, tmp, fd in opened:
            with contextlib.suppress(OSError):
                os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    for _, _, fd in opened:
        os.close(fd)
    for target, tmp, _ in opened:
        os.replace(tmp, target)
    for folder in dict.fromkeys(target.parent for target, _, _ in opened):
        fsync_dir(folder)


def write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", mode: int | None = None) -> None:
    """Replace ``path`` with ``text`` encoded (UTF-8 unless told) atomically."""
    write_bytes(path, text.encode(encoding), mode=mode)


__all__ = ["TMP_SUFFIX", "fsync_dir", "replacing", "temp_path", "write_batch", "write_bytes", "write_text"]
