"""The one send pipeline: build a submission's request for a target, send it, record it, name who answered.

Every sender goes through here: the Send panel, a resend from the history, a resend of a receiver capture, the
Replay dialog and ``crash-inspector send`` (one file or a folder). So every send is recorded in the history (secrets
masked) and every answer names its real target: "Accepted by the local receiver" for a loopback host, "by
https://staging.example" for a server that is not the vendor's, never a rollbar.com link for someone else's host.

Nothing here imports Qt; :func:`send_prepared` blocks (the window runs it on its worker pool).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector.formats import load_path, sender
from inspector.formats.base import InspectorError, RequestSpec, Sender, Submission, Target
from inspector.net.answers import name_target
from inspector.net.profiles import KIND_FORMAT, KINDS, Profile, keyring_problem, target_from_url

if TYPE_CHECKING:
    from inspector.net.client import Cancel, Exchange, ProgressFn, SendOptions, WaitingFn
    from inspector.net.history import History


@dataclass(slots=True)
class Plan:
    """Where to send (resolved once per command or dialog) and how: a profile, or an ad-hoc URL, with secrets.

    ``warn`` hears what the user should know but that does not stop the send (the CLI prints it on stderr)."""

    profile: Profile | None
    url: str | None
    token: str | None
    app_secret: str | None
    install_id: str | None
    options: SendOptions
    gzip: bool
    warn: Callable[[str], None] = logging.getLogger(__name__).warning

    @property
    def label(self) -> str:
        return self.profile.name if self.profile else "--url"

    def target(self, payload_format: str) -> Target:
        if self.profile is not None:
            if KIND_FORMAT[self.profile.kind] != payload_format:
                raise InspectorError(
                    f"profile {self.profile.name!r} is a {KINDS[self.profile.kind][0].split(' (')[0]} endpoint, "
                    f"but the payload is {payload_format}"
                )
            target = self.profile.target(token=self.token, app_secret=self.app_secret)
            problem = None if (target.token or target.app_secret) else keyring_problem()
            if problem is not None:
                self.warn(
                    f"warning: profile {self.profile.name!r} has no secret here: the OS keyring is not available "
                    f"({problem}); pass the secret with --token-env"
                )
        else:
            assert self.url is not None
            target = target_from_url(self.url, payload_format)
            target.token = self.token or target.token
            target.app_secret = self.app_secret
        if self.install_id:
            target.install_id = self.install_id
        target.gzip = target.gzip or self.gzip
        return target


@dataclass(slots=True)
class Prepared:
    """A request ready to go, with what is needed to send, record, describe and copy it."""

    spec: RequestSpec
    target: Target
    module: Sender
    submission: Submission
    label: str  # the profile's name, or the URL of an ad-hoc send
    source: str = ""


@dataclass(slots=True)
class Sent:
    """One finished send: the exchange, its history id (None when not recorded) and why recording failed."""

    exchange: Exchange
    history_id: int | None = None
    record_error: str | None = None


def prepare(submission: Submission, target: Target, *, label: str, source: str = "") -> Prepared:
    """Build the request; raises InspectorError (nothing is sent) when the submission or target cannot make one."""
    module = sender(submission.format)
    spec = module.build_request(submission, target)
    return Prepared(spec, target, module, submission, label, source)


def record(history: History, sent: Sent, prepared: Prepared) -> None:
    """Record ``sent`` in ``history``; a history problem is kept in ``record_error``, never raised."""
    try:
        sent.history_id = history.record(
            sent.exchange,
            profile=prepared.label,
            target_kind=prepared.target.kind,
            format=prepared.submission.format,
            source=prepared.source,
        )
    except Exception as exc:  # the send happened; a full disk must not change or hide its result
        sent.record_error = str(exc) or type(exc).__name__


def send_prepared(
    prepared: Prepared,
    *,
    options: SendOptions | None = None,
    history: History | bool = True,
    progress: ProgressFn | None = None,
    waiting: WaitingFn | None = None,
    cancel: Cancel | None = None,
) -> Sent:
    """Send (with the client's bounded retries), name the target in the answer, record it.

    ``history``: a :class:`History` to record in, True for the user's history database, False for none.
    """
    from inspector.net.client import send_request

    exchange = send_request(
        prepared.spec,
        read_response=prepared.module.read_response,
        options=options,
        progress=progress,
        waiting=waiting,
        cancel=cancel,
    )
    if exchange.outcome is not None:
        exchange.outcome = name_target(exchange.outcome, prepared.module, prepared.target)
    sent = Sent(exchange)
    if history is True:
        from inspector.net.history import History

        try:
            db = History()
        except Exception as exc:
            sent.record_error = str(exc) or type(exc).__name__
            return sent
        try:
            record(db, sent, prepared)
        finally:
            db.close()
    elif history is not False:
        record(history, sent, prepared)
    return sent


def exchange_json(exchange: Exchange, *, source: str, plan_label: str, target_kind: str) -> dict[str, Any]:
    spec = exchange.request
    outcome = exchange.outcome
    body_text = spec.mask(exchange.body[:65536].decode("utf-8", "replace"))
    return {
        "file": source,
        "profile": plan_label,
        "target_kind": target_kind,
        "request": {
            "method": spec.method,
            "url": spec.masked_url,
            "headers": spec.masked_headers(),
            "size": spec.body_size,
            "notes": list(spec.notes),
        },
        "ok": exchange.ok,
        "status": exchange.status,
        "summary": spec.mask(exchange.summary),
        "details": [spec.mask(d) for d in exchange.details],
        "id": outcome.id if outcome else None,
        "link": outcome.link if outcome else None,
        "failure": exchange.failure.as_dict() if exchange.failure else None,
        "elapsed_ms": round(exchange.elapsed * 1000, 1),
        "attempts": exchange.attempts,
        "retries": list(exchange.history),
        "sent_bytes": exchange.sent_bytes,
        "response": None
        if exchange.status is None
        else {"headers": [(k, spec.mask(v)) for k, v in exchange.headers], "body": body_text},
        "exit_code": exchange.exit_code,
    }


def send_path(
    path: Path,
    plan: Plan,
    *,
    format: str = "auto",
    cancel: Cancel | None = None,
    waiting: WaitingFn | None = None,
    record: bool = True,
) -> dict[str, Any]:
    """Load, build, send (with the client's retries) and record one payload; the ``exchange_json`` dict.

    Raises InspectorError for bad input (nothing was sent). The same pipeline as the CLI's ``send_one`` (which adds
    flags and stderr); the window's Replay dialog sends each item with it.
    """
    submission = load_path(str(path), format=format)
    target = plan.target(submission.format)
    prepared = prepare(submission, target, label=plan.label, source=str(path))
    sent = send_prepared(prepared, options=plan.options, history=record, waiting=waiting, cancel=cancel)
    result = exchange_json(sent.exchange, source=str(path), plan_label=plan.label, target_kind=target.kind)
    result["history_id"] = sent.history_id
    return result


__all__ = [
    "Plan",
    "Prepared",
    "Sent",
    "exchange_json",
    "prepare",
    "record",
    "send_path",
    "send_prepared",
]
