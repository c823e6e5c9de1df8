"""The panels' docks: each joins its area of the window when first shown, tabbed with the docks already there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDockWidget, QMainWindow

if TYPE_CHECKING:
    from PySide6.QtCore import Qt


#: The part of the window's width (side docks) or height (bottom docks) a panel takes when it opens.
DOCK_SHARE = 0.32


class PanelDock(QDockWidget):
    """A panel's dock. It joins its dock area of the window when it is first shown (View › Panels, ``show_panel``,
    ``show()``): adding it at the start would need the Qt namespace's enums (20 ms, see inspector.ui.app)."""

    def __init__(self, title: str, window: QMainWindow, area: Qt.DockWidgetArea | str) -> None:
        super().__init__(title, window)
        self._area: Qt.DockWidgetArea | str | None = area  # None once in the window's dock area

    def setVisible(self, visible: bool) -> None:  # Override QWidget.setVisible (show(), hide(), the toggle action)
        if visible and self._area is not None:
            self.dock_in()
        super().setVisible(visible)

    def dock_in(self) -> None:
        """Add the dock to its area of the window now (still hidden if it was)."""
        if self._area is None:
            return
        from PySide6.QtCore import Qt

        area, self._area = self._area, None
        if isinstance(area, str):
            area = getattr(Qt.DockWidgetArea, f"{area.capitalize()}DockWidgetArea")
        window = self.parentWidget()
        assert isinstance(window, QMainWindow)
        # Docks of one area share it as tabs: side by side, three panels would crush the document at 1280x800.
        neighbours = [
            d
            for d in window.findChildren(PanelDock)
            if d is not self and d._area is None and not d.isFloating() and window.dockWidgetArea(d) == area
        ]
        window.addDockWidget(area, self)
        if neighbours:
            window.tabifyDockWidget(neighbours[0], self)
        # A new dock takes a share of the window, not what its contents would like (the document keeps the most).
        vertical = area in (Qt.DockWidgetArea.TopDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea)
        if vertical:
            window.resizeDocks([self], [int(window.height() * DOCK_SHARE)], Qt.Orientation.Vertical)
        else:
            window.resizeDocks([self], [int(window.width() * DOCK_SHARE)], Qt.Orientation.Horizontal)
