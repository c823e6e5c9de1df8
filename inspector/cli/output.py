"""Writing a command's result: to a file (atomically) or stdout, and JSON as every command prints it."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from inspector.atomic import write_bytes
from inspector.formats import InspectorError
from inspector.formats.lazy_json import plain


def write_output(out: str | None, data: bytes) -> None:
    """``data`` to ``out`` (the one atomic write), or to stdout when ``out`` is None or ``-``."""
    if out is None or out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        write_bytes(out, data)
    except OSError as exc:
        raise InspectorError(f"cannot write {out}: {exc.strerror or exc}") from None


def print_json(value: Any, *, stream: TextIO | None = None, default: Any = None) -> None:
    """Indented, not ASCII-escaped (the commands' JSON since the start)."""
    print(json.dumps(plain(value), indent=2, ensure_ascii=False, default=default), file=stream or sys.stdout)


__all__ = ["print_json", "write_output"]
