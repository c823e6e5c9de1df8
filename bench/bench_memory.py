"""Peak memory of opening a payload, above the idle app, against the file size (goal <= 3x).

    python bench/bench_memory.py [--quick] [--json]

Each payload is opened in a fresh interpreter: Qt application and every module imported first (the idle app),
then ru_maxrss is read before and after load_bytes + reports + the window's document and view.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import json

from bench_common import ROOT, Row, emit, parse_args, payload

CHILD = r"""
import os, sys, json, resource
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, ROOT)
from PySide6.QtWidgets import QApplication
app = QApplication([])
from inspector.formats import load_bytes, reports, FORMAT_NAMES, get_format
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.document.document_view import DocumentView
for n in FORMAT_NAMES:
    get_format(n)
mode, path = sys.argv[1], sys.argv[2]
idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data = open(path, "rb").read()
sub = load_bytes(data, source_name=os.path.basename(path))
out = reports(sub)
if mode == "window":
    view = DocumentView(OpenDocument(sub)); view.resize(1100, 700); view.show(); app.processEvents()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("MEM", json.dumps({"idle": idle * 1024, "peak": peak * 1024, "size": len(data)}))
"""


def measure(mode: str, path: str) -> dict[str, int] | None:
    code = CHILD.replace("ROOT", repr(str(ROOT)))
    proc = subprocess.run([sys.executable, "-c", code, mode, path], capture_output=True, text=True, timeout=900)
    for line in proc.stdout.splitlines():
        if line.startswith("MEM "):
            return json.loads(line[4:])
    return None


def main() -> int:
    quick, as_json = parse_args()
    rows: list[Row] = []
    for label in ("appcenter", "backtrace", "rollbar"):
        path = payload(label, quick)
        for mode in ("headless", "window"):
            got = measure(mode, str(path))
            if got is None:
                rows.append(Row("memory", f"{label} {mode}", 0, ok=False, note="child failed"))
                continue
            above = (got["peak"] - got["idle"]) / 2**20
            size = got["size"] / 2**20
            row = Row("memory", f"{label} {mode}: peak above idle", above, size, "file size", "<= 3x", unit="MB")
            row.ok = row.ratio is not None and row.ratio <= 3
            rows.append(row)
    emit(rows, as_json)
    return 0


if __name__ == "__main__":
    resource.setrlimit  # noqa: B018 - Linux/macOS only (ru_maxrss)
    sys.exit(main())
