"""``crash-inspector upload-symbols`` / ``upload-sourcemap``: send an archive (given, or built from files and
folders) to a Backtrace profile or URL, and explain the answer.

Exit codes as ``send``: 0 accepted (2xx), 1 the server answered with an error status, 2 bad input or no answer.
The token never reaches stdout or stderr unmasked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from inspector.cli.errors import EXIT_BAD_INPUT, err
from inspector.cli.output import print_json
from inspector.cli.send import describe_request, make_plan, print_result, progress_printer
from inspector.formats.base import InspectorError, RequestSpec
from inspector.net.client import insecure_warning
from inspector.net.uploads import upload, upload_url
from inspector.services.sending import exchange_json


def _run(args: argparse.Namespace, kind: str) -> int:
    try:
        plan = make_plan(args)
        target = plan.target("backtrace")
        url = upload_url(target, kind)
    except InspectorError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    warning = insecure_warning(RequestSpec("POST", url, [], b"", secrets=[target.token or ""]))
    if warning:  # before anything is sent
        err(f"warning: {warning}")
    paths = [Path(p) for p in args.paths]

    def show_packing(done: int, total: int) -> None:
        if done == 0 and not args.json:
            print(f"packing {total // 1024} KiB into a {args.archive}…", file=sys.stderr)

    try:
        result = upload(
            paths,
            target,
            kind,
            tags=list(args.tag),
            archive_format=args.archive,
            options=plan.options,
            packing=show_packing,
            progress=progress_printer(sys.stderr),
        )
    except InspectorError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    exchange = result.exchange
    data: dict[str, Any] = exchange_json(
        exchange, source=", ".join(args.paths), plan_label=plan.label, target_kind=target.kind
    )
    data["kind"] = kind
    data["upload_file"] = result.upload.as_dict()
    data["tags"] = list(args.tag)
    if args.json:
        print_json(data)
    else:
        print("\n".join(describe_request(exchange.request)))
        print_result(data)
    return int(data["exit_code"])


def run_upload_symbols(args: argparse.Namespace) -> int:
    return _run(args, "symbols")


def run_upload_sourcemap(args: argparse.Namespace) -> int:
    return _run(args, "sourcemap")
