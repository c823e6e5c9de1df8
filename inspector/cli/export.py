"""``crash-inspector export PATH --as markdown|html|bundle``: a readable summary, or a support bundle (zip).

Exit codes: 0 written; 2 bad input or an unwritable output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inspector.cli.errors import EXIT_BAD_INPUT, EXIT_OK, err
from inspector.cli.output import write_output
from inspector.formats import InspectorError, load_path, reports, validate


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
        write_output(args.out, render(sub, found[0], problems).encode("utf-8"))
    except InspectorError as exc:
        err(f"{args.path}: {exc}")
        return EXIT_BAD_INPUT
    return EXIT_OK
