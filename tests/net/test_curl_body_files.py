"""Copy as curl never leaves a secret on disk: gzip bodies with a token travel as text, body files are private
(0700 folder, 0600 files) and go away with the process (or at the next copy after a kill)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.formats import get_format, load_path
from inspector.formats.base import InspectorError, RequestSpec, Target
from inspector.net import curl
from inspector.net.curl import curl_command, secret_env_names, sweep_stale_body_files
from tests.net.fault_server import FaultServer

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
TOKEN = "aaaabbbbccccddddeeeeffff00001111"
SECRET = "0b3a1c64-1111-2222-3333-444455556666"
needs_shell = pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("bash") is None or shutil.which("gzip") is None,
    reason="no curl/bash/gzip",
)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    srv = FaultServer().start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    base = tmp_path / "tmp"
    base.mkdir()
    monkeypatch.setenv("TMPDIR", str(base))
    monkeypatch.setattr("tempfile.tempdir", None)
    curl.remove_body_files()
    yield base
    curl.remove_body_files()


def _files(base: Path) -> list[Path]:
    return [p for p in base.rglob("*") if p.is_file()]


def _run(command: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin", **env}
    )
    assert done.returncode == 0, done.stderr


@needs_shell
def test_a_gzip_body_with_the_token_goes_to_no_file(server: FaultServer, private_tmp: Path) -> None:
    sub = load_path(str(CORPUS / "rollbar" / "pyrollbar-1.5.0_message_title.json"))
    target = Target(kind="rollbar", base_url=server.url, token=TOKEN, token_in_body=True, gzip=True)
    spec = get_format("rollbar").build_request(sub, target)
    assert TOKEN.encode() in gzip.decompress(spec.body)
    command = curl_command(spec, secret_env_names(target, "rollbar", spec))
    assert TOKEN not in command and "gzip -n -c" in command
    assert _files(private_tmp) == []  # nothing written anywhere
    _run(command, {"ROLLBAR_TOKEN": TOKEN})
    got = server.requests[-1]
    assert got.header("Content-Encoding") == "gzip"
    assert json.loads(gzip.decompress(got.body)) == json.loads(gzip.decompress(spec.body))


@needs_shell
def test_a_binary_body_file_is_private_and_holds_no_secret(server: FaultServer, private_tmp: Path) -> None:
    sub = load_path(str(CORPUS / "appcenter" / "docs_managedError_android_innerExceptions.json"), format="appcenter")
    target = Target(kind="appcenter", base_url=server.url, app_secret=SECRET, install_id=SECRET, gzip=True)
    spec = get_format("appcenter").build_request(sub, target)
    command = curl_command(spec, secret_env_names(target, "appcenter", spec))
    (body_file,) = _files(private_tmp)
    assert stat.S_IMODE(body_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(body_file.parent.stat().st_mode) == 0o700
    assert SECRET.encode() not in gzip.decompress(body_file.read_bytes()) and SECRET not in command
    _run(command, {"APPCENTER_APP_SECRET": SECRET})
    assert server.requests[-1].body == spec.body
    assert curl_command(spec, secret_env_names(target, "appcenter", spec)) == command  # the same file again
    curl.remove_body_files()
    assert _files(private_tmp) == []


def test_a_binary_body_holding_a_secret_needs_inline_secrets(private_tmp: Path) -> None:
    body = gzip.compress(b"\x00\x01 token=" + TOKEN.encode() + b" \xff")
    spec = RequestSpec("POST", "http://127.0.0.1:9/post", [("Content-Encoding", "gzip")], body, secrets=[TOKEN])
    names = {TOKEN: "BACKTRACE_TOKEN"}
    with pytest.raises(InspectorError, match="holds a secret"):
        curl_command(spec, names)
    assert _files(private_tmp) == []
    command = curl_command(spec, names, inline_secrets=True)
    (body_file,) = _files(private_tmp)
    assert body_file.read_bytes() == body and str(body_file) in command


CHILD = r"""
import sys
sys.path.insert(0, sys.argv[1])
from inspector.net.curl import write_body_file
print(write_body_file(b"\x00binary body"), flush=True)
if sys.argv[2] == "wait":
    import time; time.sleep(120)
"""


def test_body_files_go_with_the_process_and_a_killed_ones_are_swept(private_tmp: Path) -> None:
    env = dict(os.environ, TMPDIR=str(private_tmp))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), "exit"], capture_output=True, text=True, env=env, timeout=120
    )
    assert not Path(done.stdout.strip()).exists()  # removed at exit
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), "wait"], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    left = Path(proc.stdout.readline().strip())
    assert left.exists() and sweep_stale_body_files(private_tmp) == 0  # its process is alive: kept
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert left.exists()  # a killed process removes nothing
    assert sweep_stale_body_files(private_tmp) == 1 and not left.parent.exists()


def test_the_old_shared_folder_is_emptied(private_tmp: Path) -> None:
    old = private_tmp / "crash-inspector-bodies"
    old.mkdir()
    (old / "body-0000.bin").write_bytes(b"gzip with a token")
    sweep_stale_body_files(private_tmp)
    assert list(old.iterdir()) == []
