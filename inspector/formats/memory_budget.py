"""Refuse an input before parsing it when the memory it needs is not there: one clear line, never a swap storm.

A parsed JSON document costs Python objects per value, not per byte: ``[7,7,7,...]`` is 2 bytes of text but a
list slot and an int per value, about 10x its size; a log of long strings is about 1x plus the text kept. So the
estimate counts the values (``,`` and ``:`` separators, a C-speed ``bytes.count`` of the text: ~0.1 s per GB)
and the string bytes, with per-value costs measured on CPython 3.11 + orjson (see bench/README.md,
"Memory ceiling"):

    needed = text kept (1x) + strings copied out (<= 1x) + values x PER_VALUE_BYTES

and compares it with the memory the system can give now: ``MemAvailable`` (Linux), the cgroup's headroom
(containers) and ``RLIMIT_AS``. Nothing here allocates in proportion to the input.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

from inspector.formats.base import InspectorError

#: Bytes of Python objects per JSON value (a list/dict slot, the object, allocator slack), measured: 75 for a
#: batch of empty objects, ~55 for frames of short strings (keys and small ints are shared).
PER_VALUE_BYTES = 72
#: What the parse itself needs on top of the result (orjson's buffers, the document's indexes).
OVERHEAD_BYTES = 64 * 1024 * 1024
#: Inputs below this size are never checked (the count would cost more than it saves).
CHECK_FROM_BYTES = 8 * 1024 * 1024
#: The separators are counted this many bytes at a time, so the count can stop once the answer is known.
COUNT_STEP = 16 * 1024 * 1024


def json_values(body: bytes) -> int:
    """An upper bound of the values in a JSON text: one per separator (commas and colons inside strings count too,
    which only makes the estimate safer)."""
    return body.count(b",") + body.count(b":") + 1


def estimate_json_bytes(body: bytes) -> int:
    """The memory a parsed JSON ``body`` will take, from its size and shape (its number of values)."""
    return 2 * len(body) + json_values(body) * PER_VALUE_BYTES + OVERHEAD_BYTES


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", "rb") as fh:
            for line in fh:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_headroom() -> int | None:
    """cgroup v2 (``memory.max`` - ``memory.current``) or v1 limits of this process's group, if any."""
    candidates = [
        (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory.current")),
        (Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"), Path("/sys/fs/cgroup/memory/memory.usage_in_bytes")),
    ]
    for limit_path, usage_path in candidates:
        try:
            limit_text = limit_path.read_text().strip()
            if limit_text == "max":
                continue
            limit, usage = int(limit_text), int(usage_path.read_text().strip())
        except (OSError, ValueError):
            continue
        if limit < 1 << 60:  # v1 says "no limit" with a huge number
            return max(0, limit - usage)
    return None


def _address_space_headroom() -> int | None:
    if resource is None:
        return None
    try:
        soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        return None
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        with open("/proc/self/statm", "rb") as fh:
            used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
    return max(0, soft - used)


def available_bytes() -> int | None:
    """What this process can still allocate without swapping or being killed; None when unknown."""
    known = [v for v in (_meminfo_available(), _cgroup_headroom(), _address_space_headroom()) if v is not None]
    override = os.environ.get("CRASH_INSPECTOR_MEMORY_AVAILABLE")  # tests and support: pretend this much is free
    if override and override.isdigit():
        known.append(int(override))
    return min(known) if known else None


def _size(n: float) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} bytes"


def fits(body: bytes, available: int) -> bool:
    """``estimate_json_bytes(body) <= available``, counting only as much of ``body`` as the answer needs.

    The count of values can only grow by one per byte not counted yet, so the count stops as soon as even a
    separator in every remaining byte would fit, or the values counted so far already do not: with plenty of
    memory (the usual case) nothing is counted at all (two passes over the text were 0.17x a ``json.loads``)."""
    size = len(body)
    fixed = 2 * size + PER_VALUE_BYTES + OVERHEAD_BYTES  # the estimate without the separators (the 1 value)
    counted = 0
    for start in range(0, size + 1, COUNT_STEP):
        if fixed + (counted + size - start) * PER_VALUE_BYTES <= available:
            return True  # fits even if every byte left is a separator
        if fixed + counted * PER_VALUE_BYTES > available:
            return False  # the values counted so far already do not fit
        end = min(size, start + COUNT_STEP)
        counted += body.count(b",", start, end) + body.count(b":", start, end)
    return fixed + counted * PER_VALUE_BYTES <= available


def check_room_for_json(body: bytes, *, name: str | None = None) -> None:
    """Raise InspectorError when parsing ``body`` would need more memory than is available now."""
    if len(body) < CHECK_FROM_BYTES:
        return
    available = available_bytes()
    if available is None:
        return
    if not fits(body, available):
        needed = estimate_json_bytes(body)
        what = name or "the input"
        raise InspectorError(
            f"{what} needs about {_size(needed)} of memory to open (a {_size(len(body))} JSON document of up to "
            f"{json_values(body):,} values), but only {_size(available)} is available: "
            "close other programs or open a smaller file"
        )


__all__ = ["available_bytes", "check_room_for_json", "estimate_json_bytes", "fits", "json_values"]
