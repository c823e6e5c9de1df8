"""What the Replay and Upload dialogs share: a non-modal dialog that runs one job for an endpoint profile on a
worker (:mod:`inspector.ui.workers`), with a profile chooser, a status line, and its inputs disabled while the job
runs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QWidget

from inspector.net.profiles import Profile, ProfileStore
from inspector.ui.panels.send.profiles_dialog import chosen_profile, fill_profile_combo
from inspector.ui.workers import Task


class ProfileTaskDialog(QDialog):
    """A subclass builds ``profile_combo`` and ``status_label`` and says which inputs a running job disables
    (:meth:`_set_busy`)."""

    store: ProfileStore
    profile_combo: QComboBox
    status_label: QLabel

    def __init__(self, parent: QWidget | None, store: ProfileStore | None) -> None:
        super().__init__(parent)
        self.store = store or ProfileStore()
        self._task: Task | None = None

    def show_sized(self, parent: QWidget | None, width: int, height: int) -> None:
        """Show the dialog, not modal (a replay or a multi-GB upload takes a while); deleted on close when it has a
        parent window."""
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, parent is not None)
        self.resize(width, height)
        self.show()

    def reload_profiles(self) -> None:
        error = fill_profile_combo(self.profile_combo, self.store)
        if error:
            self.status_label.setText(error)
        self._profile_changed()

    def selected_profile(self) -> Profile | None:
        return chosen_profile(self.profile_combo, self.store)

    def _profile_changed(self) -> None:
        """Another profile was chosen (a subclass may adapt its inputs)."""

    @property
    def running(self) -> bool:
        return self._task is not None

    def _busy(self) -> None:
        self._set_busy(True)

    def _idle(self) -> None:
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        raise NotImplementedError
