"""Edit endpoint profiles. Secrets are typed into masked fields (a "Show" toggle reveals them) and kept where the
user chooses: the OS keyring, this session's memory, or an environment variable the profile names.

Changes are kept in the dialog until OK; then each profile is written with :meth:`ProfileStore.put` (renames
carry their secrets) and removed profiles are deleted with their secrets. Without an OS keyring the keyring choice
is off, the dialog says why and how to get one (:data:`NO_KEYRING_HELP`), and every profile still saves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.formats.base import InspectorError
from inspector.net.profiles import (
    KIND_FORMAT,
    KINDS,
    NO_KEYRING_HELP,
    SECRET_ENV,
    Profile,
    ProfileStore,
    keyring_problem,
    kind_capabilities,
    session_secret,
)
from inspector.ui.qt import named

#: Where a profile's secret is kept (the storage combo's data, in order).
KEYRING, SESSION, ENVIRONMENT = "keyring", "session", "env"


@dataclass(slots=True)
class _Row:
    profile: Profile
    secret: str | None  # None: unchanged / not loaded
    original_name: str | None  # None: new
    storage: str = KEYRING  # KEYRING, SESSION or ENVIRONMENT


def _loaded_row(profile: Profile, keyring_ok: bool) -> _Row:
    """A row for a stored profile: its secret and where it is kept (never raises for a missing keyring)."""
    if profile.secret_env:
        return _Row(profile, "", profile.name, ENVIRONMENT)
    held = session_secret(profile.name, profile.secret_which)
    if held or not keyring_ok:
        return _Row(profile, held or "", profile.name, SESSION)
    secret, _where = profile.find_secret()
    return _Row(profile, secret or "", profile.name, KEYRING)


class ProfilesDialog(QDialog):
    """A list of profiles on the left, the selected one's form on the right."""

    def __init__(self, store: ProfileStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Endpoint profiles")
        self.resize(760, 460)
        self.store = store
        self.keyring_problem = keyring_problem()
        self._rows: list[_Row] = [_loaded_row(p, self.keyring_problem is None) for p in store.load()]
        self._loading = False
        self._build()
        for row in self._rows:
            self.list.addItem(row.profile.name)
        if self._rows:
            self.list.setCurrentRow(0)
        self._show_current()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.list = named(QListWidget(), "profileList")
        self.list.currentRowChanged.connect(lambda _row: self._show_current())
        add = named(QPushButton("Add"), "addProfile")
        add.clicked.connect(self.add_profile)
        remove = named(QPushButton("Remove"), "removeProfile")
        remove.clicked.connect(self.remove_profile)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        left.addLayout(row)

        self.name_edit = named(QLineEdit(), "nameEdit")
        self.kind_combo = named(QComboBox(), "kindCombo")
        for kind, (title, _default) in KINDS.items():
            self.kind_combo.addItem(title, kind)
        self.base_edit = named(QLineEdit(), "baseUrlEdit")
        self.universe_edit = named(QLineEdit(), "universeEdit")
        self.secret_label = QLabel("Token:")
        self.secret_edit = named(QLineEdit(), "secretEdit")
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_secret = named(QCheckBox("Show"), "showSecret")
        self.show_secret.toggled.connect(self._toggle_secret)
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret_edit, 1)
        secret_row.addWidget(self.show_secret)
        self.storage_combo = named(QComboBox(), "secretStorage")
        self.storage_combo.addItem("in the system keyring", KEYRING)
        self.storage_combo.addItem("for this session only (in memory)", SESSION)
        self.storage_combo.addItem("from an environment variable", ENVIRONMENT)
        if self.keyring_problem is not None:  # the choice stays visible, switched off, with the reason next to it
            item = self.storage_combo.model().item(0)  # type: ignore[attr-defined]
            item.setEnabled(False)
            item.setToolTip(f"No system keyring: {self.keyring_problem}")
        self.env_edit = named(QLineEdit(), "secretEnvEdit")
        self.env_edit.setPlaceholderText("ROLLBAR_TOKEN")
        self.install_edit = named(QLineEdit(), "installIdEdit")
        self.install_edit.setReadOnly(True)
        new_install = named(QPushButton("New"), "newInstallId")
        new_install.clicked.connect(lambda: self.install_edit.setText(str(uuid.uuid4())))
        install_row = QHBoxLayout()
        install_row.addWidget(self.install_edit, 1)
        install_row.addWidget(new_install)
        self.install_row_widget = QWidget()
        self.install_row_widget.setLayout(install_row)
        install_row.setContentsMargins(0, 0, 0, 0)
        self.token_in_body = named(QCheckBox("Token as access_token in the body (not the header)"), "tokenInBody")
        self.gzip_check = named(QCheckBox("gzip the body"), "profileGzip")
        self.timeout_spin = named(QDoubleSpinBox(), "profileTimeout")
        self.timeout_spin.setRange(0.5, 600.0)
        self.timeout_spin.setSuffix(" s")
        self.attempts_spin = named(QSpinBox(), "attemptsSpin")
        self.attempts_spin.setRange(1, 10)
        self.verify_check = named(QCheckBox("Verify TLS certificates"), "verifyTls")
        self.ca_edit = named(QLineEdit(), "caBundleEdit")
        self.ca_edit.setPlaceholderText("system certificates")
        browse = QPushButton("…")
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)

        form = QFormLayout()
        form.addRow("Name:", self.name_edit)
        form.addRow("Kind:", self.kind_combo)
        form.addRow("Base URL:", self.base_edit)
        form.addRow("Universe:", self.universe_edit)
        form.addRow("Keep the secret:", self.storage_combo)
        form.addRow(self.secret_label, secret_row)
        form.addRow("Variable:", self.env_edit)
        form.addRow("Install-ID:", self.install_row_widget)
        form.addRow("", self.token_in_body)
        form.addRow("", self.gzip_check)
        form.addRow("Timeout:", self.timeout_spin)
        form.addRow("Attempts (429/503):", self.attempts_spin)
        form.addRow("", self.verify_check)
        form.addRow("CA bundle:", ca_row)
        self.form_widget = QWidget()
        self.form_widget.setLayout(form)
        self._form = form

        for widget in (
            self.name_edit,
            self.base_edit,
            self.universe_edit,
            self.secret_edit,
            self.ca_edit,
            self.env_edit,
        ):
            widget.textEdited.connect(lambda _t: self._store_current())
        self.storage_combo.currentIndexChanged.connect(lambda _i: self._storage_changed())
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._kind_changed())
        for check in (self.token_in_body, self.gzip_check, self.verify_check):
            check.toggled.connect(lambda _c: self._store_current())
        self.timeout_spin.valueChanged.connect(lambda _v: self._store_current())
        self.attempts_spin.valueChanged.connect(lambda _v: self._store_current())
        self.install_edit.textChanged.connect(lambda _t: self._store_current())

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addWidget(self.form_widget, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        note = QLabel(
            "Tokens and app secrets are kept in the system keyring, this session's memory or an environment "
            "variable; never in the profiles file."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.keyring_help = named(QLabel(NO_KEYRING_HELP), "keyringHelp")
        self.keyring_help.setWordWrap(True)
        self.keyring_help.setVisible(self.keyring_problem is not None)
        layout.addWidget(self.keyring_help)
        layout.addWidget(buttons)

    # ------------------------------------------------------------------ form <-> rows

    def _current(self) -> _Row | None:
        index = self.list.currentRow()
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def _show_current(self) -> None:
        row = self._current()
        self.form_widget.setEnabled(row is not None)
        if row is None:
            return
        self._loading = True
        p = row.profile
        self.name_edit.setText(p.name)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(p.kind))
        self.base_edit.setText(p.base_url)
        self.universe_edit.setText(p.universe)
        self.secret_edit.setText(row.secret or "")
        self.storage_combo.setCurrentIndex(self.storage_combo.findData(row.storage))
        self.env_edit.setText(p.secret_env)
        self.install_edit.setText(p.install_id)
        self.token_in_body.setChecked(p.token_in_body)
        self.gzip_check.setChecked(p.gzip)
        self.timeout_spin.setValue(p.timeout)
        self.attempts_spin.setValue(p.max_attempts)
        self.verify_check.setChecked(p.verify_tls)
        self.ca_edit.setText(p.ca_bundle)
        self._loading = False
        self._update_kind_fields()

    def _kind_changed(self) -> None:
        row = self._current()
        if row is not None and not self._loading:
            kind = self.kind_combo.currentData()
            if kind_capabilities(kind).install_id and not self.install_edit.text():
                self.install_edit.setText(str(uuid.uuid4()))
        self._update_kind_fields()
        self._store_current()

    def _update_kind_fields(self) -> None:
        kind = self.kind_combo.currentData() or "rollbar"
        caps = kind_capabilities(kind)
        self.secret_label.setText("App secret:" if caps.secret == "app-secret" else "Token:")
        self.base_edit.setPlaceholderText(KINDS[kind][1] or "https://your-server (required)")
        for widget, visible in (
            (self.universe_edit, kind == "backtrace-hosted"),
            (self.install_row_widget, caps.install_id),
            (self.token_in_body, caps.token_in_body),
        ):
            self._form.setRowVisible(widget, visible)
        from_env = self.storage_combo.currentData() == ENVIRONMENT
        self._form.setRowVisible(self.env_edit, from_env)
        self.secret_edit.setEnabled(not from_env)
        self.show_secret.setEnabled(not from_env)
        self.env_edit.setPlaceholderText(SECRET_ENV.get(KIND_FORMAT.get(kind, ""), "TOKEN"))

    def _storage_changed(self) -> None:
        if not self._loading and self.storage_combo.currentData() == ENVIRONMENT and not self.env_edit.text():
            kind = self.kind_combo.currentData() or "rollbar"
            self.env_edit.setText(SECRET_ENV.get(KIND_FORMAT.get(kind, ""), "TOKEN"))
        self._update_kind_fields()
        self._store_current()

    def _store_current(self) -> None:
        row = self._current()
        if row is None or self._loading:
            return
        kind = self.kind_combo.currentData() or "rollbar"
        row.profile = replace(
            row.profile,
            name=self.name_edit.text().strip(),
            kind=kind,
            base_url=self.base_edit.text().strip(),
            universe=self.universe_edit.text().strip(),
            install_id=self.install_edit.text().strip()
            if kind_capabilities(kind).install_id
            else row.profile.install_id,
            token_in_body=self.token_in_body.isChecked(),
            gzip=self.gzip_check.isChecked(),
            timeout=self.timeout_spin.value(),
            max_attempts=self.attempts_spin.value(),
            verify_tls=self.verify_check.isChecked(),
            ca_bundle=self.ca_edit.text().strip(),
            secret_env=self.env_edit.text().strip().lstrip("$")
            if self.storage_combo.currentData() == ENVIRONMENT
            else "",
        )
        row.secret = self.secret_edit.text()
        row.storage = self.storage_combo.currentData() or KEYRING
        item = self.list.item(self.list.currentRow())
        if item is not None and item.text() != row.profile.name:
            item.setText(row.profile.name)

    def _toggle_secret(self, shown: bool) -> None:
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA bundle", "", "Certificates (*.pem *.crt *.cer);;All files (*)")
        if path:
            self.ca_edit.setText(path)
            self._store_current()

    # ------------------------------------------------------------------ add / remove / save

    def add_profile(self) -> None:
        names = {r.profile.name for r in self._rows}
        n = 1
        while f"profile {n}" in names:
            n += 1
        storage = KEYRING if self.keyring_problem is None else SESSION
        self._rows.append(_Row(Profile(f"profile {n}", kind="rollbar"), "", None, storage))
        self.list.addItem(f"profile {n}")
        self.list.setCurrentRow(len(self._rows) - 1)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def remove_profile(self) -> None:
        index = self.list.currentRow()
        if 0 <= index < len(self._rows):
            del self._rows[index]
            self.list.takeItem(index)
            self._show_current()

    def profiles(self) -> list[Profile]:
        return [r.profile for r in self._rows]

    def save(self) -> None:
        """Write every profile (renames included) and delete the removed ones. Raises InspectorError."""
        names = [r.profile.name for r in self._rows]
        if any(not n for n in names):
            raise InspectorError("every profile needs a name")
        if len(set(names)) != len(names):
            raise InspectorError("two profiles have the same name")
        kept_originals = {r.original_name for r in self._rows if r.original_name}
        for old in self.store.load():
            if old.name not in kept_originals:
                self.store.delete(old.name)
        for row in self._rows:
            if row.storage == ENVIRONMENT and not row.profile.secret_env:
                raise InspectorError(
                    f"profile {row.profile.name!r}: name the environment variable that holds the secret"
                )
            secret = "" if row.storage == ENVIRONMENT else row.secret  # an env profile keeps no stored copy
            self.store.put(row.profile, secret=secret, old_name=row.original_name, session_only=row.storage == SESSION)
            row.original_name = row.profile.name
        # keep the file in the dialog's order
        self.store.save(self.profiles())

    def accept(self) -> None:  # Override QDialog.accept
        try:
            self.save()
        except InspectorError as exc:
            QMessageBox.warning(self, "Endpoint profiles", str(exc))
            return
        super().accept()

    @classmethod
    def edit(cls, parent: QWidget | None, store: ProfileStore | None = None) -> bool:
        """Show the dialog modally; True when the profiles were saved."""
        dialog = cls(store or ProfileStore(), parent)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()


def fill_profile_combo(combo: QComboBox, store: ProfileStore, select: str | None = None) -> str | None:
    """Fill a profile chooser (item data = profile name), keeping the selection when it still exists.

    Returns the error message when the profiles file cannot be read (the combo is then empty).
    """
    current = select or combo.currentData()
    error: str | None = None
    try:
        profiles = store.load()
    except InspectorError as exc:
        profiles, error = [], str(exc)
    combo.blockSignals(True)
    combo.clear()
    for profile in profiles:
        combo.addItem(f"{profile.name} — {KINDS[profile.kind][0].split(' (')[0]}", profile.name)
    index = combo.findData(current) if current else -1
    combo.setCurrentIndex(index if index >= 0 else 0 if profiles else -1)
    combo.blockSignals(False)
    return error


def chosen_profile(combo: QComboBox, store: ProfileStore) -> Profile | None:
    """The profile selected in a chooser filled by :func:`fill_profile_combo`, or None."""
    name = combo.currentData()
    if not name:
        return None
    try:
        return store.get(name)
    except InspectorError:
        return None
