"""Fresh identities for a payload: new uuids and "now" timestamps, keeping references (errorId) consistent.

What is fresh in a document is the format's knowledge (``CAPABILITIES.editing.refresh_ids``,
:mod:`inspector.formats.editing`); the App Center timestamp spelling is used by the forms and attachments too.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from inspector.formats import capabilities
from inspector.formats.base import InspectorError
from inspector.formats.editing import iso_now, parse_iso

__all__ = ["iso_now", "parse_iso", "refresh_ids"]


def refresh_ids(format: str, value: Any, now: float | None = None) -> Any:
    """A deep copy of ``value`` with new uuids and timestamps moved to ``now`` (relative offsets kept)."""
    now = time.time() if now is None else now
    value = copy.deepcopy(value)
    try:
        editing = capabilities(format).editing
    except InspectorError:  # not a format name: nothing known to refresh
        editing = None
    if isinstance(value, dict) and editing is not None:
        editing.refresh_ids(value, now)
    return value
