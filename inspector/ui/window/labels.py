"""Words and numbers as people read them: plural forms, epoch timestamps and byte sizes. Nothing here imports Qt.

The views show these; the raw value stays reachable (a tooltip, copy), so nothing is lost in the translation.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

#: Plausible epoch seconds (2001-09-09 .. 2286-11-20) and milliseconds: other numbers are not guessed to be times.
_EPOCH_SECONDS = (1_000_000_000, 10_000_000_000)
_EPOCH_MILLIS = (1_000_000_000_000, 10_000_000_000_000)
_TIME_KEY = re.compile(r"(time|date|_at$|At$|^ts$|timestamp)", re.IGNORECASE)
_SIZE_KEY = re.compile(r"(size|bytes|memory|mem\b|mem\.|rss|heap|disk|storage|length)", re.IGNORECASE)
_NOT_SIZE_KEY = re.compile(r"(count|pages|percent|ratio|limit_count)", re.IGNORECASE)


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 error``, ``2 errors``, ``0 errors`` (``plural_form`` for irregular nouns: ``1 entry``/``2 entries``)."""
    return f"{count:,} {noun if count == 1 else (plural_form or noun + 's')}"


def human_bytes(size: int) -> str:
    """``512 B``, ``1.5 KB``, ``16.0 GB`` (binary units, one decimal)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(value) < 1024 or unit == "TB":
            return f"{size:,} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover (the loop returns)


def epoch_seconds(value: Any) -> float | None:
    """Epoch seconds of a number that looks like an epoch timestamp (seconds or milliseconds), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if _EPOCH_SECONDS[0] <= value < _EPOCH_SECONDS[1]:
        return float(value)
    if _EPOCH_MILLIS[0] <= value < _EPOCH_MILLIS[1]:
        return value / 1000.0
    return None


def utc_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def human_value(key: str, value: Any) -> str | None:
    """A readable form of a metadata value when its key says what it is (a time, a size); None to show it as is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if _TIME_KEY.search(key):
        seconds = epoch_seconds(value)
        if seconds is not None:
            return utc_time(seconds)
    if isinstance(value, int) and value >= 1024 and _SIZE_KEY.search(key) and not _NOT_SIZE_KEY.search(key):
        return human_bytes(value)
    return None


def occurrence_word(report: Any) -> str:
    """What a report's moment is called on the telemetry axis: "crash" only for a crash (fatal, or a crashed
    thread), "error" for a handled or unknown-fatality exception, "occurrence" for a message or log."""
    if report is None:
        return "occurrence"
    if report.summary.fatal or report.crashed_thread is not None:
        return "crash"
    return "error" if report.exceptions else "occurrence"
