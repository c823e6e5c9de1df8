"""The ``crash-inspector`` command.

With no sub-command it opens the window (with the given files, or a bundled sample). Sub-commands run
headless. Their names, flags, exit codes and JSON keys are a public contract for users' scripts: extend,
never break.

Exit codes: 0 success; 1 the input has errors / the server answered with an error status; 2 bad input
(unreadable, unrecognized) or a connection failure. No command ever prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from inspector import __version__
from inspector.formats import (
    FORMAT_NAMES,
    InspectorError,
    Severity,
    get_format,
    has_errors,
    load_path,
    validate,
)
from inspector.formats.base import Problem, Submission
from inspector.report import Report

EXIT_OK, EXIT_ERRORS, EXIT_BAD_INPUT = 0, 1, 2
VIEWS = ("summary", "frames", "threads", "binaries", "telemetry", "attachments", "metadata", "problems", "raw")


def _err(message: str) -> None:
    print(f"crash-inspector: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------- validate


def cmd_validate(args: argparse.Namespace) -> int:
    results: list[dict[str, Any]] = []
    worst = EXIT_OK
    for path in args.paths:
        try:
            sub = load_path(path, format=args.format)
            problems = validate(sub)
        except InspectorError as exc:
            worst = EXIT_BAD_INPUT
            results.append({"file": path, "format": None, "error": str(exc), "problems": []})
            if not args.json:
                print(f"{path}: error: {exc}")
            continue
        if has_errors(problems) and worst == EXIT_OK:
            worst = EXIT_ERRORS
        results.append({"file": path, "format": sub.format, "problems": [p.as_dict() for p in problems]})
        if not args.json:
            if not problems:
                print(f"{path}: ok ({sub.detection.reason})")
            for p in problems:
                print(f"{path}: {p.severity} {p.pointer or '/'}: {p.message}")
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return worst


# ---------------------------------------------------------------------------------------------- show


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


def _fmt_time(ts: float | None) -> str | None:
    if ts is None:
        return None
    try:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return str(ts)


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
            ("Time", _fmt_time(s.timestamp)),
            ("Environment", s.environment),
        ]
        out.extend(f"  {k + ':':<13}{v}" for k, v in facts if v)
        if report.exceptions:
            out.append("  Exception chain:")
            for e in report.exceptions:
                indent = "    " + "  " * e.depth
                label = f"{e.type or '?'}: {e.message}" if e.message else (e.type or "?")
                out.append(f"{indent}{'caused by ' if e.depth else ''}{label}")
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


def _native_stack(sub: Submission, args: argparse.Namespace) -> tuple[list[Report], Any] | None:
    """With ``--stack`` or ``--symbols`` on a minidump: the reports walked with symbols, and the crashed thread's
    walked frames (None for other formats)."""
    if not (getattr(args, "stack", False) or getattr(args, "symbols", None)):
        return None
    from inspector.formats.minidump import symbolicated_reports
    from inspector.formats.minidump_parse import Minidump
    from inspector.native.apply import symbolicate_report
    from inspector.native.debuginfo import with_debug_files
    from inspector.native.stack import walk_thread
    from inspector.native.store import SymbolStore

    md = sub.native

    def progress(step: Any) -> None:
        if step.done == 0:
            print(f"crash-inspector: fetching {step.what} from {step.source}", file=sys.stderr)

    from inspector.settings import load_settings

    sources = list(args.symbols or [])  # then $CRASH_INSPECTOR_SYMBOLS, then Preferences' symbol paths
    store = SymbolStore.from_sources(sources, progress=progress)
    store.sources += [p for p in load_settings().symbol_paths if p not in store.sources]
    symbols = with_debug_files(store)
    if not isinstance(md, Minidump):  # Apple and other reports with binary images: name the frames they list
        named = [symbolicate_report(r, symbols) for r in get_format(sub.format).reports(sub)]
        for line in store.errors:
            _err(f"symbols: {line}")
        return named, None
    reports = symbolicated_reports(sub, symbols)
    thread = next((t for t in md.threads if t.id == md.crashing_thread_id), md.threads[0] if md.threads else None)
    frames = walk_thread(md, thread, symbols) if thread is not None else None
    for line in store.errors:
        _err(f"symbols: {line}")
    return reports, frames


def cmd_show(args: argparse.Namespace) -> int:
    try:
        sub = load_path(args.path, format=args.format)
        problems = validate(sub)
        native = _native_stack(sub, args)
        reports = native[0] if native is not None else get_format(sub.format).reports(sub)
    except InspectorError as exc:
        _err(f"{args.path}: {exc}")
        return EXIT_BAD_INPUT
    mapped: dict[str, Any] | None = None
    if getattr(args, "sourcemaps", None):
        from inspector.formats.sourcemap_frames import apply_for_cli

        reports, mapped = apply_for_cli(reports, args.sourcemaps)
        for line in mapped["problems"]:
            _err(f"warning: source maps: {line}")
    walked = native[1] if native is not None else None
    if args.json:
        data = show_json(sub, reports, problems)
        if mapped is not None:
            data["sourcemaps"] = mapped
        if getattr(args, "stack", False):
            from inspector.native.render import stack_json

            size = sub.native.pointer_size if walked is not None else 8
            for entry in data["reports"]:
                entry["stack"] = stack_json(walked, size) if walked is not None else []
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(show_text(sub, reports, problems))
        if getattr(args, "stack", False) and walked is not None:
            from inspector.native.render import stack_text

            print("Crashed thread stack:")
            print("\n".join(stack_text(walked)))
    return EXIT_OK


# ---------------------------------------------------------------------------------------------- dispatch


def _redact_submission(submission: Submission) -> tuple[Submission, list[Any]]:
    """The toolkit's redaction, handed to ``send --redact`` (the network layer does not import the toolkit)."""
    from inspector.toolkit.redact import redact_submission

    redacted, changes = redact_submission(submission)
    return redacted, list(changes)


