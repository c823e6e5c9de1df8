"""``crash-inspector validate PATH...``: every rule of each payload's format; exit 1 when any has errors."""

from __future__ import annotations

import argparse
from typing import Any

from inspector.cli.errors import EXIT_BAD_INPUT, EXIT_ERRORS, EXIT_OK
from inspector.cli.output import print_json
from inspector.formats import InspectorError, has_errors, load_path, validate


def run_validate(args: argparse.Namespace) -> int:
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
        print_json(results)
    return worst
