"""The type check: mypy on the packages listed in pyproject.toml's [tool.mypy], with no error (strict on every core
package; inspector.ui in normal mode, by its override block)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_packages_are_clean() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert config["strict"] is True and {"inspector.report", "inspector.formats"} <= set(config["packages"])
    proc = subprocess.run(
        [sys.executable, "-m", "mypy"],  # its cache: .mypy_cache (git-ignored)
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