def _lazy(module: str, func: str) -> Callable[[argparse.Namespace], int]:
    """Commands whose code lives elsewhere are imported only when used (keeps `validate` fast and Qt-free)."""

    def run(args: argparse.Namespace) -> int:
        import importlib

        return importlib.import_module(module).__dict__[func](args)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crash-inspector",
        description="Inspect, validate, compose and send crash payloads (Backtrace, Rollbar, App Center). "
        "Run without a command to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"crash-inspector {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    fmt_choices = ("auto", *FORMAT_NAMES)

    p = sub.add_parser("validate", help="validate payload files; exit 1 when any has errors")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", choices=fmt_choices, default="auto")
    p.add_argument("--json", action="store_true", help="print a JSON list of results")
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("show", help="print a readable summary of a payload")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--format", choices=fmt_choices, default="auto")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--sourcemaps",
        action="append",
        default=[],
        metavar="DIR",
        help="map minified JavaScript frames through the source maps in this folder (or file); repeatable",
    )
    p.add_argument(
        "--stack",
        action="store_true",
        help='minidumps: add the crashed thread\'s walked stack (JSON key "stack", as minidump-stackwalk)',
    )
    p.add_argument(
        "--symbols",
        action="append",
        default=[],
        metavar="DIR_OR_URL",
        help="a Breakpad symbol store folder or HTTP server (repeatable; also $CRASH_INSPECTOR_SYMBOLS)",
    )
    p.set_defaults(run=cmd_show)

    p = sub.add_parser("shot", help="render the window offscreen with a document and write a PNG")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--view", choices=VIEWS, default="summary")
    p.add_argument("--out", required=True, metavar="PNG")
    p.add_argument("--size", default="1280x800", metavar="WxH")
    p.add_argument("--symbols", action="append", default=[], metavar="DIR_OR_URL", help="symbolicate a minidump first")
    p.add_argument("--panel", default=None, help="an extra panel to show (send, history, capture, editor, ...)")
    p.set_defaults(run=_lazy("inspector.ui.shot", "run_shot"))

    p = sub.add_parser("send", help="send a payload (or every payload of a folder) to an endpoint")
    p.add_argument("path", metavar="PATH")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--profile", metavar="NAME")
    target.add_argument("--url", metavar="URL")
    p.add_argument("--token-env", metavar="VAR", help="environment variable holding the token")
    p.add_argument("--app-secret-env", metavar="VAR", help="environment variable holding the App Center app secret")
    p.add_argument("--install-id", metavar="ID")
    p.add_argument("--attach", nargs="+", default=[], metavar="FILE")
    p.add_argument("--format", choices=fmt_choices, default="auto")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--gzip", action="store_true", help="gzip the body where the API accepts it")
    p.add_argument("--rate", default=None, help="for a folder: at most N per second/minute, e.g. 60/min")
    p.add_argument("--retries", type=int, default=3)
    p.add_argument("--redact", action="store_true", help="apply the redaction rules before sending")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_lazy("inspector.net.commands", "run_send"), redactor=_redact_submission)

    for name, what in (("upload-symbols", "a symbol archive"), ("upload-sourcemap", "source maps")):
        p = sub.add_parser(name, help=f"upload {what} to a Backtrace endpoint (files and folders are zipped)")
        p.add_argument("paths", nargs="+", metavar="PATH", help="an archive, or files and folders to pack")
        target = p.add_mutually_exclusive_group(required=True)
        target.add_argument("--profile", metavar="NAME", help="a Backtrace endpoint profile")
        target.add_argument("--url", metavar="URL", help="a Backtrace submit URL or the server's base URL")
        p.add_argument("--token-env", metavar="VAR", help="environment variable holding the symbol:post token")
        p.add_argument("--tag", action="append", default=[], metavar="T", help="a tag field (repeat for more)")
        p.add_argument("--archive", choices=("zip", "tar.gz"), default="zip", help="what files and folders become")
        p.add_argument("--timeout", type=float, default=300.0, help="seconds without progress before giving up")
        p.add_argument("--json", action="store_true")
        p.set_defaults(app_secret_env=None, install_id=None, gzip=False, retries=0)
        p.set_defaults(run=_lazy("inspector.net.upload_cli", "run_" + name.replace("-", "_")))

    p = sub.add_parser(
        "receive",
        help="run the local receiver that emulates the three ingestion APIs",
        description="Run the local receiver: point an SDK at it and every request is answered like the vendor "
        "would and stored for inspection. The first line of output is 'listening on http://HOST:PORT'; the "
        "endpoints each SDK should use follow on stderr. Ctrl+C stops it.",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; any other exposes the receiver to the network: a warning "
        "says so)",
    )
    p.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default 8000; 0 picks a free one, printed)"
    )
    p.add_argument(
        "--store",
        default=None,
        metavar="DIR",
        help="folder for the captured requests (default: the inbox in the app's data folder, shared with the window)",
    )
    p.add_argument("--strict", action="store_true", help="reject invalid payloads the way the vendor would")
    p.add_argument(
        "--max-body",
        type=int,
        default=64 * 1024 * 1024,
        metavar="BYTES",
        help="largest request body accepted (default 64 MiB); bigger ones get 413 like the vendors",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object per request")
    p.set_defaults(run=_lazy("inspector.net.commands", "run_receive"))

    p = sub.add_parser("convert", help="convert a report to another API's format")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--to", required=True, choices=("backtrace", "rollbar", "appcenter"))
    p.add_argument("-o", "--out", default=None, metavar="OUT")
    p.add_argument("--json", action="store_true", help="print the conversion report as JSON")
    p.set_defaults(run=_lazy("inspector.toolkit.commands", "run_convert"))

    p = sub.add_parser("diff", help="compare two reports structurally")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_lazy("inspector.toolkit.commands", "run_diff"))

    p = sub.add_parser("redact", help="redact secrets and personal data from a payload")
    p.add_argument("path", metavar="PATH")
    p.add_argument("-o", "--out", default=None, metavar="OUT")
    p.add_argument("--rules", default=None, metavar="FILE", help="extra rules (JSON)")
    p.add_argument("--preview", action="store_true", help="print what would change, write nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_lazy("inspector.toolkit.commands", "run_redact"))

    p = sub.add_parser("export", help="export a readable summary (Markdown, HTML) or a support bundle (zip)")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--as", dest="as_", choices=("markdown", "html", "bundle"), default="markdown")
    p.add_argument("-o", "--out", default=None, metavar="OUT")
    p.set_defaults(run=_lazy("inspector.toolkit.commands", "run_export"))
    return parser


def build_gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crash-inspector", add_help=False)
    parser.add_argument("paths", nargs="*", metavar="PATH")
    parser.add_argument("--self-test", action="store_true", help="open every bundled sample offscreen and exit")
    parser.add_argument("--version", action="version", version=f"crash-inspector {__version__}")
    parser.add_argument("-h", "--help", action="store_true")
    return parser


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--validation-process"]:  # the window's validation child (inspector.formats.validation_process)
        from inspector.formats.validation_process import child_main

        return child_main(argv[1:])
    parser = build_parser()
    if argv and (argv[0] in _commands(parser) or argv[0] in ("-h", "--help", "--version")):
        args = parser.parse_args(argv)
        try:
            return int(args.run(args))
        except InspectorError as exc:
            _err(str(exc))
            return EXIT_BAD_INPUT
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:  # `crash-inspector show x | head`: the reader went away; not an error of ours
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
    gui_args = build_gui_parser().parse_args(argv)
    if gui_args.help:
        parser.print_help()
        print("\nWithout a command: crash-inspector [PATH...] opens the window; --self-test checks the install.")
        return EXIT_OK
    from inspector.ui.app import run_gui, run_self_test

    if gui_args.self_test:
        return run_self_test()
    return run_gui(gui_args.paths)


def gui_main() -> int:
    """Entry point of the windowed launcher (no console on Windows)."""
    return main()


if __name__ == "__main__":
    raise SystemExit(main())
