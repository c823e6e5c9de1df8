"""Peak memory of opening a payload, above the idle app, against the file size (goal <= 3x).

    python bench/bench_memory.py [--quick] [--json]

Two kinds of rows:

- ``<payload> headless`` / ``window``: the app process alone. Each payload is opened in a fresh interpreter: Qt
  application and every module imported first (the idle app), then ru_maxrss is read before and after
  load_bytes + reports (+ the window's document and view, until the document is validated).
- ``end to end``: memory as a user sees it. ``crash-inspector shot`` is run on the file (the whole app: loading,
  the window, the validation child if any) and the RSS of its process tree (the process and all its children,
  from /proc) is sampled every ~20 ms; the row is its peak minus the same for a 0.1 MB file of the same kind.

The App Center file is measured twice: as is (this machine's free memory: the document parses at full speed) and
with ``CRASH_INSPECTOR_MEMORY_AVAILABLE`` = 2 GB, where its estimated need is over a quarter of what is available and
its repeated values are shared while it is parsed (``jsondoc.interner_for``).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import json

from bench_common import ROOT, Row, app_homes, emit, parse_args, payload

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
del data
out = reports(sub)
if mode in ("window", "raw"):  # until validated (a big document is validated on the thread pool)
    import time
    if mode == "raw":  # the window's raw view: the editor's factory, as the compose panel installs it
        from inspector.ui.document import raw_view
        from inspector.ui.document.editor import create_editor
        raw_view.set_raw_view_factory(create_editor)
    doc = OpenDocument(sub, read_only=mode == "raw")  # the window opens a file read-only
    view = DocumentView(doc); view.resize(1100, 700); view.show(); app.processEvents()
    while doc.validating:
        app.processEvents(); time.sleep(0.01)
    if mode == "raw":  # the Raw view shown until its text is on screen, then scrolled through to the end
        view.show_view("raw"); app.processEvents()
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            app.processEvents(); time.sleep(0.01)
            shown = getattr(view.raw_view, "real", None) or view.raw_view
            if getattr(shown, "loaded", True):
                break
        inner = shown  # the scrolled widget: a text edit, or the big view's line view
        while not hasattr(inner, "verticalScrollBar"):
            inner = getattr(inner, "view", None) or getattr(inner, "edit")
        bar = inner.verticalScrollBar()
        for step in range(11):
            bar.setValue(bar.maximum() * step // 10); inner.viewport().repaint(); app.processEvents()
        raw_view_type = type(inner).__name__
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("MEM", json.dumps({"idle": idle * 1024, "peak": peak * 1024, "size": os.path.getsize(path),
                         "view": globals().get("raw_view_type", "")}))
"""

#: Sampling period of the process tree's RSS (seconds).
SAMPLE_S = 0.02
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


#: What the "memory short" rows tell the app is available (CRASH_INSPECTOR_MEMORY_AVAILABLE): a document whose
#: estimated need is over a quarter of it has its repeated values shared while parsed (jsondoc.interner_for).
SHORT_BYTES = 2 * 2**30
SHORT = {"CRASH_INSPECTOR_MEMORY_AVAILABLE": str(SHORT_BYTES)}


def measure(mode: str, path: str, extra_env: dict[str, str] | None = None) -> dict | None:
    code = CHILD.replace("ROOT", repr(str(ROOT)))
    env = {**os.environ, **(extra_env or {})}
    proc = subprocess.run(
        [sys.executable, "-c", code, mode, path], capture_output=True, text=True, timeout=900, env=env
    )
    for line in proc.stdout.splitlines():
        if line.startswith("MEM "):
            return json.loads(line[4:])
    return None


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc/<pid>/stat (field 4)."""
    out: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        out.setdefault(int(fields[1]), []).append(int(name))
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def tree_peak(
    command: list[str], home: str, timeout: float = 900.0, extra_env: dict[str, str] | None = None
) -> tuple[int, int, float]:
    """Run ``command``; the peak of the summed RSS of it and its descendants, the most processes seen at once, and
    the wall time. The app's homes (settings, drafts, recent files) are in ``home``: the user's drafts would be
    restored by the window and measured with it."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(extra_env or {}))
    env.update(app_homes(home))
    start = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = processes = 0
    try:
        while proc.poll() is None:
            if time.monotonic() - start > timeout:
                proc.kill()
                break
            tree = [proc.pid]
            links = _children()
            for pid in tree:  # grows while walked: breadth first
                tree.extend(links.get(pid, []))
            peak = max(peak, sum(_rss(pid) for pid in tree))
            processes = max(processes, len(tree))
            time.sleep(SAMPLE_S)
    finally:
        proc.wait()
    return peak, processes, time.monotonic() - start


