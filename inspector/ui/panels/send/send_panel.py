"""The Send panel: pick an endpoint profile (or type a URL), see the exact request, send it off the GUI thread,
read the answer.

The panel never changes the document: a failed send (refused, timeout, 4xx) leaves the draft exactly as it was.
Every send goes through the one pipeline (:mod:`inspector.services.sending`), is recorded in the history (secrets
masked) and announced with the panel's ``recorded`` signal (the window's ``hooks.payload_recorded``). The body on
the wire is the editor's bytes unless the user picks compact or pretty JSON. The response pane belongs to the
document it was sent from: switching tabs shows that document's last answer, or nothing.

Without an OS keyring the panel still sends: profiles without a secret, secrets kept for the session or read from
an environment variable, and an ad-hoc URL; a note says why the keyring is missing and how to get one.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.formats.base import InspectorError, Submission
from inspector.net.curl import curl_command, secret_env_names
from inspector.net.history import History
from inspector.net.profiles import (
    KIND_FORMAT,
    NO_KEYRING_HELP,
    Profile,
    ProfileStore,
    keyring_problem,
    kind_capabilities,
    target_from_url,
)
from inspector.services.sending import Prepared, prepare
from inspector.ui import style
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.panels.history.store import shared_history
from inspector.ui.panels.send.profiles_dialog import chosen_profile, fill_profile_combo
from inspector.ui.qt import named
from inspector.ui.workers import Task, run_task

if TYPE_CHECKING:
    from inspector.net.client import Exchange, SendOptions
    from inspector.services.sending import Sent
from inspector.ui.panels.send.request import (
    ADHOC,
    BODY_AS_EDITED,
    BODY_COMPACT,
    BODY_PRETTY,
    NOTHING_SENT,
    InsecureSendDialog,
    SendBridge,
    describe,
    html_text,
    insecure_warning,
    json_highlighter,
    pretty_body,
    secret_from_text,
    send_job,
    with_body,
)


class SendPanel(QWidget):
    """Send the current document to the selected profile.

    Args:
        current_document: returns the open document (or None).
        store: the endpoint profiles (default: the user's profiles file).
        history: where sends are recorded (default: the app's history database); ``False`` records nothing.
    """

    sent = Signal(object)  # Exchange, after it was shown
    finished = Signal()  # a send ended (answer, failure or cancel)
    recorded = Signal(int)  # a send was recorded in the history: its id

    def __init__(
        self,
        current_document: Callable[[], OpenDocument | None],
        *,
        store: ProfileStore | None = None,
        history: History | bool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._current_document = current_document
        self.store = store or ProfileStore()
        self.history: History | None = (
            history if isinstance(history, History) else shared_history() if history in (None, True) else None
        )
        self._bridge = SendBridge(self)
        self._bridge.progress.connect(self._on_progress)
        self._bridge.waiting.connect(self._on_waiting)
        self._task: Task | None = None
        self._prepared: Prepared | None = None
        self._profiles: dict[int, Profile | None] = {}  # prepared request id -> its profile (for the options)
        self._responses: weakref.WeakKeyDictionary[OpenDocument, Exchange] = weakref.WeakKeyDictionary()
        self._sending_for: weakref.ref[OpenDocument] | None = None
        self.last_exchange: Exchange | None = None
        self._watched: OpenDocument | None = None
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(250)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self._build()
        self.reload_profiles()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.profile_combo = named(QComboBox(), "profileCombo")
        self.profile_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.profile_combo.currentIndexChanged.connect(self._profile_changed)
        self.url_edit = named(QLineEdit(), "adhocUrl")
        self.url_edit.setPlaceholderText("https://host/api/1/item/  or  http://127.0.0.1:8080")
        self.url_edit.setToolTip("Send to this URL without a profile; the target kind follows the URL and the payload")
        self.url_edit.textChanged.connect(self.schedule_preview)
        self.adhoc_secret = named(QLineEdit(), "adhocSecret")
        self.adhoc_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.adhoc_secret.setPlaceholderText("token / app secret, or $ROLLBAR_TOKEN")
        self.adhoc_secret.setToolTip(
            "Kept in memory for this session only. $NAME reads the environment variable NAME when sending."
        )
        self.adhoc_secret.textChanged.connect(self.schedule_preview)
        self.adhoc_secret.textChanged.connect(self._secret_echo)
        self.body_combo = named(QComboBox(), "bodyCombo")
        self.body_combo.addItem("Body as in the editor", BODY_AS_EDITED)
        self.body_combo.addItem("Body as compact JSON", BODY_COMPACT)
        self.body_combo.addItem("Body as pretty JSON", BODY_PRETTY)
        self.body_combo.setToolTip("The bytes on the wire are the editor's, unless you choose compact or pretty here")
        self.body_combo.currentIndexChanged.connect(self.schedule_preview)
        self.keyring_note = named(QLabel(), "keyringNote")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.hide()
        self.profiles_button = named(QPushButton("Profiles…"), "profilesButton")
        self.profiles_button.clicked.connect(self.edit_profiles)
        self.gzip_check = named(QCheckBox("gzip body"), "gzipCheck")
        self.gzip_check.toggled.connect(self.schedule_preview)
        self.timeout_spin = named(QDoubleSpinBox(), "timeoutSpin")
        self.timeout_spin.setRange(0.5, 600.0)
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setDecimals(1)
        self.timeout_spin.setValue(30.0)
        self.send_button = named(QPushButton("Send"), "sendButton")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        self.cancel_button = named(QPushButton("Cancel"), "cancelButton")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.curl_button = named(QToolButton(), "curlButton")
        self.curl_button.setText("Copy as curl")
        self.curl_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.curl_button.clicked.connect(lambda: self.copy_curl(inline_secrets=False))
        curl_menu = QMenu(self.curl_button)
        curl_menu.addAction("Copy as curl (secrets as $VARIABLES)", lambda: self.copy_curl(inline_secrets=False))
        curl_menu.addAction("Copy as curl with secrets inline", lambda: self.copy_curl(inline_secrets=True))
        self.curl_button.setMenu(curl_menu)

        top = QHBoxLayout()
        top.addWidget(QLabel("Target:"))
        top.addWidget(self.profile_combo, 1)
        top.addWidget(self.profiles_button)
        top.addWidget(self.body_combo)
        top.addWidget(self.gzip_check)
        top.addWidget(QLabel("Timeout:"))
        top.addWidget(self.timeout_spin)
        self.url_row = named(QWidget(), "adhocRow")
        url_layout = QHBoxLayout(self.url_row)
        url_layout.setContentsMargins(0, 0, 0, 0)
        url_layout.addWidget(QLabel("URL:"))
        url_layout.addWidget(self.url_edit, 2)
        url_layout.addWidget(QLabel("Secret:"))
        url_layout.addWidget(self.adhoc_secret, 1)
        self.url_row.hide()

        self.request_view = named(QPlainTextEdit(), "requestView")
        self.request_view.setReadOnly(True)
        self.request_view.setFont(style.mono_font())
        self.request_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.warning_label = named(QLabel(), "warningLabel")
        self.warning_label.setWordWrap(True)
        self.warning_label.hide()
        self.progress = named(QProgressBar(), "uploadProgress")
        self.progress.setFormat("%p% uploaded")
        self.progress.hide()
        self.status_label = named(QLabel(), "sendStatus")
        self.status_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.curl_button)
        buttons.addStretch(1)

        request_box = QGroupBox("Request (secrets masked)")
        request_layout = QVBoxLayout(request_box)
        request_layout.addWidget(self.request_view, 1)
        request_layout.addWidget(self.warning_label)
        request_layout.addLayout(buttons)
        request_layout.addWidget(self.progress)
        request_layout.addWidget(self.status_label)

        self.response_status = named(QLabel(), "responseStatus")
        self.response_status.setTextFormat(Qt.TextFormat.RichText)
        self.response_status.setWordWrap(True)
        self.response_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.response_status.setOpenExternalLinks(True)
        self.response_body = named(QPlainTextEdit(), "responseBody")
        self.response_body.setReadOnly(True)
        self.response_body.setFont(style.mono_font())
        self._highlighter = json_highlighter(self.response_body)
        self.response_headers = named(QPlainTextEdit(), "responseHeaders")
        self.response_headers.setReadOnly(True)
        self.response_headers.setFont(style.mono_font())
        self.response_tabs = named(QTabWidget(), "responseTabs")
        self.response_tabs.addTab(self.response_body, "Body")
        self.response_tabs.addTab(self.response_headers, "Headers")
        response_box = QGroupBox("Response")
        response_layout = QVBoxLayout(response_box)
        response_layout.addWidget(self.response_status)
        response_layout.addWidget(self.response_tabs, 1)
        self.response_status.setText(NOTHING_SENT)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(request_box)
        splitter.addWidget(response_box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.url_row)
        layout.addWidget(self.keyring_note)
        layout.addWidget(splitter, 1)

    # ------------------------------------------------------------------ profiles

    def reload_profiles(self, select: str | None = None) -> None:
        error = fill_profile_combo(self.profile_combo, self.store, select)
        self.profile_combo.blockSignals(True)
        self.profile_combo.addItem("URL without a profile…", ADHOC)
        if self.profile_combo.count() == 1 or select == ADHOC:
            self.profile_combo.setCurrentIndex(self.profile_combo.count() - 1)
        self.profile_combo.blockSignals(False)
        if error:
            self.status_label.setText(error)
        problem = keyring_problem()
        self.keyring_note.setVisible(problem is not None)
        if problem is not None:
            colour = style.html_colour(style.level_colour("warning"))
            self.keyring_note.setText(f"<span style='color:{colour}'>⚠</span> {html_text(NO_KEYRING_HELP)}")
            self.keyring_note.setToolTip(f"The keyring library says: {problem}")
        self._profile_changed()

    def _secret_echo(self, text: str) -> None:
        """A ``$NAME`` is a variable's name, not a secret: shown as typed; a token stays masked."""
        shown = text.startswith("$")
        self.adhoc_secret.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    @property
    def adhoc(self) -> bool:
        """Whether the target is a typed URL (no profile)."""
        return self.profile_combo.currentData() == ADHOC

    def selected_profile(self) -> Profile | None:
        if self.adhoc:
            return None
        return chosen_profile(self.profile_combo, self.store)

    def _profile_changed(self) -> None:
        self.url_row.setVisible(self.adhoc)
        profile = self.selected_profile()
        if profile is not None:
            self.gzip_check.blockSignals(True)
            self.gzip_check.setChecked(profile.gzip)
            self.gzip_check.blockSignals(False)
            self.timeout_spin.setValue(profile.timeout)
        self.refresh_preview()

    def edit_profiles(self) -> None:
        from inspector.ui.panels.send.profiles_dialog import ProfilesDialog

        if ProfilesDialog.edit(self, self.store):
            self.reload_profiles()

    # ------------------------------------------------------------------ the request

    def document_changed(self, document: OpenDocument | None = None) -> None:
        """Follow the window's current document (and its edits)."""
        if self._watched is not None:
            try:
                self._watched.changed.disconnect(self.schedule_preview)
            except (RuntimeError, TypeError):
                pass
        self._watched = document if isinstance(document, OpenDocument) else None
        if self._watched is not None:
            self._watched.changed.connect(self.schedule_preview)
        last = self._responses.get(self._watched) if self._watched is not None else None
        if last is not None:
            self.show_exchange(last)
        else:
            self.clear_response()
        self.refresh_preview()

    def schedule_preview(self) -> None:
        self._preview_timer.start()

    def prepare(self, submission: Submission, profile: Profile | None, source: str = "") -> Prepared:
        """Build the request for ``submission`` to ``profile`` (None: the typed URL); raises InspectorError with a
        message for the user."""
        if profile is None:
            url = self.url_edit.text().strip()
            if not url:
                raise InspectorError("type the URL to send to (or choose a profile)")
            target = target_from_url(url, submission.format)
            secret = secret_from_text(self.adhoc_secret.text())
            if secret:
                if kind_capabilities(target.kind).secret == "app-secret":
                    target.app_secret = secret
                else:
                    target.token = secret
            label = url
        else:
            if KIND_FORMAT[profile.kind] != submission.format:
                raise InspectorError(
                    f"profile {profile.name!r} sends {KIND_FORMAT[profile.kind]} payloads; "
                    f"this one is {submission.format}"
                )
            target = profile.target()
            label = profile.name
        target.gzip = self.gzip_check.isChecked()
        prepared = prepare(submission, target, label=label, source=source)
        self._profiles[id(prepared)] = profile
        return prepared

    def _prepare_current(self) -> Prepared:
        document = self._current_document()
        if document is None:
            raise InspectorError("open a payload first: the panel sends the document of the current tab")
        profile = self.selected_profile()
        if profile is None and not self.adhoc:
            raise InspectorError("add an endpoint profile first (Profiles…), or choose “URL without a profile”")
        editor_text = document.text if document.has_text else None
        submission = with_body(document.submission, self.body_combo.currentData() or BODY_AS_EDITED, editor_text)
        return self.prepare(submission, profile, document.title)

    def refresh_preview(self) -> None:
        try:
            prepared = self._prepare_current()
        except InspectorError as exc:
            self._prepared = None
            self.request_view.setPlainText(str(exc))
            self.warning_label.hide()
            self.send_button.setEnabled(False)
            self.curl_button.setEnabled(False)
            return
        self._prepared = prepared
        text = describe(prepared.spec)  # where the secret comes from goes under the headers, above the body
        self.request_view.setPlainText(text.replace("\n\nBody: ", f"\n({self._secret_line()})\n\nBody: ", 1))
        warning = insecure_warning(prepared.spec)
        self.warning_label.setVisible(bool(warning))
        if warning:
            colour = style.html_colour(style.level_colour("warning"))
            self.warning_label.setText(f"<span style='color:{colour}'>⚠ {warning}</span>")
        self.send_button.setEnabled(self._task is None)
        self.curl_button.setEnabled(True)

    def _secret_line(self) -> str:
        """Where the request's secret came from (never the secret itself)."""
        profile = self.selected_profile()
        if profile is None:
            text = self.adhoc_secret.text().strip()
            where = f"from ${text[1:]}" if text.startswith("$") else "typed, kept for this session" if text else "none"
            return f"Secret: {where}"
        _value, source = profile.find_secret()
        where = {
            "session": "kept for this session (memory)",
            "keyring": "from the system keyring",
            "none": "none" + (" (no system keyring: see the note above)" if keyring_problem() else ""),
        }.get(source, f"from {source}")
        return f"Secret of {profile.name!r}: {where}"

    def options(self, profile: Profile | None) -> SendOptions:
        from inspector.net.client import SendOptions

        options = profile.options() if profile is not None else SendOptions()
        options.timeout = self.timeout_spin.value()
        return options

    # ------------------------------------------------------------------ sending

    @property
    def busy(self) -> bool:
        return self._task is not None

    def send(self) -> bool:
        """Send the current document. False when nothing was started (no document, no profile, declined)."""
        try:
            prepared = self._prepare_current()
        except InspectorError as exc:
            self.status_label.setText(str(exc))
            return False
        return self.start(prepared, document=self._current_document())

    def send_submission(self, submission: Submission, profile_name: str | None = None, source: str = "") -> bool:
        """Send a submission that is not the current document (resend from the history)."""
        try:
            profile = self.store.get(profile_name) if profile_name else self.selected_profile()
            if profile is None and not self.adhoc:
                raise InspectorError("choose an endpoint profile first")
            prepared = self.prepare(submission, profile, source)
        except InspectorError as exc:
            self.status_label.setText(str(exc))
            return False
        self.request_view.setPlainText(describe(prepared.spec))
        return self.start(prepared, document=None)

    def start(self, prepared: Prepared, document: OpenDocument | None = None) -> bool:
        """Send ``prepared``; its answer is kept as ``document``'s last response (None: shown, kept for none)."""
        if self._task is not None:
            return False
        warning = insecure_warning(prepared.spec)
        if warning and not InsecureSendDialog.confirm(self, warning):
            self.status_label.setText("Not sent.")
            return False
        self.progress.setRange(0, max(1, len(prepared.spec.body)))
        self.progress.setValue(0)
        self.progress.setVisible(len(prepared.spec.body) > 256 * 1024)
        self.status_label.setText(f"Sending to {prepared.label}…")
        self._sending_for = weakref.ref(document) if document is not None else None
        self.send_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._task = run_task(
            send_job,
            prepared,
            self.options(self._profiles.pop(id(prepared), None)),
            self._bridge,
            self.history,
            pass_token=True,
            on_result=self._on_result,
            on_error=self._on_error,
        )
        return True

    def cancel(self) -> None:
        """Stop waiting: the worker stops uploading at the next chunk; a late answer is ignored."""
        if self._task is None:
            return
        self._task.cancel()
        self._task = None
        self._idle()
        self.status_label.setText("Cancelled. The draft is unchanged; the server may or may not have received it.")
        self.finished.emit()

    def _idle(self) -> None:
        self.cancel_button.setEnabled(False)
        self.send_button.setEnabled(self._prepared is not None)
        self.progress.hide()

    def _on_progress(self, sent: int, total: int) -> None:
        if self._task is None:
            return
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(sent)
        if sent >= total:
            self.status_label.setText("Uploaded; waiting for the answer…")

    def _on_waiting(self, left: float, attempt: int, max_attempts: int) -> None:
        if self._task is None:
            return
        if left > 0:
            self.status_label.setText(
                f"The server asks to wait: retrying in {int(left + 0.999)} s (attempt {attempt} of {max_attempts})"
            )
        else:
            self.status_label.setText(f"Retrying (attempt {attempt} of {max_attempts})…")

    def _on_result(self, result: Sent) -> None:
        exchange, history_id = result.exchange, result.history_id
        self._task = None
        self._idle()
        owner = self._sending_for() if self._sending_for is not None else None
        self._sending_for = None
        if owner is not None:
            self._responses[owner] = exchange
        if owner is None or owner is self._watched:
            self.show_exchange(exchange)
        status = "Accepted." if exchange.ok else "Not accepted: see the response."
        if owner is not None and owner is not self._watched:
            status += f" (the answer is kept with {owner.title})"
        if result.record_error is not None:
            status += f" Not recorded in the history: {result.record_error}"
        self.status_label.setText(status)
        if history_id is not None:
            self.recorded.emit(history_id)
        self.sent.emit(exchange)
        self.finished.emit()

    def _on_error(self, exc: BaseException) -> None:
        self._task = None
        self._idle()
        self.status_label.setText(f"The send failed unexpectedly: {exc}. The draft is unchanged.")
        self.finished.emit()

    # ------------------------------------------------------------------ the answer

    def clear_response(self) -> None:
        """Nothing sent from this document yet: an empty response pane."""
        self.last_exchange = None
        self.response_status.setText(NOTHING_SENT)
        self.response_headers.clear()
        self.response_body.clear()

    def show_exchange(self, exchange: Exchange) -> None:
        self.last_exchange = exchange
        spec = exchange.request
        good = style.html_colour(style.level_colour("log"))
        bad = style.html_colour(style.level_colour("error"))
        colour = good if exchange.ok else bad
        if exchange.status is not None:
            head = (
                f"<b style='color:{colour}'>{exchange.status} {html_text(exchange.reason)}</b>"
                f" · {exchange.elapsed * 1000:.0f} ms · {len(exchange.body):,} bytes"
                f" · attempt {exchange.attempts}"
            )
        else:
            kind = exchange.failure.kind if exchange.failure else "error"
            head = f"<b style='color:{colour}'>No answer ({kind})</b> · {exchange.elapsed * 1000:.0f} ms"
        lines = [head, f"<b>{html_text(spec.mask(exchange.summary))}</b>"]
        lines += [html_text(spec.mask(d)) for d in exchange.history + exchange.details]
        outcome = exchange.outcome
        if outcome and outcome.link:
            lines.append(f"<a href='{html_text(outcome.link)}'>{html_text(outcome.link)}</a>")
        if exchange.failure is not None:
            lines.append("<i>The draft is unchanged; fix the cause and send again.</i>")
        self.response_status.setText("<br>".join(lines))
        self.response_headers.setPlainText("\n".join(f"{k}: {spec.mask(v)}" for k, v in exchange.headers))
        self.response_body.setPlainText(spec.mask(pretty_body(exchange.body)))
        self.status_label.setText("Accepted." if exchange.ok else "Not accepted: see the response.")

    # ------------------------------------------------------------------ curl

    def curl_command(self, *, inline_secrets: bool = False) -> str:
        """The curl command of the previewed request; a binary body is saved to a file next to the history."""
        if self._prepared is None:
            raise InspectorError("nothing to copy: no request is ready")
        spec, target = self._prepared.spec, self._prepared.target
        names = secret_env_names(target, self._prepared.submission.format, spec)
        return curl_command(spec, names, inline_secrets=inline_secrets)  # body files: private, removed at exit

    def copy_curl(self, *, inline_secrets: bool = False) -> None:
        try:
            command = self.curl_command(inline_secrets=inline_secrets)
        except InspectorError as exc:
            self.status_label.setText(str(exc))
            return
        QGuiApplication.clipboard().setText(command)
        tail = " with the secrets inline." if inline_secrets else "; set the variables it names first."
        self.status_label.setText("Copied the curl command" + tail)
