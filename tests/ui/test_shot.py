"""`crash-inspector shot`: the real window rendered offscreen to a PNG, for every view; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from inspector.cli import VIEWS, main
from inspector.ui.document import raw_view
from tests.conftest import CORPUS

# The shot shows its window (off screen: the trees size their columns on show); the offscreen platform says so.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

PAYLOADS = {
    "rollbar": CORPUS / "rollbar" / "rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json",
    "backtrace": CORPUS / "backtrace" / "backtrace-node-0.8.3_exception_multipart_breadcrumbs.request.http",
    "appcenter": CORPUS / "appcenter" / "docs_appleError_threads_binaries.json",
    "minidump": CORPUS / "minidump" / "rust-minidump_macos-x64_segv.dmp",
    "apple": CORPUS / "apple" / "rollbar-apple_ios-simulator_swift-index-out-of-range.crash",
}


@pytest.fixture(autouse=True)
def _restore_raw_view_factory(monkeypatch) -> None:
    """Panels installed by the window may swap the raw view factory; keep that change inside the test."""
    monkeypatch.setattr(raw_view, "_factory", raw_view._factory)


def assert_real_png(path: Path, size: tuple[int, int]) -> None:
    assert path.is_file() and path.stat().st_size > 5000
    image = QImage(str(path))
    assert not image.isNull()
    assert (image.width(), image.height()) == size
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)}
    assert len(colours) > 3  # text and widgets, not a blank canvas


@pytest.mark.parametrize("view", VIEWS)
def test_shot_writes_a_png_for_every_view(qapp, tmp_path: Path, view: str, capsys) -> None:
    out = tmp_path / f"{view}.png"
    code = main(["shot", str(PAYLOADS["rollbar"]), "--view", view, "--out", str(out), "--size", "1000x700"])
    assert code == 0
    assert_real_png(out, (1000, 700))


@pytest.mark.parametrize("vendor", sorted(PAYLOADS))
def test_shot_every_vendor(qapp, tmp_path: Path, vendor: str) -> None:
    out = tmp_path / f"{vendor}.png"
    assert main(["shot", str(PAYLOADS[vendor]), "--view", "frames", "--out", str(out)]) == 0
    assert_real_png(out, (1280, 800))


def test_shot_unreadable_file_is_one_clear_line(qapp, tmp_path: Path, capsys) -> None:
    out = tmp_path / "x.png"
    code = main(["shot", str(tmp_path / "missing.json"), "--view", "summary", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "missing.json" in err and "Traceback" not in err
    assert not out.exists()


def test_shot_invalid_json_names_line_and_column(qapp, tmp_path: Path, capsys) -> None:
    bad = CORPUS / "appcenter" / "docs_handledError_nested-innerExceptions_INVALID-JSON-trailing-commas.json"
    assert main(["shot", str(bad), "--view", "raw", "--out", str(tmp_path / "x.png")]) == 2
    assert "line" in capsys.readouterr().err


def test_shot_unknown_panel_is_an_error(qapp, tmp_path: Path, capsys) -> None:
    code = main(
        ["shot", str(PAYLOADS["rollbar"]), "--view", "summary", "--panel", "nope", "--out", str(tmp_path / "x.png")]
    )
    assert code == 2
    assert "nope" in capsys.readouterr().err


#: The console command as a process runs it (``main()`` reads the process's own command line), with an exit
#: handler that leaves a mark: the shot of the process's own command line ends the process itself once the picture
#: is written; the exit handlers must still run and the output reach the pipe.
COMMAND_LINE = r"""
import atexit, sys
mark = sys.argv.pop()
atexit.register(lambda: open(mark, "w").write("ran"))
from inspector.cli.main import main
sys.exit(main())
"""


def test_shot_as_a_command_writes_everything_before_the_process_ends(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    out, mark = tmp_path / "deep" / "x.png", tmp_path / "mark"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout is a buffered pipe
    env.update(QT_QPA_PLATFORM="offscreen", **{h: str(tmp_path / h) for h in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")})
    argv = ["shot", str(PAYLOADS["appcenter"]), "--out", str(out), "--size", "900x600", str(mark)]
    done = subprocess.run(
        [sys.executable, "-c", COMMAND_LINE, *argv], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == f"{out}\n"
    assert mark.read_text() == "ran"
    assert_real_png(out, (900, 600))


#: As above, with a big document's validation that never ends unless cancelled, started at once (as when a slow
#: shot passes the 300 ms before the first validation): the shot must stop it and end, not wait for it.
ENDLESS_VALIDATION = r"""
import sys, time
from inspector.formats.base import check_cancelled
from inspector.services import document_text
from inspector.ui.document import open_document
def endless(submission, text):
    sys.stderr.write("validating\n"); sys.stderr.flush()
    while True:
        check_cancelled()
        time.sleep(0.01)
open_document.BIG_DOCUMENT = 0
open_document.FIRST_VALIDATION_DELAY_MS = 0
open_document._validate_job = endless
from inspector.cli.main import main
sys.exit(main())
"""


def test_shot_as_a_command_stops_a_validation_still_running(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    out = tmp_path / "x.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.update({h: str(tmp_path / h) for h in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")})
    argv = ["shot", str(PAYLOADS["appcenter"]), "--out", str(out), "--size", "900x600"]
    done = subprocess.run(  # the timeout only guards against a hang (the failure this test is for)
        [sys.executable, "-c", ENDLESS_VALIDATION, *argv], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "validating" in done.stderr  # the validation had started
    assert done.stdout == f"{out}\n"
    assert_real_png(out, (900, 600))
