"""``crash-inspector convert PATH --to API``: a report in another API's format.

The payload goes to OUT or stdout, the conversion report to stderr (``--json``: the report as JSON on stdout when
OUT is given, else on stderr). Exit codes: 0 converted; 2 bad input or an unwritable output.
"""

from __future__ import annotations

import argparse
import sys

from inspector.cli.errors import EXIT_BAD_INPUT, EXIT_OK, err
from inspector.cli.output import print_json, write_output
from inspector.formats import InspectorError, load_path


def run_convert(args: argparse.Namespace) -> int:
    from inspector.toolkit.convert import convert

    try:
        sub = load_path(args.path)
        conversion = convert(sub, args.to)
        data = conversion.to_bytes()
        problems = conversion.problems()
        write_output(args.out, data)
    except InspectorError as exc:
        err(f"{args.path}: {exc}")
        return EXIT_BAD_INPUT
    report = conversion.as_dict()
    report["problems"] = [p.as_dict() for p in problems]
    if args.json:
        print_json(report, stream=sys.stdout if args.out else sys.stderr, default=str)
    else:
        counts = ", ".join(f"{v} {k}" for k, v in conversion.notes.counts().items())
        print(f"{args.path}: {sub.format} -> {args.to} via {conversion.via} ({counts})", file=sys.stderr)
        print(conversion.notes.text(), file=sys.stderr)
        errors = sum(p.severity == "error" for p in problems)
        print(f"The result: {errors} errors, {len(problems) - errors} warnings/info", file=sys.stderr)
    return EXIT_OK
