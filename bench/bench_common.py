"""Shared helpers of the benchmarks: rows of the table, best-of timing, the payload files, child processes.

Every ``bench_*.py`` can run alone (``python bench/bench_open.py [--quick]``) and prints its rows; ``--json``
prints them as one JSON line for :mod:`run` to collect. Each row is a measurement, its baseline measured in the
same process (or the same run), the ratio and the goal.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
QUICK_DATA = ROOT / "bench" / "data" / "quick"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAYLOADS = {
    "appcenter": "appcenter-batch-100mb.json",
    "backtrace": "backtrace-10k-threads.json",
    "rollbar": "rollbar-512kb-telemetry.json",
    "editor": "editor-20mb.json",
}


@dataclass(slots=True)
class Row:
    """One line of the table. ``unit`` of value/baseline: "s", "ms", "MB", "x" or "/s"."""

    bench: str
    what: str
    value: float
    baseline: float | None = None
    baseline_name: str = ""
    goal: str = ""
    ok: bool | None = None
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline


#: The environment variables that hold the app's platformdirs homes on Linux (settings, drafts, recent files, cache).
XDG_HOMES = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")


def app_homes(home: str) -> dict[str, str]:
    """Environment entries that give the app its own empty homes under ``home``: a benchmark neither restores the
    user's drafts (they would be measured with it) nor leaves its own behind."""
    return {name: os.path.join(home, name.lower()) for name in XDG_HOMES}


def data_dir(quick: bool) -> Path:
    """The payload folder; generated on first use (``--quick`` uses payloads at 1/20 of the size)."""
    folder = QUICK_DATA if quick else DATA
    missing = [name for name in PAYLOADS.values() if not (folder / name).exists()]
    if missing:
        cmd = [sys.executable, str(ROOT / "bench" / "generate.py"), "--out", str(folder)]
        if quick:
            cmd += ["--scale", "0.05"]
        subprocess.run(cmd, check=True)
    return folder


def payload(name: str, quick: bool) -> Path:
    return data_dir(quick) / PAYLOADS[name]


def shapes_dir(quick: bool) -> Path:
    """The payload shapes of ``generate.py --shapes`` (issue 18 item 1), generated on first use."""
    folder = data_dir(quick) / "shapes"
    if not (folder / "deep.json").exists():
        cmd = [sys.executable, str(ROOT / "bench" / "generate.py"), "--shapes", "--out", str(folder)]
        subprocess.run(cmd + (["--scale", "0.05"] if quick else []), check=True)
    return folder


def corpus_json() -> list[Path]:
    corpus = ROOT / "tests" / "corpus"
    return sorted(p for d in ("backtrace", "rollbar", "appcenter") for p in (corpus / d).glob("*.json"))


def best_of(fn: Callable[[], object], n: int) -> float:
    """The fastest of ``n`` runs, in seconds (garbage from the previous run collected outside the timing)."""
    best = float("inf")
    for _ in range(n):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
        del result
    return best


def interleaved(fns: dict[str, Callable[[], object]], n: int) -> dict[str, float]:
    """Best of ``n`` for each function, run in turns (a noisy machine hurts every contender alike)."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(n):
        for name, fn in fns.items():
            best[name] = min(best[name], best_of(fn, 1))
    return best


def emit(rows: list[Row], as_json: bool) -> None:
    if as_json:
        print("ROWS " + json.dumps([asdict(r) for r in rows]))
    else:
        print_table(rows)


def run_child(script: str, args: list[str], timeout: float) -> list[Row]:
    """Run ``bench/<script> --json args`` in a fresh interpreter and read its rows."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cmd = [sys.executable, str(ROOT / "bench" / script), "--json", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return [Row(script, "timed out", timeout, note=f"no answer within {timeout:.0f} s", ok=False)]
    for line in proc.stdout.splitlines():
        if line.startswith("ROWS "):
            return [Row(**r) for r in json.loads(line[5:])]
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return [Row(script, "failed", 0.0, note=f"exit {proc.returncode}: {tail[:100]}", ok=False)]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "/s":
        return f"{value:.0f}/s"
    return f"{value:.2f}{unit}"


def print_table(rows: list[Row]) -> None:
    head = f"{'bench':<9} {'measurement':<46} {'value':>10} {'baseline':>10} {'vs':<18} {'ratio':>7}  {'goal':<10} ok"
    print(head)
    print("-" * len(head))
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        ok = {True: "yes", False: "NO", None: ""}[r.ok]
        print(
            f"{r.bench:<9} {r.what[:46]:<46} {_fmt(r.value, r.unit):>10} {_fmt(r.baseline, r.unit):>10} "
            f"{r.baseline_name[:18]:<18} {ratio:>7}  {r.goal:<10} {ok}"
        )
        if r.note:
            print(f"{'':<9}   {r.note}")


def ratio_row(bench: str, what: str, value: float, baseline: float, name: str, goal: float, **kw: object) -> Row:
    row = Row(bench, what, value, baseline, name, f"<= {goal}x", **kw)  # type: ignore[arg-type]
    row.ok = row.ratio is not None and row.ratio <= goal
    return row


def limit_row(bench: str, what: str, value: float, limit: float, unit: str = "ms", **kw: object) -> Row:
    return Row(bench, what, value, None, "", f"<= {limit:g} {unit}", value <= limit, unit, **kw)  # type: ignore[arg-type]


def parse_args(argv: list[str] | None = None) -> tuple[bool, bool]:
    args = sys.argv[1:] if argv is None else argv
    return "--quick" in args, "--json" in args
