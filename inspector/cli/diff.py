"""``crash-inspector diff A B``: compare two reports structurally. Exit 0 identical, 1 different, 2 bad input."""

from __future__ import annotations

import argparse

from inspector.cli.errors import EXIT_BAD_INPUT, EXIT_ERRORS, EXIT_OK, err
from inspector.cli.output import print_json
from inspector.formats import InspectorError, load_path, reports
from inspector.report import Report


def run_diff(args: argparse.Namespace) -> int:
    from inspector.toolkit.diff import diff_reports, diff_text

    try:
        found: list[Report] = []
        for path in (args.a, args.b):
            sub = load_path(path)
            rs = reports(sub)
            if not rs:
                raise InspectorError(f"{path}: the input has no report to compare")
            found.append(rs[0])
    except InspectorError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    d = diff_reports(found[0], found[1], args.a, args.b)
    if args.json:
        print_json(d.as_dict(), default=str)
    else:
        print(diff_text(d))
    return EXIT_OK if d.identical else EXIT_ERRORS
