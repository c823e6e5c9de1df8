"""``crash-inspector show --stack [--symbols ...]`` run as a user runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import CORPUS, corpus_files

DUMPS = CORPUS / "minidump"
SYMBOLS = CORPUS / "symbols"


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "inspector.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=full,
        check=False,
    )


def test_json_stack_with_symbols_matches_the_reference() -> None:
    dump = DUMPS / "rust-minidump_macos-x64_segv.dmp"
    run = _run("show", str(dump), "--json", "--stack", "--symbols", str(SYMBOLS))
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    report = data["reports"][0]
    assert {"kind", "exceptions", "threads", "frames", "binaries"} <= set(report)  # the old keys stay
    stack = report["stack"]
    expected = json.loads((DUMPS / "expected" / "rust-minidump_macos-x64_segv.json").read_text())
    frames = expected["crashing_thread"]["frames"]
    assert len(stack) == len(frames)
    for ours, theirs in zip(stack, frames, strict=True):
        assert set(ours) == {
            "module",
            "module_offset",
            "address",
            "function",
            "function_offset",
            "file",
            "line",
            "trust",
            "inlines",
            "missing_symbols",
        }
        for key in (
            "module",
            "module_offset",
            "function",
            "function_offset",
            "file",
            "line",
            "trust",
            "missing_symbols",
        ):
            assert ours[key] == theirs.get(key), key
        assert ours["address"] == theirs["offset"]
        assert ours["inlines"] == (theirs.get("inlines") or [])


def test_symbols_from_the_environment_and_human_lines() -> None:
    dump = DUMPS / "breakpad_windows-x86_minidump2.dmp"
    run = _run("show", str(dump), "--stack", env={"CRASH_INSPECTOR_SYMBOLS": str(SYMBOLS)})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    start = lines.index("Crashed thread stack:")
    assert lines[start + 1 : start + 9] == [
        " 0  test_app.exe!`anonymous namespace'::CrashFunction [test_app.cc : 58 + 0x3]",
        "    Found by: given as instruction pointer in context",
        " 1  test_app.exe!main [test_app.cc : 65 + 0x4]",
        "    Found by: call frame info",
        " 2  test_app.exe!__tmainCRTStartup [crt0.c : 327 + 0x11]",
        "    Found by: call frame info",
        " 3  kernel32.dll + 0x16fd6  (no symbols)",
        "    Found by: call frame info",
    ]


def test_summary_shows_module_and_offset_without_symbols() -> None:
    run = _run("show", str(DUMPS / "breakpad_windows_write-access-violation.dmp"))
    assert run.returncode == 0
    assert "    #0   ?  crashme.exe+0x1097  (context)" in run.stdout
    assert "    #1   ?  kernel32.dll+0x13676  (frame_pointer)" in run.stdout


def test_stack_on_other_formats_and_missing_symbol_folders(tmp_path: Path) -> None:
    payload = next(p for p in corpus_files("rollbar") if p.suffix == ".json")
    run = _run("show", str(payload), "--json", "--stack", "--symbols", str(tmp_path / "nowhere"))
    assert run.returncode == 0, run.stderr
    assert all(r["stack"] == [] for r in json.loads(run.stdout)["reports"])
    run = _run(
        "show", str(DUMPS / "rust-minidump_linux-mini.dmp"), "--json", "--stack", "--symbols", str(tmp_path / "nowhere")
    )
    stack = json.loads(run.stdout)["reports"][0]["stack"]
    assert stack and all(f["missing_symbols"] for f in stack)


def test_damaged_dump_with_stack_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "cut.dmp"
    bad.write_bytes((DUMPS / "breakpad_windows-x86_minidump2.dmp").read_bytes()[:20])
    run = _run("show", str(bad), "--json", "--stack")
    assert run.returncode == 2 and "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    for name in ("rust-minidump_MALFORMED_invalid-range.dmp", "rust-minidump_MALFORMED_invalid-record-count.dmp"):
        run = _run("show", str(DUMPS / name), "--json", "--stack", "--symbols", str(SYMBOLS))
        assert run.returncode in (0, 2) and "Traceback" not in run.stderr


def test_symbol_paths_from_preferences() -> None:
    """The settings file the Preferences dialog writes (``symbol_paths``) is read by the CLI too."""
    from inspector import settings

    current = settings.load_settings()
    current.symbol_paths = [str(SYMBOLS)]
    settings.save_settings(current)
    env = {
        k: os.environ[k]
        for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "CRASH_INSPECTOR_HOME")
        if k in os.environ
    }
    run = _run("show", str(DUMPS / "breakpad_windows-x86_minidump2.dmp"), "--json", "--stack", env=env)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["reports"][0]["stack"][1]["function"] == "main"
