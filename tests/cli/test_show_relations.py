"""``show`` introduces each link of the exception chain by the relation the report stores (issue 17's leftover):
"caused by" only for causes; a signal, an assertion, a recrash say so. Over real corpus files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.cli import main

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

CASES = [
    # (file, the line of the second link, as shown)
    ("apple/kscrash_NSException.txt", "      signal: EXC_CRASH (SIGABRT): 0x00000000 at 0x00000000"),
    (
        "apple/kscrash_CrashInHandler_recrash.txt",
        "    recrash: Handler crashed while reporting: EXC_BAD_ACCESS (SIGBUS)",
    ),
    ("minidump/rust-minidump_windows-x64_invalid-parameter.dmp", "      assertion: assertion (invalid parameter): "),
    ("minidump/breakpad_crashpad-annotations.dmp", "      caused by NSRangeException: "),
    (
        "appcenter/docs_managedError_android_innerExceptions.json",
        "      inner exception: ",
    ),
]


def _chain(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("  Exception chain:") + 1
    return [line for line in lines[start:] if line.startswith("    ")][:4]


@pytest.mark.parametrize(("name", "second"), CASES)
def test_each_link_says_its_relation(name: str, second: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(CORPUS / name)]) == 0
    chain = _chain(capsys.readouterr().out)
    assert len(chain) >= 2
    assert chain[1].startswith(second), chain
    assert not chain[0].lstrip().startswith(("caused by", "signal:", "recrash:", "assertion:"))
    if "caused by" not in second:
        assert not any("caused by" in line for line in chain), chain


def test_json_keys_are_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    """The relation is not added to the JSON: ``exceptions`` items keep exactly their keys (scripts compare them)."""
    assert main(["show", "--json", str(CORPUS / "apple/kscrash_NSException.txt")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [sorted(e) for e in data["reports"][0]["exceptions"]] == [["frames", "message", "type"]] * 2


def test_in_a_real_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "inspector", "show", str(CORPUS / "apple/kscrash_CrashInHandler_recrash.txt")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "    recrash: Handler crashed while reporting" in proc.stdout
