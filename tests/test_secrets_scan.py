"""After a scripted session that puts tokens everywhere, no token value is found outside the keyring.

The session: three profiles with secrets (Rollbar token, Backtrace token, App Center app secret), a send of
each through the Send panel to the local receiver on 127.0.0.1 (history recorded), "Copy as curl" (secrets as
variables), and the receiver capturing each request. Then the config dir, the data dir (history database,
receiver inbox, drafts), the cache and state dirs (logs), the clipboard and the text of every widget (what a
screenshot shows) are searched for every token value, raw and in its URL-encoded and base64 forms.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import keyring
import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from inspector.formats import load_path
from inspector.net.history import History
from inspector.net.profiles import Profile, ProfileStore
from inspector.net.receiver import ReceiverConfig, ReceiverThread
from inspector.net.store import CaptureStore
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.panels.send.send_panel import SendPanel
from inspector.ui.workers import wait_all

CORPUS = Path(__file__).parent / "corpus"
DOCS = {
    "rollbar": CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json",
    "backtrace": CORPUS / "backtrace" / "backtrace-node-0.8.3_exception_plain-json.json",
    "appcenter": CORPUS / "appcenter" / "docs_managedError_android_innerExceptions.json",
}
SECRETS = {
    "rollbar": "5ec7e75ec7e75ec7e75ec7e75ec7e7aa",
    "backtrace-direct": "b7" * 32,
    "appcenter": "5ec7e700-aaaa-4bbb-8ccc-5ec7e75ec7e7",
}


def forms(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, quote(secret).encode(), base64.b64encode(raw), raw.hex().encode()]


@pytest.fixture
def receiver() -> Iterator[ReceiverThread]:
    server = ReceiverThread(CaptureStore(), ReceiverConfig(host="127.0.0.1", port=0))  # default inbox, free port
    server.start()
    yield server
    server.stop()


def widget_texts(widget: QWidget) -> list[str]:
    out = []
    for child in [widget, *widget.findChildren(QWidget)]:
        visible_line = isinstance(child, QLineEdit) and child.echoMode() == QLineEdit.EchoMode.Normal
        if isinstance(child, QLabel | QAbstractButton) or visible_line:
            out.append(child.text())
        elif isinstance(child, QPlainTextEdit | QTextEdit):
            out.append(child.toPlainText())
        out.append(child.toolTip())
    return out


def run_session(qtbot, receiver: ReceiverThread) -> list[str]:  # type: ignore[no-untyped-def]
    """Profiles with secrets, a send of each format to the receiver, Copy as curl. Returns the texts shown."""
    store = ProfileStore()
    history = History()
    seen_text: list[str] = []
    try:
        for kind, secret in SECRETS.items():
            fmt = "backtrace" if kind.startswith("backtrace") else kind
            store.put(Profile(f"p-{fmt}", kind=kind, base_url=receiver.url), secret=secret)
            document = OpenDocument(load_path(str(DOCS[fmt])), path=DOCS[fmt])
            panel = SendPanel(lambda document=document: document, history=history)
            qtbot.addWidget(panel)
            panel.document_changed(document)
            with qtbot.waitSignal(panel.finished, timeout=20000):
                assert panel.send_submission(document.submission, f"p-{fmt}"), panel.status_label.text()
            assert panel.last_exchange is not None and panel.last_exchange.ok, panel.response_status.text()
            panel.copy_curl(inline_secrets=False)
            seen_text.append(QGuiApplication.clipboard().text())
            seen_text.extend(widget_texts(panel))
        wait_all(10000)
    finally:
        history.close()
    assert set(keyring.get_keyring().store.values()) >= set(SECRETS.values())  # the secrets are in the keyring
    assert CaptureStore().load(), "the receiver stored nothing: the scan would prove nothing"
    return seen_text


def scan(root: Path, *, skip: Path | None = None) -> list[str]:
    hits: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if skip is not None and skip in path.parents:
            continue
        data = path.read_bytes()
        hits += [f"{path.relative_to(root)}: {kind}" for kind, s in SECRETS.items() if any(f in data for f in forms(s))]
    return hits


def test_no_token_in_config_history_logs_clipboard_or_widgets(  # type: ignore[no-untyped-def]
    qtbot, receiver: ReceiverThread, _isolated_user_dirs: Path
) -> None:
    seen_text = run_session(qtbot, receiver)
    hits = scan(_isolated_user_dirs, skip=CaptureStore().root)
    for text in seen_text:
        hits += [f"widget/clipboard text: {kind}" for kind, s in SECRETS.items() if s in text]
    assert not hits, "token values found outside the keyring:\n" + "\n".join(sorted(set(hits)))


def test_no_token_in_the_receiver_inbox(qtbot, receiver: ReceiverThread, _isolated_user_dirs: Path) -> None:  # type: ignore[no-untyped-def]
    run_session(qtbot, receiver)
    hits = scan(CaptureStore().root)
    assert not hits, "token values found in the receiver's inbox:\n" + "\n".join(sorted(set(hits)))
