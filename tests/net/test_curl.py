"""Copy as curl: the command, run by a real shell and curl against 127.0.0.1, sends the same bytes."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.formats import get_format, load_path
from inspector.formats.base import RequestSpec, Target
from inspector.net.curl import body_is_text, quote_arg, secret_env_names, to_curl
from tests.net.fault_server import FaultServer

CORPUS = Path(__file__).parent.parent / "corpus"
TOKEN = "aaaabbbbccccddddeeeeffff00001111"
SECRET = "0b3a1c64-1111-2222-3333-444455556666"
needs_curl = pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None, reason="no curl")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    srv = FaultServer().start()
    yield srv
    srv.stop()


def _run(command: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=30, env=env or {"PATH": "/usr/bin:/bin"}
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_secrets_become_placeholders() -> None:
    spec = RequestSpec(
        "POST",
        "https://api.rollbar.com/api/1/item/",
        [("Content-Type", "application/json"), ("X-Rollbar-Access-Token", TOKEN)],
        b"{}\n",
        secrets=[TOKEN],
    )
    target = Target(kind="rollbar", base_url="", token=TOKEN)
    command = to_curl(spec, secret_env_names(target, "rollbar", spec))
    assert TOKEN not in command
    assert "-H 'X-Rollbar-Access-Token: '\"$ROLLBAR_TOKEN\"" in command
    inline = to_curl(spec, secret_env_names(target, "rollbar", spec), inline_secrets=True)
    assert TOKEN in inline and "$ROLLBAR_TOKEN" not in inline


def test_quoting() -> None:
    assert quote_arg("it's", {}) == "'it'\"'\"'s'"
    assert quote_arg("a/SECRET/b", {"SECRET": "BACKTRACE_TOKEN"}) == 'a/"$BACKTRACE_TOKEN"/b'
    assert quote_arg("", {}) == "''"
    assert not body_is_text(b"\x1f\x8b\x00") and body_is_text("é{}".encode())


@needs_curl
@pytest.mark.parametrize("trailing_newline", [False, True])
def test_heredoc_body_is_byte_exact_with_env_secret(server: FaultServer, trailing_newline: bool) -> None:
    sub = load_path(str(CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json"), format="rollbar")
    target = Target(kind="rollbar", base_url=server.url, token=TOKEN, token_in_body=True)
    spec = get_format("rollbar").build_request(sub, target)
    spec.body = spec.body.rstrip(b"\n") + (b"\n" if trailing_newline else b"")
    command = to_curl(spec, secret_env_names(target, "rollbar", spec))
    assert TOKEN not in command
    _run(command, {"PATH": "/usr/bin:/bin", "ROLLBAR_TOKEN": TOKEN})
    got = server.requests[-1]
    assert got.body == spec.body
    assert got.header("X-Rollbar-Access-Token") is None  # token_in_body: only in the body
    assert got.target == "/api/1/item/"


@needs_curl
def test_shell_metacharacters_survive(server: FaultServer) -> None:
    body = b'{"a": "`$HOME` \\\\ $(echo x) \'q\' \\"d\\"", "t": "SECRET-VALUE"}'
    spec = RequestSpec(
        "POST",
        server.url + "/post?format=json&token=SECRET-VALUE",
        [("Content-Type", "application/json"), ("X-Odd", 'it\'s "quoted" $x')],
        body,
        secrets=["SECRET-VALUE"],
    )
    names = {"SECRET-VALUE": "BACKTRACE_TOKEN"}
    _run(to_curl(spec, names), {"PATH": "/usr/bin:/bin", "BACKTRACE_TOKEN": "SECRET-VALUE"})
    got = server.requests[-1]
    assert got.body == body
    assert got.header("X-Odd") == 'it\'s "quoted" $x'
    assert got.target == "/post?format=json&token=SECRET-VALUE"


@needs_curl
def test_binary_body_uses_a_file(server: FaultServer, tmp_path: Path) -> None:
    sub = load_path(str(CORPUS / "appcenter" / "docs_managedError_android_innerExceptions.json"), format="appcenter")
    target = Target(kind="appcenter", base_url=server.url, app_secret=SECRET, install_id="iid", gzip=True)
    spec = get_format("appcenter").build_request(sub, target)
    with pytest.raises(ValueError, match="binary"):
        to_curl(spec, secret_env_names(target, "appcenter", spec))
    body_file = tmp_path / "body with space.gz"
    body_file.write_bytes(spec.body)
    command = to_curl(spec, secret_env_names(target, "appcenter", spec), body_file=str(body_file))
    assert "$APPCENTER_APP_SECRET" in command and SECRET not in command
    _run(command, {"PATH": "/usr/bin:/bin", "APPCENTER_APP_SECRET": SECRET})
    got = server.requests[-1]
    assert got.body == spec.body and gzip.decompress(got.body)
    assert got.header("App-Secret") == SECRET and got.header("Content-Encoding") == "gzip"
