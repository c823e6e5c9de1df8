"""Backtrace's symbol and source-map uploads, as the local receiver takes them.

``POST /{universe}/{token}/symbols`` and ``/sourcemap`` (hosted) or ``/api/post?format=symbols&token=…`` (on-prem;
also ``/post``): a ``multipart/form-data`` body whose ``upload_file`` part is an archive (zip, tar.gz, a ``.map``…,
up to 10 GB says the seed) plus ``tag`` fields (and any other ``name=value`` fields). The archive is streamed
straight into the inbox (``<capture id>.<kind>.<ext>``, fsynced before the answer), never held in memory; the
capture's record lists the tags (and other fields), the archive's name and size; the stored ``.request.http``
holds the request head (token redacted) with an empty body. The answer is Backtrace's: ``{"response":"ok","_rxid":…}``.
``Expect: 100-continue`` is answered by the receiver's expect handler (413 before the body when the declared
size is over the upload cap). Nothing here imports Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from aiohttp import BodyPartReader, MultipartReader, web

from inspector import atomic
from inspector.formats.receiving import BACKTRACE_UPLOADS
from inspector.net.receiver_limits import BodyTooLarge, Limits, RateGuard

UPLOAD_FORMATS = BACKTRACE_UPLOADS  # the formats whose requests are archives
MAX_FIELDS = 256
MAX_FIELD_BYTES = 16 * 1024
_EXT = re.compile(r"(\.(?:tar\.gz|tar\.bz2|tar\.xz|tar\.zst|js\.map|[A-Za-z0-9]{1,8}))$")


class MalformedUpload(Exception):
    pass


@dataclass(slots=True)
class Upload:
    archive: Path | None = None
    size: int = 0  # body bytes read
    archive_size: int = 0
    sha256: str = ""
    filename: str = ""
    tags: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)


def archive_name(capture_id: str, kind: str, filename: str) -> str:
    match = _EXT.search(filename or "")
    ext = match.group(1).lower() if match else ".bin"
    return f"{capture_id}.{kind}{ext}"


async def _read_field(part: BodyPartReader, guard: RateGuard) -> str:
    data = bytearray()
    while True:
        async with asyncio.timeout(guard.wait()):
            chunk = await part.read_chunk(8192)
        if not chunk:
            break
        guard.got(len(chunk))
        data += chunk
        if len(data) > MAX_FIELD_BYTES:
            raise MalformedUpload(f"the field {part.name!r} is longer than {MAX_FIELD_BYTES} bytes")
    return data.decode("utf-8", "replace")


async def receive_upload(
    request: web.BaseRequest, root: Path, capture_id: str, kind: str, limits: Limits, cap: int
) -> Upload:
    """Stream the multipart body: the archive to a temp file in ``root`` (renamed and fsynced once whole).

    Raises MalformedUpload (400), BodyTooLarge (413) or TimeoutError (408); the temp file never survives.
    """
    if "multipart/" not in request.headers.get("Content-Type", "").lower():
        raise MalformedUpload("send multipart/form-data with the archive in an 'upload_file' part")
    guard = RateGuard(limits)
    reader = MultipartReader(request.headers, request.content)
    upload = Upload()
    digest = hashlib.sha256()
    # The one atomic-write helper, its context held across the reads: temp file next to the archive, fsync,
    # rename, folder fsync (that last step on a worker thread: a multi-GB fsync must not stall the loop).
    writing: contextlib.AbstractContextManager[BinaryIO] | None = None
    handle: BinaryIO | None = None
    try:
        while True:
            async with asyncio.timeout(guard.wait()):
                part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                raise MalformedUpload("nested multipart bodies are not accepted")
            if part.name == "upload_file" and writing is None:
                upload.filename = part.filename or ""
                upload.archive = root / archive_name(capture_id, kind, upload.filename)
                writing = atomic.replacing(upload.archive, mode=0o600)
                handle = writing.__enter__()
                while True:
                    async with asyncio.timeout(guard.wait()):
                        chunk = await part.read_chunk(256 * 1024)
                    if not chunk:
                        break
                    guard.got(len(chunk))
                    upload.archive_size += len(chunk)
                    if guard.total > cap:
                        raise BodyTooLarge()
                    digest.update(chunk)
                    handle.write(chunk)
            else:
                if len(upload.fields) >= MAX_FIELDS:
                    raise MalformedUpload(f"more than {MAX_FIELDS} fields")
                value = await _read_field(part, guard)
                name = part.name or ""
                upload.fields.append((name, value))
                upload.tags.append(value if name == "tag" else f"{name}={value}")
            if guard.total > cap:
                raise BodyTooLarge()
        upload.size = guard.total
        if writing is None:
            raise MalformedUpload("the body has no 'upload_file' part (the archive)")
        done, writing = writing, None
        await asyncio.get_running_loop().run_in_executor(None, done.__exit__, None, None, None)
        upload.sha256 = digest.hexdigest()
        return upload
    except BaseException as exc:
        upload.archive = None
        if writing is not None:  # the temp file is removed, nothing replaced
            with contextlib.suppress(BaseException):
                writing.__exit__(type(exc), exc, exc.__traceback__)
        raise


__all__ = ["UPLOAD_FORMATS", "MalformedUpload", "Upload", "archive_name", "receive_upload"]
