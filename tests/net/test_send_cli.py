"""``crash-inspector send`` end to end against a real server on 127.0.0.1: exit codes, output, folders, no secrets."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.cli import main
from inspector.cli.send import parse_rate
from inspector.net.history import History
from inspector.net.profiles import Profile, ProfileStore
from tests.net.fault_server import FaultServer

CORPUS = Path(__file__).parent.parent / "corpus"
ROLLBAR = CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json"
BACKTRACE = CORPUS / "backtrace" / "backtrace-node-0.8.3_exception_plain-json.json"
APPCENTER = CORPUS / "appcenter" / "docs_managedError_android_innerExceptions.json"
TOKEN = "aaaabbbbccccddddeeeeffff00001111"
OWN_TOKEN = "0123456789abcdef0123456789abcdef"  # not in any corpus file
SECRET = "0b3a1c64-1111-2222-3333-444455556666"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    srv = FaultServer().start()
    yield srv
    srv.stop()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["send", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_profile_send_ok(server: FaultServer, capsys: pytest.CaptureFixture[str]) -> None:
    ProfileStore().put(Profile("local", kind="rollbar", base_url=server.url), secret=TOKEN)
    code, out, err = run(capsys, str(ROLLBAR), "--profile", "local", "--format", "rollbar")
    assert code == 0, err
    assert "POST http://127.0.0.1" in out and "X-Rollbar-Access-Token: ••••••••" in out
    assert "HTTP 200" in out and "Accepted by the local receiver as occurrence" in out
    assert "rollbar.com" not in out  # no vendor link for a host that is not the vendor's
    assert server.requests[-1].header("X-Rollbar-Access-Token") == TOKEN
    assert TOKEN not in out + err
    assert History().count() == 1


def test_url_json_output_and_token_env(
    server: FaultServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_SECRET", SECRET)
    code, out, _ = run(
        capsys,
        str(APPCENTER),
        "--url",
        server.url + "/logs",
        "--app-secret-env",
        "MY_SECRET",
        "--install-id",
        "iid-1",
        "--format",
        "appcenter",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["ok"] is True and data["status"] == 200 and data["target_kind"] == "appcenter"
    assert data["request"]["url"].endswith("/logs?api-version=1.0.0") or "/logs?" in data["request"]["url"]
    assert ["App-Secret", "••••••••"] in data["request"]["headers"]
    assert SECRET not in out
    got = server.requests[-1]
    assert got.header("App-Secret") == SECRET and got.header("Install-ID") == "iid-1"


def test_backtrace_url_with_attachment(server: FaultServer, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("line 1\n")
    token = "d" * 64
    code, out, err = run(
        capsys,
        str(BACKTRACE),
        "--url",
        f"{server.url}/post?format=json&token={token}",
        "--attach",
        str(log),
        "--format",
        "backtrace",
    )
    assert code == 0, err
    got = server.requests[-1]
    assert got.header(
        "Content-Type",
    ).startswith("multipart/form-data")  # type: ignore[union-attr]
    assert b'name="attachment_app.log"' in got.body and b"line 1\n" in got.body
    assert token not in out + err


@pytest.mark.parametrize(("fault", "code", "words"), [("403", 1, "403"), ("422", 1, "422"), ("500", 1, "500")])
def test_http_errors_exit_1(
    server: FaultServer, capsys: pytest.CaptureFixture[str], fault: str, code: int, words: str
) -> None:
    got, out, _ = run(capsys, str(ROLLBAR), "--url", server.fault(fault), "--format", "rollbar")
    assert got == code and words in out


def test_connection_failures_exit_2(server: FaultServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, str(ROLLBAR), "--url", server.fault("timeout"), "--timeout", "0.3", "--format", "rollbar"
    )
    assert code == 2 and "Timed out after 0.3 s" in out
    code, out, _ = run(capsys, str(ROLLBAR), "--url", "http://127.0.0.1:9/", "--format", "rollbar")
    assert code == 2 and "refused" in out
    assert History().page(0, 1)[0].failure_kind == "refused"


def test_bad_input_exit_2(server: FaultServer, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, str(tmp_path / "missing.json"), "--url", server.url, "--format", "rollbar")
    assert code == 2 and "missing.json" in err
    code, _, err = run(capsys, str(ROLLBAR), "--profile", "nope", "--format", "rollbar")
    assert code == 2 and "no endpoint profile named 'nope'" in err
    code, _, err = run(
        capsys, str(ROLLBAR), "--url", server.url, "--token-env", "NOT_SET_ANYWHERE", "--format", "rollbar"
    )
    assert code == 2 and "NOT_SET_ANYWHERE" in err
    code, _, err = run(capsys, str(ROLLBAR), "--url", f"{server.url}/post?format=json&token=x", "--format", "rollbar")
    assert code == 2 and "payload is rollbar" in err
    ProfileStore().put(Profile("bt", kind="backtrace-direct", base_url=server.url), secret="t")
    code, _, err = run(capsys, str(ROLLBAR), "--profile", "bt", "--format", "rollbar")
    assert code == 2 and "but the payload is rollbar" in err
    assert server.requests == []


def test_retries_flag(server: FaultServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(ROLLBAR), "--url", server.fault("429ms"), "--retries", "2", "--format", "rollbar")
    assert code == 1 and len(server.requests) == 3
    assert out.count("waited 0.05 s") == 2


def test_folder_replay(server: FaultServer, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(3):
        shutil.copy(ROLLBAR, folder / f"item{n}.json")
    (folder / "broken.json").write_text("{ not json")
    ProfileStore().put(Profile("local", kind="rollbar", base_url=server.url, token_in_body=True), secret=TOKEN)
    code, out, _ = run(capsys, str(folder), "--profile", "local", "--rate", "50/sec", "--format", "rollbar")
    assert code == 2  # the broken file
    assert len(server.requests) == 3
    lines = [json.loads(line) for line in (folder / "send-results.jsonl").read_text().splitlines()]
    assert [Path(line["file"]).name for line in lines] == ["broken.json", "item0.json", "item1.json", "item2.json"]
    assert [line["status"] for line in lines] == [None, 200, 200, 200]
    assert lines[0]["error"] == "bad input"
    assert "4 payloads: 3 accepted" in out
    # a second run does not treat the result log as a payload
    code, _, _ = run(capsys, str(folder), "--profile", "local", "--format", "rollbar", "--json")
    assert len(server.requests) == 6


def test_rate_parsing() -> None:
    assert parse_rate("10/sec") == 10 and parse_rate("60/min") == 1 and parse_rate("2") == 2
    assert parse_rate(None) is None
    from inspector.formats.base import InspectorError

    with pytest.raises(InspectorError):
        parse_rate("fast")


def test_secrets_never_in_files_or_output(
    server: FaultServer, capsys: pytest.CaptureFixture[str], _isolated_user_dirs: Path, tmp_path: Path
) -> None:
    """The token values are grepped for in every file the program wrote and everything it printed."""
    ProfileStore().put(Profile("rb", kind="rollbar", base_url=server.url, token_in_body=True), secret=OWN_TOKEN)
    ProfileStore().put(Profile("ac", kind="appcenter", base_url=server.fault("403")), secret=SECRET)
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copy(ROLLBAR, folder / "a.json")
    outputs = []
    for argv in (
        (str(ROLLBAR), "--profile", "rb", "--format", "rollbar", "--json"),
        (str(APPCENTER), "--profile", "ac", "--format", "appcenter"),
        (str(folder), "--profile", "rb", "--format", "rollbar"),
    ):
        _, out, err = run(capsys, *argv)
        outputs.append(out + err)
    assert any(OWN_TOKEN.encode() in r.body for r in server.requests)  # it was really sent
    written = [p for root in (_isolated_user_dirs, tmp_path) for p in root.rglob("*") if p.is_file()]
    assert any(p.name == "history.sqlite3" for p in written) and any(p.name == "profiles.json" for p in written)
    for path in written:
        data = path.read_bytes()
        assert OWN_TOKEN.encode() not in data, path
        assert SECRET.encode() not in data, path
    for text in outputs:
        assert OWN_TOKEN not in text and SECRET not in text


def test_subprocess_no_traceback(server: FaultServer, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "send", str(tmp_path), "--url", server.url],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2 and "no payload files" in done.stderr and "Traceback" not in done.stderr


def test_redact_before_sending(server: FaultServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(ROLLBAR), "--url", server.url, "--redact", "--format", "rollbar")
    assert code == 0 and "redacted 1 value(s)" in err
    body = server.requests[-1].body
    assert b'"access_token":"[REDACTED]"' in body.replace(b" ", b"") and TOKEN.encode() not in body
