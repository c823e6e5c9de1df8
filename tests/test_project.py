"""Project-wide guards: the layering contract, lint, packaging metadata."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_only_ui_imports_qt() -> None:
    """import-linter contracts in pyproject.toml: formats/report/net never import PySide6 or inspector.ui."""
    proc = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_core_imports_without_qt() -> None:
    """The headless commands work in a process where PySide6 cannot be imported."""
    code = (
        "import sys; sys.modules['PySide6'] = None; sys.modules['shiboken6'] = None\n"
        "import inspector.formats, inspector.report, inspector.cli, inspector.net\n"
        "from inspector.formats import FORMAT_NAMES, get_format\n"
        "[get_format(n) for n in FORMAT_NAMES]\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_ruff_clean() -> None:
    proc = subprocess.run(
        [str(BIN / "ruff"), "check", "inspector", "tests", "bench", "packaging"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_ruff_format_clean() -> None:
    """The whole tree is as ``ruff format`` writes it (CONTRIBUTING.md: run it on the files you touch)."""
    proc = subprocess.run(
        [str(BIN / "ruff"), "format", "--check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_pyside_pin_for_python_311() -> None:
    """PySide6 6.12.0 aborts on Python 3.11 (None refcount); the dependency must be pinned below 6.12 there."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pinned = [d for d in deps if d.startswith("PySide6-Essentials") and "python_version < '3.12'" in d]
    assert pinned and "<6.12" in pinned[0]
