"""``crash-inspector send PATH``: send one payload, or replay every payload of a folder, and explain the answers.

Exit codes: 0 accepted (2xx), 1 the server answered with an error status, 2 bad input or no answer at all
(refused, DNS, TLS, timeout, reset). Secrets never reach stdout, stderr or the history unmasked. The pipeline
(build, send, record, name the target) is :mod:`inspector.services.sending`, the window's too.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from inspector.cli.errors import EXIT_BAD_INPUT, err
from inspector.cli.output import print_json
from inspector.formats import capabilities, load_path
from inspector.formats.base import InspectorError, Part, RequestSpec, Submission
from inspector.net.client import SendOptions, insecure_warning
from inspector.net.profiles import ProfileStore
from inspector.services.replay import RESULTS_NAME, ItemResult, folder_items, replay
from inspector.services.sending import Plan, exchange_json, prepare, send_prepared


def _env(var: str | None, what: str) -> str | None:
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        raise InspectorError(f"the environment variable {var} (the {what}) is not set or empty")
    return value


def make_plan(args: argparse.Namespace) -> Plan:
    token = _env(args.token_env, "token")
    app_secret = _env(args.app_secret_env, "App Center app secret")
    profile = ProfileStore().get(args.profile) if args.profile else None
    if profile is not None:
        options = profile.options()
        if args.timeout != 30.0:  # the flag's default leaves the profile's timeout alone
            options.timeout = args.timeout
    else:
        options = SendOptions(timeout=args.timeout)
    options.max_attempts = max(1, args.retries + 1) if args.retries is not None else options.max_attempts
    return Plan(profile, args.url, token, app_secret, args.install_id, options, bool(args.gzip), warn=err)


def load_submission(path: Path, args: argparse.Namespace) -> Submission:
    submission = load_path(str(path), format=args.format)
    for name in args.attach:
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            raise InspectorError(f"cannot read the attachment {name}: {exc.strerror or exc}") from None
        base = os.path.basename(name)
        submission.attachments.append(Part(name=f"attachment_{base}", data=data, filename=base))
    if args.attach and not capabilities(submission.format).attachments:
        err("warning: Rollbar's item API takes no attachments; --attach is ignored for Rollbar payloads")
    if args.redact:
        submission = _redact(submission)
    return submission


def _redact(submission: Submission) -> Submission:
    """Apply the redaction rules before sending; says on stderr how many values changed."""
    from inspector.toolkit.redact import redact_submission

    redacted, changes = redact_submission(submission)
    err(f"redacted {len(list(changes))} value(s) before sending")
    return redacted


def progress_printer(stream: TextIO) -> Callable[[int, int], None]:
    """Upload progress on a terminal, for bodies of 1 MiB and more."""
    state = {"last": -1}

    def show(sent: int, total: int) -> None:
        if total < 1024 * 1024 or not stream.isatty():
            return
        percent = sent * 100 // max(1, total)
        if percent != state["last"]:
            state["last"] = percent
            end = "\n" if sent >= total else ""
            print(f"\ruploading {sent // 1024} / {total // 1024} KiB ({percent}%)", end=end, file=stream, flush=True)

    return show


def _waiting_printer(stream: TextIO) -> Callable[[float, int, int], None]:
    """A countdown on stderr: at the start of each wait, then every 5 s."""
    shown: set[tuple[int, int]] = set()

    def show(left: float, attempt: int, max_attempts: int) -> None:
        whole = int(left + 0.999)
        if left <= 0 or (attempt, whole) in shown:
            return
        if any(a == attempt for a, _ in shown) and whole % 5:
            return
        shown.add((attempt, whole))
        print(f"the server asks to wait: retrying in {whole} s (attempt {attempt} of {max_attempts})", file=stream)

    return show


def describe_request(spec: RequestSpec) -> list[str]:
    lines = [f"{spec.method} {spec.masked_url}"]
    lines += [f"  {k}: {v}" for k, v in spec.masked_headers()]
    lines.append(f"  ({spec.body_size} bytes of body)")
    lines += [f"  note: {n}" for n in dict.fromkeys(spec.notes)]  # a note said once
    return lines


def send_one(path: Path, args: argparse.Namespace, plan: Plan, *, quiet: bool = False) -> dict[str, Any]:
    """Load, build, send, record one payload (:mod:`inspector.services.sending`); InspectorError for bad input."""
    submission = load_submission(path, args)
    target = plan.target(submission.format)
    prepared = prepare(submission, target, label=plan.label, source=str(path))
    spec = prepared.spec
    warning = insecure_warning(spec)
    if warning:
        err(f"warning: {warning}")
    if not args.json and not quiet:
        print("\n".join(describe_request(spec)))
    sent = send_prepared(
        prepared, options=plan.options, progress=progress_printer(sys.stderr), waiting=_waiting_printer(sys.stderr)
    )
    if sent.record_error is not None:
        err(f"warning: the send was not recorded in the history: {sent.record_error}")
    result = exchange_json(sent.exchange, source=str(path), plan_label=plan.label, target_kind=target.kind)
    result["history_id"] = sent.history_id
    return result


def print_result(result: dict[str, Any]) -> None:
    if result["status"] is not None:
        print(f"HTTP {result['status']} in {result['elapsed_ms']:.0f} ms ({result['attempts']} attempt(s))")
    print(result["summary"])
    for line in result["retries"] + result["details"]:
        print(f"  {line}")
    if result.get("link"):
        print(f"  link: {result['link']}")
    if result["response"] and result["response"]["body"] and not result["ok"]:
        print(f"  answer body: {result['response']['body'][:500]}")


def run_send(args: argparse.Namespace) -> int:
    path = Path(args.path)
    try:
        plan = make_plan(args)
    except InspectorError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    if path.is_dir():
        return replay_folder(path, args, plan)
    try:
        result = send_one(path, args, plan)
    except InspectorError as exc:
        err(f"{path}: {exc}")
        return EXIT_BAD_INPUT
    if args.json:
        print_json(result)
    else:
        print_result(result)
    return int(result["exit_code"])


# ---------------------------------------------------------------------------------------------- folders


def parse_rate(text: str | None) -> float | None:
    """Sends per second from ``N``, ``N/s``, ``N/sec``, ``N/min``; None means as fast as answers come."""
    if not text:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|second|m|min|minute))?\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise InspectorError(f"--rate {text!r}: expected N/sec or N/min, e.g. 10/sec or 60/min")
    per = 60.0 if (match.group(2) or "s").startswith("m") else 1.0
    return float(match.group(1)) / per


def replay_folder(folder: Path, args: argparse.Namespace, plan: Plan) -> int:
    """Send every payload of ``folder`` (sorted by name) at ``--rate``; one JSON line per item in send-results.jsonl.

    The loop, the pace and the log are :func:`inspector.services.replay.replay` (shared with the window)."""
    try:
        rate = parse_rate(args.rate)
    except InspectorError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    items = folder_items(folder)
    if not items:
        err(f"{folder}: the folder has no payload files")
        return EXIT_BAD_INPUT
    log_path = folder / RESULTS_NAME

    def show(result: ItemResult) -> None:
        if not args.json:
            line = result.line
            status = line["status"] if line["status"] is not None else "---"
            print(f"{result.path.name}: {status} {line['summary']}")

    done = replay(
        items, lambda path: send_one(path, args, plan, quiet=True), rate=rate, log_path=log_path, on_item=show
    )
    counts = done.counts
    if args.json:
        results = [r.line for r in done.results]
        print_json({"results": results, "summary": counts, "log": str(log_path)})
    else:
        print(f"{done.text()}; log: {log_path}")
    return done.worst
