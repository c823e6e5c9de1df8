"""The ``upload_file`` of a symbol or source-map upload: an archive the user has, or one built from their files.

Backtrace takes "any archive format supported by libarchive" (the seed names ``.tar``, ``.tar.gz``, ``.zip``) and,
for source maps, also a bare ``.map`` file. One path that already is such a file is sent as it is; files and
folders are packed into a zip (the seed's "compressed ZIP") or a tar.gz in a temporary folder, copied a chunk at
a time so a multi-GB debug file never sits in memory, with progress and cancel. The caller deletes the built
archive (:meth:`UploadFile.discard`) once it is sent.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from inspector.atomic import replacing
from inspector.formats.base import InspectorError

#: Archive layouts the tool builds.
ARCHIVE_FORMATS = ("zip", "tar.gz")
CHUNK = 1024 * 1024

#: (kind, content type) of archives recognized by their first bytes.
_MAGIC: list[tuple[bytes, int, str, str]] = [
    (b"PK\x03\x04", 0, "zip", "application/zip"),
    (b"PK\x05\x06", 0, "zip", "application/zip"),  # an empty zip
    (b"\x1f\x8b", 0, "gzip", "application/gzip"),
    (b"BZh", 0, "bzip2", "application/x-bzip2"),
    (b"\xfd7zXZ\x00", 0, "xz", "application/x-xz"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7z", "application/x-7z-compressed"),
    (b"ustar", 257, "tar", "application/x-tar"),
]

ProgressFn = Callable[[int, int], None]  # (bytes packed, total)


class Cancel(Protocol):
    @property
    def cancelled(self) -> bool: ...


class PackingCancelled(InspectorError):
    def __init__(self) -> None:
        super().__init__("cancelled while the archive was being built")


@dataclass(slots=True)
class UploadFile:
    """What goes into the ``upload_file`` part."""

    path: Path
    size: int
    filename: str
    content_type: str
    kind: str  # zip, gzip, tar, ..., sourcemap
    built: bool = False  # a temporary archive made by the tool (deleted by discard())
    members: int = 1  # files inside (when built)

    def discard(self) -> None:
        """Delete a built archive and its temporary folder; a user's own file is never touched."""
        if self.built:
            shutil.rmtree(self.path.parent, ignore_errors=True)

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "filename": self.filename,
            "size": self.size,
            "content_type": self.content_type,
            "kind": self.kind,
            "built": self.built,
            "members": self.members,
        }


def sniff_archive(path: Path) -> tuple[str, str] | None:
    """(kind, content type) of an archive recognized by its first bytes, or None."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(262)
    except OSError as exc:
        raise InspectorError(f"cannot read {path}: {exc.strerror or exc}") from None
    for magic, offset, kind, ctype in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return kind, ctype
    return None


def _is_source_map(path: Path) -> bool:
    """A bare source map: ``*.map`` whose text starts as a JSON object (the seed's ``upload_file=@test.js.map``)."""
    if path.suffix.lower() != ".map":
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b")]}'"))


def collect_files(paths: list[Path]) -> list[tuple[Path, str]]:
    """(file, name in the archive) for every regular file: a file by its name, a folder's files under the
    folder's name. Raises InspectorError for a missing path or nothing to pack."""
    found: list[tuple[Path, str]] = []
    seen: set[str] = set()
    for path in paths:
        if not path.exists():
            raise InspectorError(f"{path}: no such file or folder")
        if path.is_dir():
            base = path.resolve().name or "files"
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    file = Path(root) / name
                    if file.is_file():
                        found.append((file, f"{base}/{file.relative_to(path).as_posix()}"))
        elif path.is_file():
            found.append((path, path.name))
        else:
            raise InspectorError(f"{path}: not a regular file or a folder")
    named: list[tuple[Path, str]] = []
    for file, arcname in found:  # the same name twice (two files called libfoo.sym): name(1), name(2)...
        name, number = arcname, 1
        while name in seen:
            stem, dot, ext = arcname.rpartition(".")
            name = f"{stem}({number}).{ext}" if dot and stem else f"{arcname}({number})"
            number += 1
        seen.add(name)
        named.append((file, name))
    if not named:
        raise InspectorError("nothing to upload: the folders hold no files")
    return named


