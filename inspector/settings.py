"""Where Crash Inspector keeps its files, and the user's settings (typed, with a schema version).

Every file the app keeps lives under the platformdirs homes of ``crash-inspector`` (``appauthor=False``: on Windows
``%LOCALAPPDATA%\\crash-inspector``, never a ``crash-inspector\\crash-inspector`` folder next to it). Nothing else in
the package calls platformdirs: ask this module for a path.

Settings are one JSON file, ``settings.json`` in the config home. Reading never fails (a missing, broken or
hand-edited file gives the defaults for what it cannot use, and says so in the log); keys this version does not
know are kept when saving, so a newer version's settings survive an older one. This module imports no Qt and no
other ``inspector`` package: every layer may use it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

import platformdirs

# The app's one atomic write (temp file in the folder, fsync, rename, folder fsync): a crash leaves the old file or
# the new one. inspector.atomic is the bottom layer (it imports nothing of the program), so this module may use it.
from inspector.atomic import write_bytes as atomic_write

log = logging.getLogger(__name__)

APP_NAME = "crash-inspector"
#: Version of the settings file's layout; :func:`_migrate` brings older files up to it.
SCHEMA_VERSION = 1

Theme = Literal["system", "light", "dark"]
THEMES: tuple[str, ...] = get_args(Theme)


# ---------------------------------------------------------------------------------------------- homes


def config_dir() -> Path:
    """Settings, profiles, the recent files and the last session."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """What the app collects: send history, the receiver's inbox, drafts."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def log_dir() -> Path:
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


# ---------------------------------------------------------------------------------------------- files


def settings_path() -> Path:
    return config_dir() / "settings.json"


def profiles_path() -> Path:
    return config_dir() / "profiles.json"


def recent_files_path() -> Path:
    return config_dir() / "recent.json"


def session_path() -> Path:
    """The files open when the window last closed (reopened at the next start)."""
    return config_dir() / "session.json"


def history_path() -> Path:
    return data_dir() / "history.sqlite3"


def inbox_dir() -> Path:
    """The local receiver's captured requests."""
    return data_dir() / "inbox"


def drafts_dir() -> Path:
    """Autosaved unsaved work (restored after a crash)."""
    return data_dir() / "drafts"


def symbols_cache_dir() -> Path:
    """Symbol files downloaded from symbol servers."""
    return cache_dir() / "symbols"


def log_path() -> Path:
    """The GUI's log file."""
    return log_dir() / "crash-inspector.log"


def all_paths() -> dict[str, Path]:
    """Every file and folder above, by name (Help › About shows them, the tests check they share one home)."""
    return {
        "settings": settings_path(),
        "profiles": profiles_path(),
        "recent files": recent_files_path(),
        "session": session_path(),
        "send history": history_path(),
        "receiver inbox": inbox_dir(),
        "drafts": drafts_dir(),
        "symbol cache": symbols_cache_dir(),
        "log": log_path(),
    }


# ---------------------------------------------------------------------------------------------- settings


@dataclass(slots=True)
class Settings:
    """The user's preferences (Edit › Preferences). Field types are checked when read: a wrong one is the default."""

    schema: int = SCHEMA_VERSION
    #: Colours of the window: the desktop's, or forced light / dark.
    theme: Theme = "system"
    #: The raw view shows minified payloads pretty-printed for reading (the saved and sent bytes stay the file's).
    format_raw_view: bool = True
    #: Folders or ``srv*`` paths searched for Breakpad symbols, in order.
    symbol_paths: list[str] = field(default_factory=list)
    #: Folders or files searched for JavaScript source maps (Tools › Source Maps…), in order.
    sourcemap_paths: list[str] = field(default_factory=list)
    #: The send profile selected when the Send panel opens ("" = the first one).
    default_profile: str = ""
    #: Where "Start receiver" listens by default.
    receiver_host: str = "127.0.0.1"
    receiver_port: int = 8000
    #: Reopen the files of the last session at start.
    restore_session: bool = True
    #: Set once the first start has shown the bundled sample (later starts open no sample).
    first_start_done: bool = False
    #: Column widths per view name (``frames``, ``binaries``...), set when the user resizes a column.
    column_widths: dict[str, list[int]] = field(default_factory=dict)
    #: Keys of a newer version's file, written back unchanged.
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        return {**self.extra, **data}


def _valid(name: str, value: Any) -> bool:
    if name == "theme":
        return value in THEMES
    if name in ("format_raw_view", "restore_session", "first_start_done"):
        return isinstance(value, bool)
    if name in ("schema", "receiver_port"):
        return (
            isinstance(value, int) and not isinstance(value, bool) and (name != "receiver_port" or 0 <= value < 65536)
        )
    if name in ("default_profile", "receiver_host"):
        return isinstance(value, str)
    if name in ("symbol_paths", "sourcemap_paths"):
        return isinstance(value, list) and all(isinstance(p, str) for p in value)
    if name == "column_widths":
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(w, int) and w >= 0 for w in v)
            for k, v in value.items()
        )
    return False


def _migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring a file of an older schema up to :data:`SCHEMA_VERSION` (version 1 is the first: nothing to do yet)."""
    data["schema"] = SCHEMA_VERSION if data.get("schema", 0) < SCHEMA_VERSION else data["schema"]
    return data


def settings_from_json(data: Any) -> Settings:
    """Settings from a decoded file: every valid known key is used, a wrong one logged and left at its default."""
    settings = Settings()
    if not isinstance(data, dict):
        log.warning("settings: the file holds no JSON object; using the defaults")
        return settings
    data = _migrate(dict(data))
    known = {f.name for f in fields(Settings)} - {"extra"}
    for key, value in data.items():
        if key not in known:
            settings.extra[key] = value
        elif _valid(key, value):
            setattr(settings, key, value)
        else:
            log.warning("settings: %s=%r is not valid; using the default", key, value)
    return settings


def load_settings(path: Path | None = None) -> Settings:
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("settings: cannot read %s (%s); using the defaults", path, exc)
        return Settings()
    return settings_from_json(data)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write the settings atomically. Raises OSError (the caller says so; a read-only home must not stop the app)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(settings.to_json(), indent=1, ensure_ascii=False).encode("utf-8"))
