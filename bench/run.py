"""One command for every benchmark: ``python bench/run.py [--quick]`` prints the table of ratios.

Each benchmark runs in its own interpreter (memory and Qt state do not leak between them); every ratio compares
with a baseline measured in the same run. ``--quick`` uses payloads at 1/20 of the size (a smoke run); the
numbers to record come from the full run. Payloads are generated on first use (bench/generate.py).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_common import ROOT, Row, print_table, run_child

BENCHES = (
    ("bench_open.py", 1800),
    ("bench_memory.py", 1200),
    ("bench_stall.py", 1200),
    ("bench_startup.py", 600),
    ("bench_send.py", 600),
    ("bench_lazy.py", 900),
    ("bench_uploads.py", 900),
    ("bench_stackwalk.py", 900),
    ("bench_linear.py", 600),
)


def machine() -> str:
    try:
        import PySide6

        pyside = PySide6.__version__
    except ImportError:
        pyside = "missing"
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {ram:.0f} GB RAM, "
        f"Python {platform.python_version()}, PySide6 {pyside}"
    )


def receiver_rows(quick: bool) -> list[Row]:
    """bench_receiver.py (the receiver engineer's) prints its own lines; its ratio and loss become rows."""
    script = ROOT / "bench" / "bench_receiver.py"
    if not script.exists():
        return [Row("receive", "bench_receiver.py not there yet", 0, note="skipped")]
    cmd = [sys.executable, str(script), "--requests", "300" if quick else "2000"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT).stdout
    except subprocess.TimeoutExpired:
        return [Row("receive", "bench_receiver.py timed out", 900, ok=False)]
    rates: dict[str, float] = {}
    summary = ""
    for line in out.splitlines():
        parts = line.split()
        # columns from the right: req/s, p50 ms, p99 ms, cpu ms/req
        if line.startswith(("baseline", "crash-inspector")) and len(parts) >= 8:
            rates["receiver" if line.startswith("crash-inspector") else "baseline"] = float(parts[-4])
        if line.startswith("receiver/baseline throughput:"):
            summary = line.strip()
    rows: list[Row] = []
    loss_match = re.search(r"not stored\): (\d+)", summary)
    pending_match = re.search(r"still pending: (\d+)", summary)
    if "receiver" in rates and "baseline" in rates and loss_match:
        loss = int(loss_match.group(1))
        pending = int(pending_match.group(1)) if pending_match else 0
        row = Row(
            "receive",
            f"receiver payloads/s (loss {loss}, pending {pending})",
            rates["receiver"],
            rates["baseline"],
            "bare aiohttp 200",
            "0 loss",
            unit="/s",
            note="throughput ratio is "
            "informative: the receiver parses, validates, redacts and fsyncs (group commit) before answering",
        )
        row.ok = loss == 0 and pending == 0
        rows.append(row)
    return rows or [Row("receive", "bench_receiver.py printed no ratio", 0, ok=False, note=out[-200:])]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    only = [a for a in args if not a.startswith("--")]
    start = time.monotonic()
    print(f"machine: {machine()}")
    rows: list[Row] = []
    for script, timeout in BENCHES:
        if only and not any(o in script for o in only):
            continue
        print(f"... {script}", file=sys.stderr, flush=True)
        rows += run_child(script, ["--quick"] if quick else [], timeout)
    if not only or any("receiv" in o for o in only):
        print("... bench_receiver.py", file=sys.stderr, flush=True)
        rows += receiver_rows(quick)
    print_table(rows)
    failed = sum(1 for r in rows if r.ok is False)
    took = time.monotonic() - start
    print(f"\n{len(rows)} measurements, {failed} over goal, {took:.0f} s{' (quick)' if quick else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
