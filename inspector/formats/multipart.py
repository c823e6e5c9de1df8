"""The one multipart/form-data encoder: every body with parts is written here (Backtrace submissions with
attachments, minidump uploads, drafts and templates saved as requests, symbol uploads).

File parts may stay on disk (:class:`~inspector.formats.base.FileSlice`) until the request is sent, so a symbol
archive of gigabytes is streamed, never read into memory.
"""

from __future__ import annotations

import secrets

from inspector.formats.base import BodyPiece, Part


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", " ")


def form_part_head(name: str, filename: str | None = None, content_type: str | None = None) -> list[str]:
    """The header lines of one form-data part."""
    head = f'Content-Disposition: form-data; name="{_quote(name)}"'
    if filename is not None:
        head += f'; filename="{_quote(filename)}"'
    return [head, f"Content-Type: {content_type}"] if content_type else [head]


def form_pieces(parts: list[tuple[list[str], BodyPiece]]) -> tuple[list[BodyPiece], str]:
    """The multipart/form-data encoder: each part's header lines and data, in order. Returns (pieces, boundary).

    Data is bytes, or a :class:`FileSlice` that stays on disk until the request is sent (a symbol archive of
    gigabytes is never read into memory). The random 128-bit boundary is checked against the in-memory parts;
    files are not read to check it (as curl, which never checks): a chance of 2^-128 per position.
    """
    while True:
        boundary = "inspector-" + secrets.token_hex(16)
        if all(boundary.encode() not in data for _, data in parts if isinstance(data, bytes)):
            break
    pieces: list[BodyPiece] = []
    for head, data in parts:
        pieces.append(f"--{boundary}\r\n".encode() + "\r\n".join(head).encode("utf-8") + b"\r\n\r\n")
        pieces.append(data)
        pieces.append(b"\r\n")
    pieces.append(f"--{boundary}--\r\n".encode())
    return pieces, boundary


def form_body(parts: list[tuple[list[str], bytes]]) -> tuple[bytes, str]:
    """:func:`form_pieces` of in-memory parts, joined: (body, boundary)."""
    pieces, boundary = form_pieces(list(parts))
    return b"".join(p for p in pieces if isinstance(p, bytes)), boundary


def form_of_parts(main: Part, fields: list[tuple[str, str]], files: list[Part]) -> tuple[bytes, str]:
    """A form in memory: the main part, the plain fields, then the files, each :class:`Part` with its own name,
    file name and content type. Returns (body, boundary). The one layout of every saved or sent form."""
    parts = [(form_part_head(main.name, main.filename, main.content_type or None), main.data)]
    parts += [(form_part_head(name), value.encode("utf-8")) for name, value in fields]
    parts += [(form_part_head(p.name, p.filename, p.content_type or None), p.data) for p in files]
    return form_body(parts)
