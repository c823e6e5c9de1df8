"""Open a payload to the first painted frames view, against ``json.loads`` and ``orjson.loads`` of the same bytes.

    python bench/bench_open.py [--quick] [--json]

"headless" = load_bytes + reports() + the frames stacks (what the models read); "window" = that plus the
OpenDocument, the DocumentView with every model and the first paint of the frames view (offscreen Qt).
Also: filtering the million frames of the App Center batch by substring, to the first result and to the end.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import json

import orjson
from bench_common import Row, corpus_json, emit, interleaved, limit_row, parse_args, payload, ratio_row

from inspector.formats import load_bytes, reports
from inspector.formats.jsondoc import parse_json


def headless_open(data: bytes, name: str) -> object:
    sub = load_bytes(data, source_name=name)
    out = reports(sub)
    for report in out[:1]:  # the first report is what the window shows first
        for stack in list(report.exceptions) + list(report.threads):
            len(stack.frames)
            if len(stack.frames):
                stack.frames[0]
    return out


def window_open(app: object, data: bytes, name: str) -> Opened:
    from inspector.ui.document.document_view import DocumentView
    from inspector.ui.document.open_document import OpenDocument

    doc = OpenDocument(load_bytes(data, source_name=name))
    if doc.reports:  # what the app's loading worker does (main_window.load_document), here on this thread
        from inspector.ui.document.models.frame_text import exception_stacks, thread_stacks

        report = doc.reports[0]
        doc.prepared_stacks = (report, exception_stacks(report), thread_stacks(report))
    view = DocumentView(doc)
    view.resize(1100, 700)
    view.show_view("frames")
    view.trees()["frames"].grab()  # paint the frames view once
    app.processEvents()  # type: ignore[attr-defined]
    return Opened(doc, view)


class Opened:
    """What :func:`window_open` made; dropping it (``best_of`` does, after the timing) deletes the view and the
    document. processEvents() outside an event loop never runs deleteLater(): every view and document of the runs
    stayed alive, and a big document's first validation (a timer 300 ms after opening) fired during a later
    measurement and validated 100 MB on a worker thread meanwhile."""

    def __init__(self, doc: object, view: object) -> None:
        self.objects = (view, doc)

    def __del__(self) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent

        for obj in self.objects:
            obj.deleteLater()  # type: ignore[attr-defined]
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def bench_payload(label: str, data: bytes, name: str, n: int, app: object | None) -> list[Row]:
    fns = {
        "json": lambda: json.loads(data),
        "orjson": lambda: orjson.loads(data),
        "parse_json": lambda: parse_json(data),
        "headless": lambda: headless_open(data, name),
    }
    if app is not None:
        fns["window"] = lambda: window_open(app, data, name)
    best = interleaved(fns, n)
    size = f"{len(data) / 2**20:.1f} MB"
    rows = [
        ratio_row("open", f"{label} parse_json ({size})", best["parse_json"], best["orjson"], "orjson.loads", 1.5),
        ratio_row("open", f"{label} headless open", best["headless"], best["json"], "json.loads", 1.0),
        ratio_row("open", f"{label} headless open", best["headless"], best["orjson"], "orjson.loads", 1.5),
    ]
    if app is not None:
        rows.append(ratio_row("open", f"{label} window open+paint", best["window"], best["json"], "json.loads", 1.0))
        window = f"{label} window open+paint"
        rows.append(ratio_row("open", window, best["window"], best["orjson"], "orjson.loads", 1.5))
    return rows


def bench_corpus(n: int) -> list[Row]:
    files = [(p.name, p.read_bytes()) for p in corpus_json()]

    def ours() -> None:
        for name, data in files:
            try:
                headless_open(data, name)
            except Exception:
                pass

    def stdlib() -> None:
        for _, data in files:
            try:
                json.loads(data)
            except ValueError:
                pass

    best = interleaved({"ours": ours, "json": stdlib}, n)
    what = f"corpus: {len(files)} JSON files headless"
    return [ratio_row("open", what, best["ours"], best["json"], "json.loads", 1.0)]


def bench_filter(data: bytes, n: int) -> list[Row]:
    """Filter every frame of the App Center batch: first result and the whole scan."""
    from inspector.report import LazyList
    from inspector.ui.document.models.frame_text import exception_stacks, thread_stacks
    from inspector.ui.document.view_filter import compute_filter

    out = reports(load_bytes(data))
    stacks = [(exception_stacks(r), thread_stacks(r)) for r in out]
    frames = sum(r.frame_count for r in out)
    needle = "handle999"

    def first_result() -> int | None:
        for ex, th in stacks:
            for stack in list(ex) + list(th):
                rows = stack.frames
                if isinstance(rows, LazyList):
                    for i in range(len(rows)):
                        if needle in rows.text(i).lower():
                            return i
        return None

    def whole() -> None:  # the index of every frame list is ready (made by an earlier filter): each keystroke
        for ex, th in stacks:
            compute_filter(ex, th, [], [], needle)

    def first_whole() -> None:  # the first filter of a document: builds every list's search index
        for ex, th in stacks:
            for stack in list(ex) + list(th):
                if isinstance(stack.frames, LazyList):
                    stack.frames.search_cache = None
        whole()

    def row_by_row() -> int:  # the scan before the search index: every row's text made and searched each time
        return sum(
            len(rows.matching(needle))
            for ex, th in stacks
            for st in list(ex) + list(th)
            if isinstance(rows := st.frames, LazyList)
        )

    def baseline() -> int:  # a plain substring test over a prepared list of strings: the floor
        return sum(1 for t in texts if needle in t)

    texts = [f"handle{i % 1000} Service{i % 13}.java io.bench.module{i % 97}" for i in range(frames)]
    best = interleaved(
        {"first": first_result, "build": first_whole, "whole": whole, "rows": row_by_row, "floor": baseline}, n
    )
    return [
        limit_row("filter", f"{frames:,} frames: first result", best["first"] * 1000, 200),
        limit_row(
            "filter",
            f"{frames:,} frames: whole filter",
            best["whole"] * 1000,
            500,
            note=(
                f"search index ready; vs 'in' over {frames:,} ready strings {best['floor'] * 1000:.0f} ms = "
                f"{best['whole'] / best['floor']:.1f}x; runs on a worker, debounced"
            ),
        ),
        ratio_row(
            "filter",
            f"{frames:,} frames: first whole filter (builds the index)",
            best["build"],
            best["rows"],
            "row-by-row scan",
            1.0,
        ),
    ]


def bench_shapes(quick: bool, n: int, app: object | None) -> list[Row]:
    """parse_json on each payload shape of ``generate.py --shapes`` against json.loads and orjson.loads; for the
    wide Rollbar item (issue 18's 58 MB item) also the time to its first tree (window open + paint)."""
    from bench_common import shapes_dir

    folder = shapes_dir(quick)
    rows: list[Row] = []
    for path in sorted(folder.glob("*.json")):
        data = path.read_bytes()
        fns = {
            "json": lambda data=data: json.loads(data),
            "orjson": lambda data=data: orjson.loads(data),
            "ours": lambda data=data: parse_json(data),
        }
        window = app is not None and path.stem == "wide-custom"
        if window:
            fns["window"] = lambda data=data, name=path.name: window_open(app, data, name)
        best = interleaved(fns, n)
        what = f"shape {path.stem} parse_json ({len(data) / 2**20:.1f} MB)"
        rows.append(ratio_row("open", what, best["ours"], best["json"], "json.loads", 1.0))
        rows.append(ratio_row("open", what, best["ours"], best["orjson"], "orjson.loads", 1.5))
        if window:
            what = f"rollbar wide item ({len(data) / 2**20:.0f} MB): first tree"
            rows.append(
                ratio_row(
                    "open",
                    what,
                    best["window"],
                    best["json"],
                    "json.loads",
                    1.0,
                    note="window open + paint of the frames view (OpenDocument, DocumentView, offscreen)",
                )
            )
    return rows


def main() -> int:
    quick, as_json = parse_args()
    n = 2 if quick else 3
    app = None
    try:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
    except ImportError:
        pass
    rows: list[Row] = []
    for label in ("backtrace", "appcenter", "rollbar"):
        path = payload(label, quick)
        data = path.read_bytes()
        orjson.loads(data)  # warm the allocator once
        rows += bench_payload(label, data, path.name, n, app)
    rows += bench_shapes(quick, n, app)
    rows += bench_corpus(n * 3)
    rows += bench_filter(payload("appcenter", quick).read_bytes(), n)
    emit(rows, as_json)
    return 0


if __name__ == "__main__":
    start = time.perf_counter()
    sys.exit(main())