def _small_twin(label: str, folder: Path) -> Path:
    """A 0.1 MB file of the same kind (generate.py at scale 0.001)."""
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--out", str(folder), "--scale", "0.001"],
        check=True,
        capture_output=True,
    )
    return payload_in(folder, label)


def payload_in(folder: Path, label: str) -> Path:
    from bench_common import PAYLOADS

    return folder / PAYLOADS[label]


def end_to_end(
    label: str, quick: bool, extra_env: dict[str, str] | None = None, what: str = "", view: str | None = None
) -> Row:
    path = payload(label, quick)
    shot = [sys.executable, "-c", "import sys; from inspector.cli.main import main; sys.exit(main())"]
    view_args = [] if view is None else ["--view", view]  # ``raw``: the Raw view's text made and painted
    if view is not None:
        what = f"{what}, {view} view"
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        small = _small_twin(label, Path(tmp) / "small")
        picture = os.path.join(tmp, "shot.png")
        idle, _, _ = tree_peak([*shot, "shot", str(small), "--out", picture, *view_args], tmp, extra_env=extra_env)
        peak, processes, took = tree_peak(
            [*shot, "shot", str(path), "--out", picture, *view_args], tmp, extra_env=extra_env
        )
    size = os.path.getsize(path)
    above = (peak - idle) / 2**20
    row = Row(
        "memory",
        f"{label} end to end{what} (shot, process tree): peak above 0.1 MB",
        above,
        size / 2**20,
        "file size",
        "<= 3x",
        unit="MB",
        note=f"tree peak {peak / 2**20:.0f} MB, 0.1 MB file {idle / 2**20:.0f} MB, "
        f"up to {processes} processes, {took:.1f} s",
    )
    row.ok = row.ratio is not None and row.ratio <= 3
    return row


def main() -> int:
    quick, as_json = parse_args()
    rows: list[Row] = []
    from bench_common import shapes_dir

    # every row a big document: the 58 MB wide Rollbar item (issue 18's), not the 0.5 MB one (Qt's fixed costs)
    documents = [(label, payload(label, quick)) for label in ("appcenter", "backtrace")]
    documents.append(("rollbar wide item", shapes_dir(quick) / "wide-custom.json"))
    for label, path in documents:
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
    # The Raw view of the App Center batch shown (the window row plus the raw view's text, its index or widget)
    got = measure("raw", str(payload("appcenter", quick)))
    if got is None:
        rows.append(Row("memory", "appcenter window + Raw view", 0, ok=False, note="child failed"))
    else:
        above, size = (got["peak"] - got["idle"]) / 2**20, got["size"] / 2**20
        row = Row("memory", "appcenter window + Raw view shown: peak above idle", above, size, "file size", "<= 3x")
        row.unit, row.note = "MB", f"raw view: {got['view']}"
        row.ok = row.ratio is not None and row.ratio <= 3
        rows.append(row)
    # The same App Center file when memory is short (as on a machine with 2 GB free): its values are shared
    got = measure("headless", str(payload("appcenter", quick)), SHORT)
    if got is not None:
        above, size = (got["peak"] - got["idle"]) / 2**20, got["size"] / 2**20
        what = f"appcenter headless, {SHORT_BYTES >> 30} GB free: peak above idle"
        row = Row("memory", what, above, size, "file size", "<= 3x", unit="MB")
        row.ok = row.ratio is not None and row.ratio <= 3
        rows.append(row)
    if sys.platform.startswith("linux"):  # /proc
        for label in ("appcenter", "backtrace"):
            rows.append(end_to_end(label, quick))
        rows.append(end_to_end("appcenter", quick, view="raw"))
        rows.append(end_to_end("appcenter", quick, SHORT, f", {SHORT_BYTES >> 30} GB free"))
    emit(rows, as_json)
    return 0


if __name__ == "__main__":
    resource.setrlimit  # noqa: B018 - Linux/macOS only (ru_maxrss)
    sys.exit(main())
