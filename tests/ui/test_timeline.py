"""The telemetry timeline: its marks are placed when first needed (painted, counted, pointed at), not when a
document view is built — reading the events makes each one from the document (3 000 for a 512 KB Rollbar item)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from inspector.report import TelemetryEvent
from inspector.ui.document.timeline import TimelineWidget


class Counted(Sequence[TelemetryEvent]):
    """Events as a report's lazy list gives them: made on each read, counted."""

    def __init__(self, events: list[TelemetryEvent]) -> None:
        self.events = events
        self.reads = 0

    def __len__(self) -> int:
        return len(self.events)

    def __getitem__(self, index):  # type: ignore[override]
        self.reads += 1
        return self.events[index]


def _events(n: int, timed: bool = True) -> Counted:
    levels = ("info", "warning", "error")
    return Counted(
        [TelemetryEvent(1000.0 + i if timed else None, levels[i % 3], "log", "client", f"event {i}") for i in range(n)]
    )


def test_marks_are_placed_when_first_painted(qtbot) -> None:
    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    events = _events(50)
    timeline.set_events(events, crash_time=1060.0)
    assert events.reads == 0  # nothing read to build the view
    timeline.resize(600, 72)
    image = timeline.grab().toImage()
    assert events.reads >= 50
    assert timeline.mark_count == 50
    assert len({image.pixel(x, 36) for x in range(0, 600, 3)}) > 2  # marks drawn, not an empty axis


@pytest.mark.parametrize("timed", [True, False])
def test_counting_and_pointing_place_the_marks_too(qtbot, timed: bool) -> None:
    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.resize(600, 72)
    events = _events(10, timed)
    timeline.set_events(events, crash_time=1020.0 if timed else None)
    assert timeline.mark_count == 10
    fresh = TimelineWidget()
    qtbot.addWidget(fresh)
    fresh.resize(600, 72)
    fresh.set_events(_events(10, timed), crash_time=1020.0 if timed else None)
    x = fresh._x(fresh._marks[0][0]) if fresh.mark_count else 0.0
    again = TimelineWidget()
    qtbot.addWidget(again)
    again.resize(600, 72)
    again.set_events(_events(10, timed), crash_time=1020.0 if timed else None)
    assert again.mark_at(x) == 0  # asked first: placed, then found
    tip = again.tooltip_for(0)
    assert "event 0" in tip and "[info]" in tip
    if not timed:  # no clock: the events are placed in order and the end sits after the last
        assert again._crash == 10.0


def test_new_events_replace_the_marks(qtbot) -> None:
    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.set_events(_events(5), crash_time=1010.0)
    assert timeline.mark_count == 5
    timeline.set_events(_events(3), crash_time=1010.0)
    assert timeline.mark_count == 3
    timeline.set_events((), crash_time=None)
    assert timeline.mark_count == 0
