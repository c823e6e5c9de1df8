"""Endpoint profiles: the readable file, secrets only in the keyring, URL-shape inference."""

from __future__ import annotations

import json

import keyring
import pytest

from inspector.formats.base import InspectorError
from inspector.net.profiles import KEYRING_SERVICE, Profile, ProfileStore, config_dir, get_secret, target_from_url

TOKEN = "aaaabbbbccccddddeeeeffff00001111"
APP_SECRET = "0b3a1c64-1111-2222-3333-444455556666"


def test_profiles_file_is_readable_and_holds_no_secret() -> None:
    store = ProfileStore()
    assert store.path.parent == config_dir() and "crash-inspector" in str(store.path)
    store.put(Profile("prod rollbar", kind="rollbar"), secret=TOKEN)
    store.put(Profile("ac", kind="appcenter", base_url="http://127.0.0.1:8000/"), secret=APP_SECRET)
    text = store.path.read_text(encoding="utf-8")
    assert TOKEN not in text and APP_SECRET not in text
    data = json.loads(text)
    assert [p["name"] for p in data["profiles"]] == ["prod rollbar", "ac"]
    assert keyring.get_password(KEYRING_SERVICE, "prod rollbar/token") == TOKEN
    assert keyring.get_password(KEYRING_SERVICE, "ac/app-secret") == APP_SECRET
    loaded = store.get("ac")
    assert loaded.install_id and len(loaded.install_id) == 36
    target = loaded.target()
    assert target.app_secret == APP_SECRET and target.base_url == "http://127.0.0.1:8000"
    assert target.install_id == loaded.install_id
    assert store.get("prod rollbar").target().token == TOKEN
    assert store.get("prod rollbar").target().base_url == "https://api.rollbar.com"


def test_install_id_is_kept() -> None:
    store = ProfileStore()
    store.put(Profile("ac", kind="appcenter"), secret=APP_SECRET)
    first = store.get("ac").install_id
    store.put(store.get("ac"))
    assert store.get("ac").install_id == first


def test_rename_moves_the_secret_and_delete_removes_it() -> None:
    store = ProfileStore()
    store.put(Profile("old", kind="backtrace-hosted", universe="acme"), secret="b" * 64)
    store.put(Profile("new", kind="backtrace-hosted", universe="acme"), old_name="old")
    assert [p.name for p in store.load()] == ["new"]
    assert get_secret("new", "token") == "b" * 64 and get_secret("old", "token") is None
    store.delete("new")
    assert store.load() == [] and get_secret("new", "token") is None


def test_missing_and_damaged_files() -> None:
    store = ProfileStore()
    assert store.load() == []
    with pytest.raises(InspectorError, match="no endpoint profile named 'x'"):
        store.get("x")
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InspectorError, match="damaged"):
        store.load()
    with pytest.raises(InspectorError, match="unknown target kind"):
        Profile("x", kind="sentry")


@pytest.mark.parametrize(
    ("url", "fmt", "kind", "base", "token", "universe"),
    [
        (
            "https://submit.backtrace.io/acme/" + "a" * 64 + "/json",
            "backtrace",
            "backtrace-hosted",
            "https://submit.backtrace.io",
            "a" * 64,
            "acme",
        ),
        (
            "https://bt.example.com/api/post?format=json&token=abc",
            "backtrace",
            "backtrace-onprem",
            "https://bt.example.com",
            "abc",
            None,
        ),
        (
            "http://127.0.0.1:6097/post?format=json&token=abc",
            "backtrace",
            "backtrace-direct",
            "http://127.0.0.1:6097",
            "abc",
            None,
        ),
        ("http://127.0.0.1:8000", "backtrace", "backtrace-direct", "http://127.0.0.1:8000", None, None),
        ("https://api.rollbar.com/api/1/item/", "rollbar", "rollbar", "https://api.rollbar.com", None, None),
        ("http://127.0.0.1:8000/rb/api/1/", "rollbar", "rollbar", "http://127.0.0.1:8000/rb", None, None),
        ("http://127.0.0.1:8000", "rollbar", "rollbar", "http://127.0.0.1:8000", None, None),
        (
            "https://in.appcenter.ms/logs?Api-Version=1.0.0",
            "appcenter",
            "appcenter",
            "https://in.appcenter.ms",
            None,
            None,
        ),
        ("http://127.0.0.1:9/logs", "appcenter", "appcenter", "http://127.0.0.1:9", None, None),
    ],
)
def test_target_from_url(url: str, fmt: str, kind: str, base: str, token: str | None, universe: str | None) -> None:
    target = target_from_url(url, fmt)
    assert (target.kind, target.base_url, target.token, target.universe) == (kind, base, token, universe)


def test_target_from_url_mismatch() -> None:
    with pytest.raises(InspectorError, match="looks like a Rollbar endpoint, but the payload is backtrace"):
        target_from_url("https://api.rollbar.com/api/1/item/", "backtrace")
    with pytest.raises(InspectorError, match="not an http"):
        target_from_url("ftp://x/y", "rollbar")
