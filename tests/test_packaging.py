"""The frozen Linux build: PyInstaller bundle within size, and its --self-test passes offscreen.

This is the check that catches missing data files and hidden imports. It takes ~1-2 minutes, so it is marked slow;
.ci/run runs it (the default pytest run includes slow tests). Set CRASH_INSPECTOR_SKIP_FROZEN=1 to skip locally.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_LIMIT_MB = 150

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the CI machine builds the Linux bundle"),
    pytest.mark.skipif(os.environ.get("CRASH_INSPECTOR_SKIP_FROZEN") == "1", reason="CRASH_INSPECTOR_SKIP_FROZEN=1"),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("work")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(ROOT / "packaging" / "crash-inspector.spec"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return dist / "crash-inspector"


def test_bundle_size(bundle: Path) -> None:
    # PyInstaller links some libraries into two places: count each file once (symlinks are not copies).
    size = sum(f.lstat().st_size for f in bundle.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"frozen bundle: {size / 2**20:.1f} MB")
    assert size <= BUNDLE_LIMIT_MB * 2**20, f"bundle is {size / 2**20:.1f} MB, limit {BUNDLE_LIMIT_MB} MB"


def test_frozen_self_test(bundle: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    proc = subprocess.run(
        [str(bundle / "crash-inspector"), "--self-test"], env=env, capture_output=True, text=True, timeout=300
    )
    print(f"frozen --self-test: {time.perf_counter() - start:.2f} s")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr


def test_frozen_headless_commands(bundle: Path) -> None:
    corpus = ROOT / "tests" / "corpus"
    for path in (
        corpus / "rollbar" / "pyrollbar-1.5.0_trace.request.http",
        corpus / "minidump" / "breakpad_linux_null-dereference.dmp",
    ):
        proc = subprocess.run(
            [str(bundle / "crash-inspector"), "show", "--json", str(path)], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert '"reports"' in proc.stdout


def test_frozen_second_start_hands_its_files_to_the_running_window(bundle: Path) -> None:
    """The installers' app is single-instance too (QtNetwork is in the bundle): a second start exits at once."""
    import uuid

    corpus = ROOT / "tests" / "corpus"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CRASH_INSPECTOR_INSTANCE=f"ci-frozen-{uuid.uuid4().hex[:12]}")
    first = subprocess.Popen(
        [str(bundle / "crash-inspector"), str(corpus / "rollbar" / "pyrollbar-1.5.0_trace.request.http")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        while not any("later starts hand their files" in line for line in lines):
            line = first.stderr.readline()
            assert line, "the first start ended before listening:\n" + "".join(lines)
            lines.append(line)
        second = subprocess.run(
            [str(bundle / "crash-inspector"), str(corpus / "minidump" / "breakpad_linux_null-dereference.dmp")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 0, second.stderr[-3000:]
        assert "opened 1 file(s) in the running Crash Inspector" in second.stderr
    finally:
        first.kill()
        first.wait()