def _copy(
    src: IO[bytes], dst: IO[bytes], done: list[int], total: int, progress: ProgressFn | None, cancel: Cancel | None
) -> None:
    while True:
        if cancel is not None and cancel.cancelled:
            raise PackingCancelled()
        data = src.read(CHUNK)
        if not data:
            return
        dst.write(data)
        done[0] += len(data)
        if progress:
            progress(done[0], total)


def build_archive(
    files: list[tuple[Path, str]],
    out: Path,
    archive_format: str = "zip",
    *,
    progress: ProgressFn | None = None,
    cancel: Cancel | None = None,
) -> None:
    """Pack ``files`` into ``out`` (zip, deflated, ZIP64 when needed; or tar.gz), a chunk at a time."""
    if archive_format not in ARCHIVE_FORMATS:
        raise InspectorError(f"unknown archive format {archive_format!r}; use one of {', '.join(ARCHIVE_FORMATS)}")
    total = sum(file.stat().st_size for file, _ in files)
    done = [0]
    if progress:
        progress(0, total)
    if archive_format == "zip":
        with (
            replacing(out) as handle,
            zipfile.ZipFile(  # atomic: a cancel or a kill leaves no torn archive
                handle, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True
            ) as archive,
        ):
            for file, arcname in files:
                info = zipfile.ZipInfo.from_file(file, arcname)
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(file, "rb") as src, archive.open(info, "w", force_zip64=info.file_size > 2**31) as dst:
                    _copy(src, dst, done, total, progress, cancel)
        return
    with replacing(out) as handle, tarfile.open(fileobj=handle, mode="w:gz", compresslevel=6) as tar:
        for file, arcname in files:
            member = tar.gettarinfo(str(file), arcname)
            with open(file, "rb") as src:
                tar.addfile(member, _CountingReader(src, done, total, progress, cancel))


class _CountingReader:
    """A file object for tarfile.addfile that reports progress and notices cancel as tarfile reads it."""

    def __init__(
        self, src: IO[bytes], done: list[int], total: int, progress: ProgressFn | None, cancel: Cancel | None
    ) -> None:
        self._src, self._done, self._total, self._progress, self._cancel = src, done, total, progress, cancel

    def read(self, size: int = -1) -> bytes:
        if self._cancel is not None and self._cancel.cancelled:
            raise PackingCancelled()
        data = self._src.read(size if size > 0 else CHUNK)
        self._done[0] += len(data)
        if self._progress:
            self._progress(self._done[0], self._total)
        return data


def prepare_upload_file(
    paths: list[Path],
    kind: str,
    *,
    archive_format: str = "zip",
    progress: ProgressFn | None = None,
    cancel: Cancel | None = None,
) -> UploadFile:
    """The file to send for ``kind`` (``symbols`` or ``sourcemap``) from what the user picked.

    One archive (or, for source maps, one ``.map``) is sent as it is; anything else is packed into a new archive.
    """
    if not paths:
        raise InspectorError("give the files, a folder or an archive to upload")
    if len(paths) == 1 and paths[0].is_file():
        only = paths[0]
        found = sniff_archive(only)
        if found is not None:
            return UploadFile(only, only.stat().st_size, only.name, found[1], found[0])
        if kind == "sourcemap" and _is_source_map(only):
            return UploadFile(only, only.stat().st_size, only.name, "application/json", "sourcemap")
    files = collect_files(paths)
    folder = Path(tempfile.mkdtemp(prefix="crash-inspector-upload-"))
    name = f"{'symbols' if kind == 'symbols' else 'sourcemaps'}.{archive_format}"
    out = folder / name
    try:
        build_archive(files, out, archive_format, progress=progress, cancel=cancel)
    except BaseException as exc:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError):
            where = exc.filename or folder
            raise InspectorError(f"cannot build the archive ({where}): {exc.strerror or exc}") from None
        raise
    ctype = "application/zip" if archive_format == "zip" else "application/gzip"
    return UploadFile(out, out.stat().st_size, name, ctype, archive_format, built=True, members=len(files))
