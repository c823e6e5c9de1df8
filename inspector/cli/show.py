"""``crash-inspector show PATH``: a readable summary of a payload (``--json``: the same as data).

``--stack`` / ``--symbols`` walk a minidump's crashed thread and name frames with Breakpad symbols
(:mod:`inspector.services.symbolication`); ``--sourcemaps`` maps minified JavaScript frames.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from inspector.cli.errors import EXIT_BAD_INPUT, EXIT_OK, err
from inspector.cli.output import print_json
from inspector.formats import InspectorError, Severity, get_format, load_path, validate
from inspector.formats.base import Problem, Submission
from inspector.report import ExceptionInfo, Report
from inspector.toolkit.export import time_text

if TYPE_CHECKING:
    from inspector.native.unwind import WalkedFrame


def report_json(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": report.kind,
        "exceptions": [{"type": e.type, "message": e.message, "frames": len(e.frames)} for e in report.exceptions],
    }
    data.update(report.counts())
    return data


def show_json(sub: Submission, reports: list[Report], problems: list[Problem]) -> dict[str, Any]:
    return {
        "format": sub.format,
        "kind": sub.kind,
        "detection": sub.detection.reason,
        "reports": [report_json(r) for r in reports],
        "problems": [p.as_dict() for p in problems],
    }


#: How a link of the chain is introduced, by the relation the report stores; others read "<relation>: ".
RELATION_WORDS = {"cause": "caused by "}


def relation_words(exception: ExceptionInfo, index: int) -> str:
    """The words before a link of the exception chain: "caused by " for a cause, "signal: " for the signal behind
    an Apple exception, "assertion: ", "recrash: " (the crash reporter's own crash, a chain of its own)...; nothing
    for the first link."""
    if index == 0 or not (exception.depth or exception.relation):
        return ""
    if exception.relation is None:
        return "caused by "
    return RELATION_WORDS.get(exception.relation, f"{exception.relation}: ")


def show_text(sub: Submission, reports: list[Report], problems: list[Problem], top: int = 8) -> str:
    out = [f"{get_format(sub.format).TITLE} {sub.kind} — {sub.detection.reason}"]
    for n, report in enumerate(reports):
        if len(reports) > 1:
            out.append(f"\nReport {n + 1} of {len(reports)} ({report.kind}, {report.pointer or '/'})")
        s = report.summary
        facts = [
            ("Title", s.title),
            ("Level", s.level),
            ("Fatal", None if s.fatal is None else ("yes" if s.fatal else "no")),
            ("App", " ".join(x for x in (s.app, s.app_version) if x) or None),
            ("OS", s.os),
            ("Device", s.device),
            ("Time", time_text(s.timestamp)),
            ("Environment", s.environment),
        ]
        out.extend(f"  {k + ':':<13}{v}" for k, v in facts if v)
        if report.exceptions:
            out.append("  Exception chain:")
            for i, e in enumerate(report.exceptions):
                indent = "    " + "  " * e.depth
                label = f"{e.type or '?'}: {e.message}" if e.message else (e.type or "?")
                out.append(f"{indent}{relation_words(e, i)}{label}")
        frames_src = None
        crashed = report.crashed_thread
        if crashed is not None and len(crashed.frames):
            frames_src = (f"Crashed thread {crashed.name or crashed.id}", crashed.frames)
        elif report.exceptions and len(report.exceptions[0].frames):
            frames_src = ("Frames", report.exceptions[0].frames)
        if frames_src:
            title, frames = frames_src
            order = range(len(frames)) if report.most_recent_first else range(len(frames) - 1, -1, -1)
            out.append(f"  {title} (top {min(top, len(frames))} of {len(frames)}, most recent first):")
            for i in list(order)[:top]:
                f = frames[i]
                where = f.location() or f.module or (f"0x{f.address:x}" if f.address is not None else "")
                if f.module_offset is not None and f.module:
                    where = f"{f.module}+0x{f.module_offset:x}" + (f"  {f.location()}" if f.file else "")
                    where += f"  ({f.trust})" if f.trust else ""
                out.append(f"    #{i:<3} {f.function or '?'}  {where}")
        counts = report.counts()
        out.append("  Counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = sum(p.severity is Severity.WARNING for p in problems)
    out.append(f"Problems: {errors} errors, {warnings} warnings, {len(problems) - errors - warnings} info")
    return "\n".join(out)


def _symbolicated(sub: Submission, args: argparse.Namespace) -> tuple[list[Report], list[WalkedFrame] | None] | None:
    """With ``--stack`` or ``--symbols``: the reports walked (a minidump) or named (reports with binary images),
    and the crashed thread's walked frames (None for other formats)."""
    if not (args.stack or args.symbols):
        return None
    from inspector.services.symbolication import symbol_sources, symbolicate

    def progress(step: Any) -> None:
        if step.done == 0:
            err(f"fetching {step.what} from {step.source}")

    # --symbols, then $CRASH_INSPECTOR_SYMBOLS, then Preferences' symbol paths
    done = symbolicate(sub, symbol_sources(args.symbols or []), walk=True, progress=progress)
    for line in done.errors:
        err(f"symbols: {line}")
    return done.reports, done.walked


def run_show(args: argparse.Namespace) -> int:
    try:
        sub = load_path(args.path, format=args.format)
        problems = validate(sub)
        native = _symbolicated(sub, args)
        reports = native[0] if native is not None else get_format(sub.format).reports(sub)
    except InspectorError as exc:
        err(f"{args.path}: {exc}")
        return EXIT_BAD_INPUT
    mapped: dict[str, Any] | None = None
    if args.sourcemaps:
        from inspector.formats.sourcemap_frames import apply_for_cli

        reports, mapped = apply_for_cli(reports, args.sourcemaps)
        for line in mapped["problems"]:
            err(f"warning: source maps: {line}")
    walked = native[1] if native is not None else None
    if args.json:
        data = show_json(sub, reports, problems)
        if mapped is not None:
            data["sourcemaps"] = mapped
        if args.stack:
            from inspector.native.render import stack_json

            size = sub.native.pointer_size if walked is not None else 8
            for entry in data["reports"]:
                entry["stack"] = stack_json(walked, size) if walked is not None else []
        print_json(data)
    else:
        print(show_text(sub, reports, problems))
        if args.stack and walked is not None:
            from inspector.native.render import stack_text

            print("Crashed thread stack:")
            print("\n".join(stack_text(walked)))
    return EXIT_OK
