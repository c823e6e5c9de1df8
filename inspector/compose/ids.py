"""Fresh identities for a payload: new uuids and "now" timestamps, keeping references (errorId) consistent."""

from __future__ import annotations

import copy
import datetime as dt
import time
import uuid
from typing import Any


def iso_now(now: float) -> str:
    """App Center's timestamp spelling: ``yyyy-MM-dd'T'HH:mm:ss.SSS'Z'``."""
    stamp = dt.datetime.fromtimestamp(now, tz=dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> float | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


def refresh_ids(format: str, value: Any, now: float | None = None) -> Any:
    """A deep copy of ``value`` with new uuids and timestamps moved to ``now`` (relative offsets kept)."""
    now = time.time() if now is None else now
    value = copy.deepcopy(value)
    if not isinstance(value, dict):
        return value
    if format == "backtrace":
        value["uuid"] = str(uuid.uuid4())
        if "timestamp" in value:
            value["timestamp"] = int(now)
    elif format == "rollbar" and isinstance(value.get("data"), dict):
        data = value["data"]
        old = data.get("timestamp")
        data["uuid"] = str(uuid.uuid4())
        data["timestamp"] = int(now)
        telemetry = (data.get("body") or {}).get("telemetry") if isinstance(data.get("body"), dict) else None
        if isinstance(old, int | float) and isinstance(telemetry, list):
            shift = int((int(now) - old) * 1000)
            for event in telemetry:
                if isinstance(event, dict) and isinstance(event.get("timestamp_ms"), int):
                    event["timestamp_ms"] += shift
    elif format == "appcenter" and isinstance(value.get("logs"), list):
        _refresh_appcenter(value["logs"], now)
    return value


def _refresh_appcenter(logs: list[Any], now: float) -> None:
    mapping: dict[str, str] = {}
    sessions: dict[str, str] = {}
    first = next(
        (parse_iso(ts) for log in logs if isinstance(log, dict) and isinstance(ts := log.get("timestamp"), str) and ts),
        None,
    )
    shift = now - first if first is not None else 0.0
    for log in logs:
        if not isinstance(log, dict):
            continue
        if isinstance(log.get("id"), str):
            new = str(uuid.uuid4())
            mapping[log["id"].lower()] = new
            log["id"] = new
        if isinstance(log.get("sid"), str):
            log["sid"] = sessions.setdefault(log["sid"], str(uuid.uuid4()))
        for key in ("timestamp", "appLaunchTimestamp"):
            old = parse_iso(text) if isinstance(text := log.get(key), str) else None
            if old is not None:
                log[key] = iso_now(old + shift)
    for log in logs:
        if isinstance(log, dict) and isinstance(log.get("errorId"), str):
            log["errorId"] = mapping.get(log["errorId"].lower(), log["errorId"])
