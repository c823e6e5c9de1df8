"""A picture of the telemetry before the crash: one mark per event, coloured by level, the crash at the end."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QHelpEvent, QMouseEvent, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from inspector.report import TelemetryEvent
from inspector.ui import style
from inspector.ui.document.models.lists import format_relative

#: Events drawn at most; beyond that every n-th (a mark is at least a pixel wide anyway).
MAX_MARKS = 4000
_MARGIN = 14


class TimelineWidget(QWidget):
    """Draws events on a time axis ending at the crash.

    Signals:
        event_clicked(int): the index (in the events sequence) of the mark clicked.
    """

    event_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("telemetryTimeline")
        self.setMinimumHeight(64)
        self.setMouseTracking(True)
        self._events: Sequence[TelemetryEvent] = ()
        self._crash: float | None = None
        self._end_label = "crash"
        self._marks: list[tuple[float, int, str]] = []  # (time or ordinal, index, level)
        self._start = 0.0
        self._end = 1.0
        self._placed = True

    def sizeHint(self) -> QSize:  # Override QWidget.sizeHint
        return QSize(600, 72)

    def set_events(self, events: Sequence[TelemetryEvent], crash_time: float | None, end_label: str = "crash") -> None:
        """``end_label`` names the moment at the axis end (:func:`~inspector.ui.window.labels.occurrence_word`).

        The marks are placed when first needed (painted, counted, pointed at): placing reads up to
        :data:`MAX_MARKS` events, each made from the document on first read (~20 ms for the 3 000 events of a
        512 KB Rollbar item), which a document opened on another tab never needs."""
        self._end_label = end_label
        self._events = events
        self._crash = crash_time
        self._placed = False
        self.update()

    def _place(self) -> None:
        if self._placed:
            return
        self._placed = True
        events = self._events
        n = len(events)
        step = max(1, n // MAX_MARKS)
        marks: list[tuple[float, int, str]] = []
        timed = True
        for i in range(0, n, step):
            event = events[i]
            if event.timestamp is None:
                timed = False
                break
            marks.append((event.timestamp, i, (event.level or "").lower()))
        if not timed:  # no clock: place events evenly, in order
            marks = [(float(i), i, (events[i].level or "").lower()) for i in range(0, n, step)]
            self._crash = float(n)
        marks.sort()
        self._marks = marks
        times = [m[0] for m in marks]
        end = self._crash if self._crash is not None else (times[-1] if times else 1.0)
        start = min(times) if times else end - 1.0
        if end <= start:
            start = end - 1.0
        self._start, self._end = start, max(end, times[-1] if times else end)

    @property
    def mark_count(self) -> int:
        self._place()
        return len(self._marks)

    def _x(self, t: float) -> float:
        width = max(1, self.width() - 2 * _MARGIN - 40)
        return _MARGIN + (t - self._start) / (self._end - self._start) * width

    def paintEvent(self, event) -> None:  # Override QWidget.paintEvent
        self._place()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        mid = self.height() / 2
        painter.setPen(QPen(style.dim_text(), 1))
        painter.drawLine(QPointF(_MARGIN, mid), QPointF(self.width() - _MARGIN - 30, mid))
        if not self._marks:
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), "No telemetry in this report")
            painter.end()
            return
        for t, _i, level in self._marks:
            x = self._x(t)
            painter.setPen(QPen(style.level_colour(level), 2))
            painter.drawLine(QPointF(x, mid - 12), QPointF(x, mid + 12))
        if self._crash is not None:
            x = self._x(self._crash)
            crash = style.level_colour("critical")
            path = QPainterPath()
            path.moveTo(x, mid - 9)
            path.lineTo(x + 9, mid)
            path.lineTo(x, mid + 9)
            path.lineTo(x - 9, mid)
            path.closeSubpath()
            painter.fillPath(path, crash)
            painter.setPen(crash)
            painter.drawText(QRectF(x - 30, mid + 10, 60, 18), int(Qt.AlignmentFlag.AlignCenter), self._end_label)
        painter.setPen(style.dim_text())
        label = format_relative(self._start - self._end) if self._crash is not None else ""
        painter.drawText(QRectF(_MARGIN, 2, 160, 16), int(Qt.AlignmentFlag.AlignLeft), label)
        painter.drawText(
            QRectF(_MARGIN, self.height() - 18, 300, 16),
            int(Qt.AlignmentFlag.AlignLeft),
            f"{len(self._events)} events",
        )
        painter.end()

    def mark_at(self, x: float) -> int | None:
        """The event index of the mark nearest to ``x`` (within 5 px)."""
        self._place()
        if not self._marks:
            return None
        xs = [self._x(m[0]) for m in self._marks]
        pos = bisect.bisect_left(xs, x)
        best = None
        for candidate in (pos - 1, pos):
            near = 0 <= candidate < len(xs) and abs(xs[candidate] - x) <= 5
            if near and (best is None or abs(xs[candidate] - x) < abs(xs[best] - x)):
                best = candidate
        return self._marks[best][1] if best is not None else None

    def tooltip_for(self, index: int) -> str:
        self._place()  # (an untimed list moves the crash to its end)
        event = self._events[index]
        when = ""
        if event.timestamp is not None and self._crash is not None:
            when = format_relative(event.timestamp - self._crash) + "  "
        text = " ".join(str(p) for p in (event.message, event.url, event.status) if p)
        return f"{when}[{event.level or '-'}] {event.type or ''} {event.source or ''}\n{text[:300]}".strip()

    def event(self, event: QEvent) -> bool:  # Override QWidget.event
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.mark_at(event.position().x() if hasattr(event, "position") else event.pos().x())
            if index is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip_for(index), self)
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Override QWidget.mousePressEvent
        index = self.mark_at(event.position().x())
        if index is not None:
            self.event_clicked.emit(index)
        super().mousePressEvent(event)
