"""One place that finds files of the top-level ``resources/`` folder, in a checkout, a wheel or a frozen app."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """The resources folder: PyInstaller's bundle dir, the checkout's ``resources/``, or the installed copy."""
    frozen = getattr(sys, "_MEIPASS", None)
    candidates = []
    if frozen:
        candidates.append(Path(frozen) / "resources")
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    candidates.append(Path(__file__).resolve().parent / "_resources")
    for candidate in candidates:
        if (candidate / "schemas").is_dir():
            return candidate
    return candidates[-1]


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
