"""What the Send panel sends and shows, apart from its widgets: the body as chosen (the editor's bytes, compact or
pretty JSON), an ad-hoc secret, the plain-http question, the request preview text and the worker's send job."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit, QWidget

from inspector.formats.base import InspectorError, RequestSpec, Submission
from inspector.formats.jsondoc import Document, dumps
from inspector.net.history import History
from inspector.services.sending import Prepared, send_prepared

if TYPE_CHECKING:
    from inspector.net.client import SendOptions
    from inspector.net.profiles import Profile


def insecure_warning(spec: RequestSpec) -> str | None:
    """:func:`inspector.net.client.insecure_warning`, imported on first use: the client imports httpx (0.1 s),
    which the app's start does not need."""
    from inspector.net.client import insecure_warning as warning

    return warning(spec)


class InsecureSendDialog:
    """Asks before a secret goes over plain http to a host that is not loopback."""

    @classmethod
    def confirm(cls, parent: QWidget | None, message: str) -> bool:
        answer = QMessageBox.warning(
            parent,
            "Send a secret over plain http?",
            message[:1].upper() + message[1:] + "\n\nSend anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes


#: The profile chooser's entry for a send to a typed URL, without a profile.
ADHOC = "\x00url"
#: Body choices: the editor's bytes (default), or the JSON re-serialized compact / pretty on purpose.
BODY_AS_EDITED, BODY_COMPACT, BODY_PRETTY = "edited", "compact", "pretty"


def with_body(submission: Submission, choice: str, editor_text: str | None = None) -> Submission:
    """``submission`` whose JSON body is the editor's bytes (``editor_text`` of an edited document; an unedited one
    sends its original bytes) or, chosen on purpose, compact / pretty JSON. The open document is never changed."""
    document = submission.document
    if document is None:
        return submission
    if choice == BODY_COMPACT:
        data = dumps(document.value)
    elif choice == BODY_PRETTY:
        data = dumps(document.value, pretty=True)
    elif document.original is None and editor_text:
        data = editor_text.encode("utf-8")
    else:
        return submission
    return replace(submission, document=Document(value=document.value, original=data))


def secret_from_text(text: str) -> str | None:
    """An ad-hoc secret field's value: ``$NAME`` reads the environment variable NAME; empty is no secret."""
    text = text.strip()
    if text.startswith("$") and len(text) > 1:
        value = os.environ.get(text[1:])
        if not value:
            raise InspectorError(f"the environment variable {text[1:]} is not set or empty")
        return value
    return text or None


class SendBridge(QObject):
    """Carries worker-thread callbacks to the GUI thread (queued signals)."""

    progress = Signal(object, object)  # sent, total
    waiting = Signal(float, int, int)  # seconds left, next attempt, max attempts


def send_job(prepared: Prepared, options: SendOptions, bridge: SendBridge, history: History | None, cancel: Any) -> Any:
    """Runs on the worker pool: the one send pipeline (send, name the target, record)."""
    return send_prepared(
        prepared,
        options=options,
        history=history if history is not None else False,
        progress=bridge.progress.emit,
        waiting=bridge.waiting.emit,
        cancel=cancel,
    )


NOTHING_SENT = "<i>Nothing sent from this document yet.</i>"
#: How much of the body the request preview shows.
PREVIEW_BYTES = 4096


def describe(spec: RequestSpec) -> str:
    lines = [f"{spec.method} {spec.masked_url}", ""]
    lines += [f"{k}: {v}" for k, v in spec.masked_headers()]
    lines += ["", f"Body: {len(spec.body):,} bytes"]
    lines += [f"Note: {n}" for n in dict.fromkeys(spec.notes)]  # a note said once
    if spec.body and b"\x00" not in spec.body[:PREVIEW_BYTES] and spec.body[:2] != b"\x1f\x8b":
        head = spec.mask(spec.body[:PREVIEW_BYTES].decode("utf-8", "replace"))
        lines += ["", head + (" …" if len(spec.body) > PREVIEW_BYTES else "")]
    elif spec.body:
        lines += ["", f"(binary body, starts with {spec.body[:16].hex(' ')})"]
    return "\n".join(lines)


def pretty_body(body: bytes) -> str:
    text = body[: 2 * 1024 * 1024].decode("utf-8", "replace")
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def json_highlighter(edit: QPlainTextEdit) -> object | None:
    """Colour the answer with the window's Pygments JSON highlighter (the JSON lexer directly: looking a lexer
    up by file name scans every Pygments lexer, 0.1 s of the app's start)."""
    from inspector.ui.document.highlight import PygmentsHighlighter
    from inspector.ui.document.highlight_spans import json_lexer

    return PygmentsHighlighter(edit.document(), json_lexer())


def confirm_plain_http(parent: QWidget | None, profile: Profile, secret_word: str = "secret") -> bool:
    """Ask before ``profile``'s secret (its ``secret_word``: "secret", "token") goes over plain http to a host that is
    not loopback; True when it may (https, loopback, or the user said so)."""
    from inspector.net.client import is_loopback  # imports httpx (0.1 s): on first use

    parts = urlsplit(profile.effective_base_url)
    if parts.scheme != "http" or is_loopback(parts.hostname):
        return True
    return InsecureSendDialog.confirm(
        parent,
        f"the profile {profile.name!r} sends its {secret_word} over plain http to {parts.hostname}; anyone on the "
        "network path can read it. Use https unless this is a trusted test server.",
    )
