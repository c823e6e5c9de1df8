"""``crash-inspector receive``: --help documents every flag; the start prints the emulated endpoints."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

from inspector.cli import build_parser


def _receive_parser() -> argparse.ArgumentParser:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices["receive"]
    raise AssertionError("no receive command")


def test_every_receive_flag_is_documented() -> None:
    parser = _receive_parser()
    flags = [a for a in parser._actions if a.option_strings and "-h" not in a.option_strings]
    assert {f.option_strings[0] for f in flags} >= {"--host", "--port", "--store", "--strict", "--max-body", "--json"}
    assert [f.option_strings[0] for f in flags if not (f.help or "").strip()] == []
    text = parser.format_help()
    assert "listening on" in text and "default 8000" in text


def test_the_start_prints_the_emulated_endpoints(tmp_path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "inspector", "receive", "--port", "0", "--store", str(tmp_path / "inbox")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline()
        assert first.startswith("listening on http://127.0.0.1:"), first
        url = first.split()[-1].rstrip("/")
        lines = []
        while not lines or not lines[-1].startswith("storing requests"):
            line = proc.stderr.readline()
            assert line, "stderr ended before the endpoints were printed"
            lines.append(line.rstrip("\n"))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    text = "\n".join(lines)
    assert f"POST {url}/api/1/item/" in text
    assert f"POST {url}/logs?api-version=1.0.0" in text
    assert f"POST {url}/post?format=json&token=T" in text
