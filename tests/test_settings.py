"""The one paths/settings module: every file in its platformdirs home, typed settings with a schema version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import platformdirs

from inspector import settings
from inspector.compose import bundle, drafts
from inspector.net import history, profiles, store

PACKAGE = Path(settings.__file__).parent


def test_platformdirs_is_called_in_one_module_only() -> None:
    callers = sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if re.search(r"^\s*(import platformdirs|from platformdirs)", p.read_text(encoding="utf-8"), re.M)
    )
    assert callers == ["settings.py"]


def test_every_file_lives_under_the_apps_homes() -> None:
    config = Path(platformdirs.user_config_dir("crash-inspector", appauthor=False))
    data = Path(platformdirs.user_data_dir("crash-inspector", appauthor=False))
    logs = Path(platformdirs.user_log_dir("crash-inspector", appauthor=False))
    cache = Path(platformdirs.user_cache_dir("crash-inspector", appauthor=False))
    for name, path in settings.all_paths().items():
        assert any(path.is_relative_to(home) for home in (config, data, logs, cache)), name
    # the modules that keep files ask the settings module (on Windows recent.json and profiles.json once differed)
    assert profiles.config_dir() == settings.config_dir() == settings.recent_files_path().parent
    assert history.default_path() == settings.history_path()
    assert store.default_store_dir() == settings.inbox_dir()
    assert drafts.drafts_dir() == settings.drafts_dir()
    assert bundle.atomic_write is settings.atomic_write  # one atomic write


def test_settings_round_trip_with_schema_version(tmp_path) -> None:
    path = tmp_path / "settings.json"
    assert settings.load_settings(path) == settings.Settings()  # no file: the defaults
    chosen = settings.Settings(theme="dark", symbol_paths=["/syms"], receiver_port=0, column_widths={"frames": [1, 0]})
    settings.save_settings(chosen, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema"] == settings.SCHEMA_VERSION and data["theme"] == "dark"
    assert settings.load_settings(path) == chosen


def test_a_broken_or_hand_edited_file_gives_defaults_for_what_is_wrong(tmp_path, caplog) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b"\xff{not json")
    assert settings.load_settings(path) == settings.Settings()
    path.write_text(json.dumps(["a list"]), encoding="utf-8")
    assert settings.load_settings(path) == settings.Settings()
    path.write_text(
        json.dumps({"theme": "purple", "receiver_port": 70000, "format_raw_view": "yes", "restore_session": False}),
        encoding="utf-8",
    )
    loaded = settings.load_settings(path)
    assert loaded.theme == "system" and loaded.receiver_port == 8000 and loaded.format_raw_view is True
    assert loaded.restore_session is False  # the valid key is kept
    assert "theme='purple' is not valid" in caplog.text


def test_a_newer_versions_keys_survive_a_save(tmp_path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema": 7, "theme": "light", "future": {"x": 1}}), encoding="utf-8")
    loaded = settings.load_settings(path)
    assert loaded.schema == 7 and loaded.extra == {"future": {"x": 1}}
    settings.save_settings(loaded, path)
    assert json.loads(path.read_text(encoding="utf-8"))["future"] == {"x": 1}
