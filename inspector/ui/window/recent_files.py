"""The files the window remembers: recently opened files, the session (the files open when it last closed) and
the samples shipped with the app."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from inspector import atomic, settings
from inspector.resources import resource_path

log = logging.getLogger(__name__)


MAX_RECENT = 10


def _load_paths(target: Path, limit: int) -> list[str]:
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(p) for p in data if isinstance(p, str)][:limit] if isinstance(data, list) else []


def _save_paths(target: Path, paths: list[str], what: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(target, json.dumps(paths, indent=1).encode("utf-8"))
    except OSError as exc:  # a read-only config dir must not stop the app
        log.warning("cannot save %s: %s", what, exc)


def load_recent() -> list[str]:
    return _load_paths(settings.recent_files_path(), MAX_RECENT)


def save_recent(paths: list[str]) -> None:
    _save_paths(settings.recent_files_path(), paths[:MAX_RECENT], "recent files")


def load_session() -> list[str]:
    """The files that were open when the window last closed (those that still exist)."""
    return [p for p in _load_paths(settings.session_path(), 100) if Path(p).is_file()]


def save_session(paths: list[str]) -> None:
    _save_paths(settings.session_path(), paths, "the session")


def sample_paths() -> list[Path]:
    folder = resource_path("samples")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "README")))
