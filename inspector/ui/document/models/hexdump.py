"""A classic hex dump (offset, 16 bytes in hex, ASCII). No Qt here."""

from __future__ import annotations

BYTES_PER_LINE = 16


def hex_dump(data: bytes, limit: int | None = None) -> str:
    """``limit`` bytes at most; a final line says how much was left out."""
    shown = data if limit is None else data[:limit]
    lines = []
    for offset in range(0, len(shown), BYTES_PER_LINE):
        chunk = shown[offset : offset + BYTES_PER_LINE]
        hex_part = " ".join(f"{b:02x}" for b in chunk)
        hex_part = hex_part[:23] + " " + hex_part[23:] if len(chunk) > 8 else hex_part
        ascii_part = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {hex_part:<49} |{ascii_part}|")
    if len(shown) < len(data):
        lines.append(f"… {len(data) - len(shown):,} more bytes not shown (of {len(data):,})")
    return "\n".join(lines)


def looks_binary(data: bytes) -> bool:
    """True when the first KB has NUL bytes or is not UTF-8."""
    head = data[:4096]
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start < len(head) - 4  # a multi-byte character cut at the end is fine
    return False
