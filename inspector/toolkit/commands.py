"""The ``convert``, ``diff``, ``redact`` and ``export`` sub-commands (argparse specs in :mod:`inspector.cli`).

Exit codes: 0 success; 2 bad input (unreadable, unrecognized, a bad rules file, an unwritable output).
``diff``: 0 identical, 1 different, 2 bad input. ``convert`` writes the payload to OUT or stdout and the
conversion report to stderr (``--json``: the report as JSON on stdout when OUT is given, else on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from inspector.atomic import write_bytes
from inspector.formats import InspectorError, load_path, reports, validate

EXIT_OK, EXIT_DIFFERENT, EXIT_BAD_INPUT = 0, 1, 2


def _err(message: str) -> None:
    print(f"crash-inspector: {message}", file=sys.stderr)


def _write(out: str | None, data: bytes) -> None:
    if out is None or out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        write_bytes(out, data)
    except OSError as exc:
        raise InspectorError(f"cannot write {out}: {exc.strerror or exc}") from None


def _print_json(value: Any, *, stream: Any = None) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str), file=stream or sys.stdout)


def run_convert(args: argparse.Namespace) -> int:
    from inspector.toolkit.convert import convert

    try:
        sub = load_path(args.path)
        conversion = convert(sub, args.to)
        data = conversion.to_bytes()
        problems = conversion.problems()
        _write(args.out, data)
    except InspectorError as exc:
        _err(f"{args.path}: {exc}")
        return EXIT_BAD_INPUT
    report = conversion.as_dict()
    report["problems"] = [p.as_dict() for p in problems]
    if args.json:
        _print_json(report, stream=sys.stdout if args.out else sys.stderr)
    else:
        counts = ", ".join(f"{v} {k}" for k, v in conversion.notes.counts().items())
        print(f"{args.path}: {sub.format} -> {args.to} via {conversion.via} ({counts})", file=sys.stderr)
        print(conversion.notes.text(), file=sys.stderr)
        errors = sum(p.severity == "error" for p in problems)
        print(f"The result: {errors} errors, {len(problems) - errors} warnings/info", file=sys.stderr)
    return EXIT_OK


def run_diff(args: argparse.Namespace) -> int:
    from inspector.toolkit.diff import diff_reports, diff_text

    try:
        found = []
        for path in (args.a, args.b):
            sub = load_path(path)
            rs = reports(sub)
            if not rs:
                raise InspectorError(f"{path}: the input has no report to compare")
            found.append(rs[0])
    except InspectorError as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    d = diff_reports(found[0], found[1], args.a, args.b)
    if args.json:
        _print_json(d.as_dict())
    else:
        print(diff_text(d))
    return EXIT_OK if d.identical else EXIT_DIFFERENT


def run_redact(args: argparse.Namespace) -> int:
    from inspector.formats.jsondoc import dumps
    from inspector.toolkit.redact import apply_plan, load_rules, plan, preview_text

    try:
        rules = load_rules(args.rules)
        sub = load_path(args.path)
        changes = plan(sub, rules)
        if args.json:
            _print_json(
                {"file": args.path, "changes": [c.as_dict() for c in changes], "applied": not args.preview},
                stream=sys.stderr if not args.preview and not args.out else sys.stdout,
            )
        elif args.preview or args.out:
            print(preview_text(changes), file=sys.stdout if args.preview else sys.stderr)
        if args.preview:
            return EXIT_OK
        redacted = apply_plan(sub, changes) if changes else sub
        doc = redacted.document
        data = dumps(doc.value, pretty=True) if doc is not None else redacted.envelope.body
        _write(args.out, data)
    except InspectorError as exc:
        _err(f"{args.path}: {exc}")
        return EXIT_BAD_INPUT
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from inspector.toolkit.bundle import build_bundle
    from inspector.toolkit.export import to_html, to_markdown

    try:
        sub = load_path(args.path)
        if args.as_ == "bundle":
            out = args.out or (Path(args.path).stem + "-bundle.zip")
            result = build_bundle(sub, out, source=args.path)
            print(f"wrote {result.path} ({len(result.entries)} files, {result.redactions} redactions)", file=sys.stderr)
            for note in result.notes:
                print(f"note: {note}", file=sys.stderr)
            return EXIT_OK
        found = reports(sub)
        if not found:
            raise InspectorError("the input has no report to export")
        problems = validate(sub)
        render = to_html if args.as_ == "html" else to_markdown
        _write(args.out, render(sub, found[0], problems).encode("utf-8"))
    except InspectorError as exc:
        _err(f"{args.path}: {exc}")
        return EXIT_BAD_INPUT
    return EXIT_OK
