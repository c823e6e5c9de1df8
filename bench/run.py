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
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_common import ROOT, Row, app_homes, print_table, ratio_row, run_child

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


RECEIVER_GOAL = 3000  # stored payloads/s (issue 18), with zero loss and no token on disk


def receiver_rows(quick: bool) -> list[Row]:
    """bench_receiver.py (the receiver engineer's) prints its own table; its receiver and baseline rows, loss,
    pending captures and token check become rows here."""
    script = ROOT / "bench" / "bench_receiver.py"
    if not script.exists():
        return [Row("receive", "bench_receiver.py not there yet", 0, note="skipped")]
    cmd = [sys.executable, str(script), "--duration", "3" if quick else "10"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT).stdout
    except subprocess.TimeoutExpired:
        return [Row("receive", "bench_receiver.py timed out", 900, ok=False)]
    # "<name>  sent 2xx stored payloads/s p50 p99 cpu-ms/req [cores wrk-cores]", then (newer) a line
    # "cores used: server X, wrk Y; ..." under each server
    rates: dict[str, tuple[float, float, float]] = {}
    lines = out.splitlines()
    for n, line in enumerate(lines):
        if not line.startswith(("baseline", "crash-inspector")):
            continue
        parts = line.split()
        first = next((i for i, part in enumerate(parts) if part.isdigit()), None)
        if first is None or len(parts) - first < 7:
            continue
        try:
            rate, p99 = float(parts[first + 3]), float(parts[first + 5])
            cores = float(parts[first + 7]) if len(parts) - first > 7 else float("nan")
        except ValueError:
            continue
        used = re.search(r"cores used: server ([\d.]+)", lines[n + 1]) if n + 1 < len(lines) else None
        if used:
            cores = float(used.group(1))
        rates["receiver" if line.startswith("crash-inspector") else "baseline"] = (rate, p99, cores)
    summary = next((line for line in out.splitlines() if line.startswith("receiver/baseline throughput:")), "")
    loss = re.search(r"not stored\): (\d+)", summary)
    pending = re.search(r"still pending: (\d+)", summary)
    leak = re.search(r"token on disk: (\w+)", summary)
    if "receiver" not in rates or "baseline" not in rates or not loss:
        return [Row("receive", "bench_receiver.py printed no ratio", 0, ok=False, note=out[-200:])]
    rate, p99, cores = rates["receiver"]
    lost, waiting = int(loss.group(1)), int(pending.group(1)) if pending else 0
    on_disk = leak.group(1) if leak else "?"
    row = Row(
        "receive",
        f"receiver stored payloads/s (loss {lost}, pending {waiting})",
        rate,
        rates["baseline"][0],
        "bare asyncio 200",
        f">= {RECEIVER_GOAL}/s",
        unit="/s",
        note=f"p99 {p99:.0f} ms, server used {cores:.2f} cores (2 on the machine, shared with wrk), token on disk: "
        f"{on_disk}; wrk 2 threads/32 connections, distinct Rollbar items",
    )
    row.ok = rate >= RECEIVER_GOAL and lost == 0 and waiting == 0 and on_disk == "no"
    return [row]


