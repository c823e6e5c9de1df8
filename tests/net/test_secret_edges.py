"""Secrets at the edges: a URL-encoded token is masked like a plain one (printing, history, copy as curl), the
history database is the user's alone, and a header value with a line break never leaves the program."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from inspector.formats import get_format, load_path
from inspector.formats.base import InspectorError, RequestSpec, Target
from inspector.net.client import SendOptions, send_request
from inspector.net.curl import secret_env_names, to_curl
from inspector.net.history import History
from tests.net.fault_server import FaultServer

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
BACKTRACE = CORPUS / "backtrace" / "backtrace-node-0.8.3_exception_plain-json.json"
APPCENTER = CORPUS / "appcenter" / "docs_managedError_android_innerExceptions.json"
#: A token that URL encoding changes: ``/``, ``+``, ``=`` and a space.
ODD_TOKEN = "a/b+c=d e/ffff0123456789abcdef"
APP_SECRET = "0b3a1c64-1111-2222-3333-444455556666"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    srv = FaultServer().start()
    yield srv
    srv.stop()


def _spellings(secret: str) -> list[str]:
    return [secret, quote(secret, safe=""), quote(secret, safe="").lower(), quote_plus(secret, safe="")]


@pytest.mark.parametrize("kind", ["backtrace-onprem", "backtrace-hosted"])
def test_a_url_encoded_token_is_masked_everywhere(server: FaultServer, tmp_path: Path, kind: str) -> None:
    sub = load_path(str(BACKTRACE), format="backtrace")
    target = Target(kind, server.url, token=ODD_TOKEN, universe="acme")
    spec = get_format("backtrace").build_request(sub, target)
    assert ODD_TOKEN not in spec.url and "a%2Fb%2Bc%3Dd" in spec.url  # the URL carries it encoded
    shown = spec.masked_url + repr(spec.masked_headers())
    exchange = send_request(spec, options=SendOptions(timeout=5, max_attempts=1))
    assert exchange.status is not None
    history = History(tmp_path / "history.sqlite3")
    history.record(exchange, profile="p", target_kind=kind, format="backtrace")
    history.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("history.sqlite3"))
    command = to_curl(spec, secret_env_names(target, "backtrace", spec))
    for spelling in _spellings(ODD_TOKEN):
        assert spelling not in shown
        assert spelling.encode() not in stored
        assert spelling not in command
    assert "BACKTRACE_TOKEN_URLENCODED" in command
    # and the server did get the token (the masking is in what is shown and kept, not in the request)
    assert "a%2Fb%2Bc%3Dd" in server.requests[-1].target


def test_the_history_database_is_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "history.sqlite3"
    History(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    old = tmp_path / "old.sqlite3"  # a database written by an older version (0644) is tightened on open
    old.touch(mode=0o644)
    old.chmod(0o644)
    History(old).close()
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


@pytest.mark.parametrize("bad", ["abc\nX-Evil: 1", "abc\r", "a\x00b"])
def test_a_line_break_in_a_header_value_is_refused_before_sending(server: FaultServer, bad: str) -> None:
    sub = load_path(str(APPCENTER), format="appcenter")
    target = Target("appcenter", server.url, app_secret=APP_SECRET, install_id=bad)
    with pytest.raises(InspectorError, match="Install-ID header value holds a") as caught:
        get_format("appcenter").build_request(sub, target)
    assert bad not in str(caught.value)
    with pytest.raises(InspectorError, match="not a valid header name"):
        RequestSpec("POST", "http://127.0.0.1/", [("X-A\nB", "v")], b"")
    with pytest.raises(InspectorError, match="URL holds a"):
        RequestSpec("POST", "http://127.0.0.1/x\r\nHost: evil", [], b"")
    assert server.requests == []


@pytest.mark.skipif(shutil.which("true") is None, reason="POSIX")
def test_the_send_command_says_one_line_and_exits_2(server: FaultServer) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "inspector",
            "send",
            "--url",
            f"{server.url}/logs?Api-Version=1.0.0",
            "--format",
            "appcenter",
            "--app-secret-env",
            "CI_APP_SECRET",
            "--install-id",
            "abc\nX-Evil: 1",
            str(APPCENTER),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT), CI_APP_SECRET=APP_SECRET),
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "header value holds a line break" in done.stderr
    assert server.requests == []
