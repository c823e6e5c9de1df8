"""Cold start of the app's window against a bare PySide6 window (goal <= 1.3x), best of N fresh interpreters.

    python bench/bench_startup.py [--quick] [--json]

Both children import what they need, create the QApplication and a main window, show it offscreen, process
events once and exit; the time is wall clock around the child process.

The project's modules are compiled to bytecode (``compileall``, once, before any timing): an installed app (wheel,
frozen build) runs from ``.pyc`` files, and the PySide6 of the bare child is precompiled too. Without this, an
environment with ``PYTHONDONTWRITEBYTECODE=1`` would compile every module of ours from source in every child.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_common import ROOT, emit, parse_args, ratio_row

BARE = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1100, 700); w.show(); app.processEvents()
"""
APP = """
import sys; sys.path.insert(0, ROOT)
from inspector.ui.app import make_app
from inspector.ui.window.main_window import MainWindow
app = make_app([])
w = MainWindow(); w.resize(1100, 700); w.show(); app.processEvents()
"""


def cold(code: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, timeout=120)
    return time.perf_counter() - start


def main() -> int:
    quick, as_json = parse_args()
    compileall.compile_dir(str(ROOT / "inspector"), quiet=1)  # as installed: from bytecode (see the docstring)
    n = 3 if quick else 7
    app_code = APP.replace("ROOT", repr(str(ROOT)))
    bare, ours = float("inf"), float("inf")
    for _ in range(n):  # interleaved, best of n
        bare = min(bare, cold(BARE))
        ours = min(ours, cold(app_code))
    what = f"cold start, main window (best of {n})"
    emit([ratio_row("start", what, ours, bare, "bare PySide6 window", 1.3)], as_json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