def _shot_seconds(path: Path, home: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of ``crash-inspector shot <path>`` (the whole app: load, window,
    picture written, process ended) in a fresh interpreter with empty settings/data folders."""
    import resource

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.update(app_homes(home))
    cmd = [sys.executable, "-c", "import sys; from inspector.cli.main import main; sys.exit(main())", "shot"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*cmd, str(path), "--out", os.path.join(home, "shot.png")], env=env, capture_output=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"shot {path} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def end_to_end_rows(quick: bool) -> list[Row]:
    """Issue 18's row: opening the App Center batch with the whole app, end to end (``crash-inspector shot`` until
    the picture is written, minus the same for a 0.1 MB file of the same kind), against ``json.loads`` of the file
    (best of 3 in this process). The peak memory of the same process tree is bench_memory.py's end-to-end row."""
    import json
    import tempfile

    from bench_common import PAYLOADS, best_of, payload

    path = payload("appcenter", quick)
    runs = 1 if quick else 3
    small = big = small_cpu = big_cpu = float("inf")
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        small_dir = Path(tmp) / "small"
        cmd = [sys.executable, str(ROOT / "bench" / "generate.py"), "--out", str(small_dir), "--scale", "0.001"]
        subprocess.run(cmd, check=True, capture_output=True)
        for _ in range(runs):  # in turns: a busy moment of the machine hurts both alike
            wall, cpu = _shot_seconds(small_dir / PAYLOADS["appcenter"], tmp)
            small, small_cpu = min(small, wall), min(small_cpu, cpu)
            wall, cpu = _shot_seconds(path, tmp)
            big, big_cpu = min(big, wall), min(big_cpu, cpu)
    data = path.read_bytes()
    baseline = best_of(lambda: json.loads(data), 3)
    baseline_cpu = float("inf")
    for _ in range(3):
        start_cpu = time.process_time()
        json.loads(data)
        baseline_cpu = min(baseline_cpu, time.process_time() - start_cpu)
    what = f"appcenter end to end: shot {len(data) / 2**20:.0f} MB minus 0.1 MB"
    # The CPU times say the same less noisily on a shared machine (json.loads runs on one core, so does the shot).
    cpu_ratio = (big_cpu - small_cpu) / baseline_cpu
    note = (
        f"shot {big:.2f} s, 0.1 MB file {small:.2f} s (best of {runs}, in turns; fresh interpreter, offscreen); "
        f"CPU time {big_cpu:.2f} s - {small_cpu:.2f} s = {cpu_ratio:.2f}x json.loads' {baseline_cpu:.2f} s"
    )
    return [ratio_row("e2e", what, big - small, baseline, "json.loads", 1.0, note=note)]


#: Issue 18's table, row by row: (bench, a substring of the measurement) of the rows that answer it.
ISSUE_18 = (
    ("open 84/108 MB: window open+paint", "open", "window open+paint"),
    ("58 MB wide Rollbar item: parse, first tree", "open", "wide-custom parse_json"),
    ("58 MB wide Rollbar item: parse, first tree", "open", "rollbar wide item"),
    ("every payload shape parses at JSON speed", "open", "shape "),
    ("100 MB App Center end to end: time", "e2e", "appcenter end to end"),
    ("100 MB App Center end to end: peak tree RSS", "memory", "end to end"),
    ("app process alone after opening", "memory", "peak above idle"),
    ("receiver, stored payloads/s", "receive", "receiver"),
    ("filter 1 M frames, whole scan", "filter", "frames"),
)


def issue_rows(rows: list[Row]) -> list[Row]:
    """The rows of issue 18's table, in its order (each once)."""
    picked: list[Row] = []
    for _title, bench, part in ISSUE_18:
        for row in rows:
            if row.bench == bench and part in row.what and row not in picked:
                if part == "window open+paint" and (
                    row.baseline_name != "json.loads" or not row.what.startswith(("backtrace", "appcenter"))
                ):
                    continue  # the issue's row: the 84/108 MB files' window against json.loads
                picked.append(row)
    return picked


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    only = [a for a in args if not a.startswith("--")]
    start = time.monotonic()
    print(f"machine: {machine()}; at start: {load_average()}")
    rows: list[Row] = []
    for script, timeout in BENCHES:
        if only and not any(o in script for o in only):
            continue
        print(f"... {script}", file=sys.stderr, flush=True)
        rows += run_child(script, ["--quick"] if quick else [], timeout)
    if not only or any("e2e" in o for o in only):
        print("... end to end (crash-inspector shot)", file=sys.stderr, flush=True)
        rows += end_to_end_rows(quick)
    if not only or any("receiv" in o for o in only):
        print("... bench_receiver.py", file=sys.stderr, flush=True)
        rows += receiver_rows(quick)
    print_table(rows)
    picked = issue_rows(rows)
    if picked:
        print(f"\nIssue 18 (every row of its table, against its baseline): {load_average()} at the end")
        print_table(picked)
        print(f"{sum(1 for r in picked if r.ok is False)} of {len(picked)} issue 18 rows over goal")
    failed = sum(1 for r in rows if r.ok is False)
    took = time.monotonic() - start
    print(f"\n{len(rows)} measurements, {failed} over goal, {took:.0f} s{' (quick)' if quick else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
