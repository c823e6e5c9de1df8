"""The one place that reads HTTP answer headers: a case-insensitive lookup and the wait a server asks for.

Every format's ``read_response``, the send client's retry loop and the exchange shown to the user use these, so
"how long to wait" has one answer everywhere.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from email.utils import parsedate_to_datetime

Headers = Iterable[tuple[str, str]]

#: The headers that name a wait, first found wins: App Center's milliseconds, the standard ``Retry-After``
#: (seconds or an HTTP date), Rollbar's rate-limit window.
RETRY_HEADERS = ("x-ms-retry-after-ms", "retry-after", "x-rate-limit-remaining-seconds")


def header(headers: Headers, name: str) -> str | None:
    """The first value of header ``name`` (any case), or None."""
    lname = name.lower()
    return next((value for key, value in headers if key.lower() == lname), None)


def _seconds(name: str, value: str, now: float) -> float | None:
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        if name != "retry-after":
            return None
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN, infinity: no usable wait
        return None
    return max(0.0, seconds / 1000.0 if name == "x-ms-retry-after-ms" else seconds)


def retry_after(headers: Headers, *, now: float | None = None) -> float | None:
    """Seconds the server asks to wait before trying again, or None when no header says (or none is readable)."""
    values: dict[str, str] = {}
    for key, value in headers:
        values.setdefault(key.lower(), value)
    clock = time.time() if now is None else now
    for name in RETRY_HEADERS:
        if name in values:
            seconds = _seconds(name, values[name], clock)
            if seconds is not None:
                return seconds
    return None
