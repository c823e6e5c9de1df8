"""``crash-inspector redact PATH``: redact secrets and personal data (``--preview``: say what, write nothing).

Exit codes: 0 done; 2 bad input (unreadable, a bad rules file, an unwritable output).
"""

from __future__ import annotations

import argparse
import sys

from inspector.cli.errors import EXIT_BAD_INPUT, EXIT_OK, err
from inspector.cli.output import print_json, write_output
from inspector.formats import InspectorError, load_path


def run_redact(args: argparse.Namespace) -> int:
    from inspector.formats.jsondoc import dumps
    from inspector.toolkit.redact import apply_plan, load_rules, plan, preview_text

    try:
        rules = load_rules(args.rules)
        sub = load_path(args.path)
        changes = plan(sub, rules)
        if args.json:
            print_json(
                {"file": args.path, "changes": [c.as_dict() for c in changes], "applied": not args.preview},
                stream=sys.stderr if not args.preview and not args.out else sys.stdout,
                default=str,
            )
        elif args.preview or args.out:
            print(preview_text(changes), file=sys.stdout if args.preview else sys.stderr)
        if args.preview:
            return EXIT_OK
        redacted = apply_plan(sub, changes) if changes else sub
        doc = redacted.document
        data = dumps(doc.value, pretty=True) if doc is not None else redacted.envelope.body
        write_output(args.out, data)
    except InspectorError as exc:
        err(f"{args.path}: {exc}")
        return EXIT_BAD_INPUT
    return EXIT_OK
