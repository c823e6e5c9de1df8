"""The command line is a public contract: every command, flag and choice that existed keeps existing.

``contract_before.json`` was read (by :mod:`help_contract`) from the ``--help`` texts of ``crash-inspector`` as
it was before the CLI became a package; the test reads the same out of a real subprocess now. New commands,
flags and choices may appear (extend, never break); none may go.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.help_contract import command, commands

BEFORE = json.loads((Path(__file__).with_name("contract_before.json")).read_text())
ENV = {**os.environ, "COLUMNS": "200", "QT_QPA_PLATFORM": "offscreen"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inspector", *args], capture_output=True, text=True, env=ENV, timeout=120
    )


def test_every_command_is_still_listed() -> None:
    proc = _run("--help")
    assert proc.returncode == 0, proc.stderr
    now = commands(proc.stdout)
    assert len(now) >= 11
    assert [c for c in BEFORE["commands"] if c not in now] == []
    assert set(BEFORE["top"]) <= set(command(proc.stdout)["flags"])


@pytest.mark.parametrize("name", sorted(BEFORE["commands"]))
def test_every_flag_choice_and_positional_is_kept(name: str) -> None:
    proc = _run(name, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    now = command(proc.stdout)
    before = BEFORE["commands"][name]
    assert now["positionals"] == before["positionals"]
    for flag, choices in before["flags"].items():
        assert flag in now["flags"], f"{name}: {flag} is gone"
        if choices is not None:
            assert set(choices) <= set(now["flags"][flag] or []), f"{name} {flag}: a choice is gone"


def test_the_reader_finds_what_it_should() -> None:
    """The reader itself: a flag that is not in the help is not found, choices are read."""
    text = "usage: x [-h] [--to {a,b}]\n\noptions:\n  -h, --help  help\n  --to {a,b}  where\n  -o OUT, --out OUT\n"
    assert command(text) == {
        "flags": {"-h": None, "--help": None, "--to": ["a", "b"], "-o": None, "--out": None},
        "positionals": [],
    }


def test_exit_codes_and_one_line_errors(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    proc = _run("validate", str(missing))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr + proc.stdout
    proc = _run("show", str(missing))
    assert proc.returncode == 2 and proc.stderr.startswith("crash-inspector: ") and proc.stderr.count("\n") == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"uuid": 1}')
    proc = _run("convert", str(bad), "--to", "nowhere")
    assert proc.returncode == 2  # argparse: an unknown choice
    proc = _run("shot", str(missing), "--out", str(tmp_path / "x.png"), "--size", "wide")
    assert proc.returncode == 2 and proc.stderr == "crash-inspector shot: --size must look like 1280x800, not 'wide'\n"
    assert _run("--version").stdout.startswith("crash-inspector ")


def test_both_module_entry_points_run() -> None:
    for module in ("inspector", "inspector.cli"):
        proc = subprocess.run(
            [sys.executable, "-m", module, "--version"], capture_output=True, text=True, env=ENV, timeout=120
        )
        assert proc.returncode == 0 and proc.stdout.startswith("crash-inspector "), (module, proc.stderr)
