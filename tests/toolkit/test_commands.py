"""The convert / diff / redact / export sub-commands: outputs and exit codes (0 ok, 1 different, 2 bad input)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from inspector.cli import main
from inspector.formats import has_errors, load_path, validate
from tests.conftest import CORPUS

TRACE_CHAIN = str(CORPUS / "rollbar/pyrollbar-1.5.0_trace_chain_raise-from.json")
PY_EXC = str(CORPUS / "backtrace/backtracepython-0.4.3_exception_3-threads.json")
PY_MSG = str(CORPUS / "backtrace/backtracepython-0.4.3_send_report-message_3-threads.json")
ROLLBAR_HTTP = str(CORPUS / "rollbar/pyrollbar-1.5.0_trace.request.http")


@pytest.mark.parametrize("target", ["backtrace", "rollbar", "appcenter"])
def test_convert_writes_a_valid_file_and_reports_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    out = tmp_path / "out.json"
    assert main(["convert", PY_EXC, "--to", target, "-o", str(out)]) == 0
    sub = load_path(str(out))
    assert sub.format == target and not has_errors(validate(sub))
    err = capsys.readouterr().err
    assert f"backtrace -> {target}" in err and "GENERATED" in err


def test_convert_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", TRACE_CHAIN, "--to", "appcenter", "-o", str(tmp_path / "o.json"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["source"] == "rollbar" and report["target"] == "appcenter"
    assert {n["status"] for n in report["notes"]} >= {"carried", "generated"}
    assert not [p for p in report["problems"] if p["severity"] == "error"]


def test_convert_to_stdout() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "convert", TRACE_CHAIN, "--to", "backtrace"],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["annotations"]["error"]["cause"]["name"] == "KeyError"
    assert b"rollbar -> backtrace" in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["convert", "{bad}", "--to", "rollbar"],
        ["diff", "{bad}", PY_EXC],
        ["redact", "{bad}"],
        ["export", "{bad}", "--as", "html"],
    ],
)
def test_bad_input_exits_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": "world"}')
    assert main([c.replace("{bad}", str(bad)) for c in command]) == 2
    err = capsys.readouterr().err
    assert "not recognized" in err and "Traceback" not in err


def test_diff_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", PY_EXC, PY_EXC]) == 0
    assert main(["diff", PY_EXC, PY_MSG]) == 1
    assert "Frames" in capsys.readouterr().out
    assert main(["diff", PY_EXC, PY_MSG, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["identical"] is False and data["frames"]["rows"]


def test_redact_preview_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    assert main(["redact", ROLLBAR_HTTP, "--preview", "-o", str(out)]) == 0
    assert "X-Rollbar-Access-Token" in capsys.readouterr().out
    assert not out.exists()
    assert main(["redact", ROLLBAR_HTTP, "--preview", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["applied"] is False and {c["where"] for c in data["changes"]} >= {"json", "header"}


def test_redact_writes_a_valid_redacted_file(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"fields": ["host"]}))
    assert main(["redact", ROLLBAR_HTTP, "-o", str(out), "--rules", str(rules)]) == 0
    text = out.read_text()
    assert "aaaabbbbccccddddeeeeffff00001111" not in text and "alice@example.com" not in text
    assert not has_errors(validate(load_path(str(out))))


def test_redact_bad_rules_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text('{"patterns": [{"regex": "(["}]}')
    assert main(["redact", ROLLBAR_HTTP, "--rules", str(rules)]) == 2
    assert "not a valid regular expression" in capsys.readouterr().err


def test_export_markdown_html_bundle(tmp_path: Path) -> None:
    md, page, zipped = tmp_path / "s.md", tmp_path / "s.html", tmp_path / "b.zip"
    assert main(["export", PY_EXC, "--as", "markdown", "-o", str(md)]) == 0
    assert main(["export", PY_EXC, "--as", "html", "-o", str(page)]) == 0
    assert main(["export", PY_EXC, "--as", "bundle", "-o", str(zipped)]) == 0
    assert "KeyError" in md.read_text() and page.read_text().startswith("<!DOCTYPE html>")
    with zipfile.ZipFile(zipped) as zf:
        assert "payload.json" in zf.namelist()


def test_export_to_an_unwritable_place_exits_2(tmp_path: Path) -> None:
    assert main(["export", PY_EXC, "--as", "html", "-o", str(tmp_path / "no" / "such" / "dir.html")]) == 2
