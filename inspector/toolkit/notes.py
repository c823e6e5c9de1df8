"""The conversion report: what was carried over to the target, what was approximated and what was lost."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    CARRIED = "carried"
    APPROXIMATED = "approximated"  # carried, but not in a field of the same meaning
    GENERATED = "generated"  # required by the target, not in the source: a fresh or default value
    LOST = "lost"


@dataclass(frozen=True, slots=True)
class Note:
    """One line of the conversion report: ``source`` field -> ``target`` pointer, and why."""

    status: Status
    source: str
    target: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"status": str(self.status), "source": self.source, "target": self.target, "detail": self.detail}


@dataclass
class ConversionNotes:
    notes: list[Note] = field(default_factory=list)

    def add(self, status: Status, source: str, target: str = "", detail: str = "") -> None:
        self.notes.append(Note(status, source, target, detail))

    def carried(self, source: str, target: str, detail: str = "") -> None:
        self.add(Status.CARRIED, source, target, detail)

    def approximated(self, source: str, target: str, detail: str) -> None:
        self.add(Status.APPROXIMATED, source, target, detail)

    def generated(self, target: str, detail: str) -> None:
        self.add(Status.GENERATED, "", target, detail)

    def lost(self, source: str, detail: str) -> None:
        self.add(Status.LOST, source, "", detail)

    def by_status(self, status: Status) -> list[Note]:
        return [n for n in self.notes if n.status is status]

    def counts(self) -> dict[str, int]:
        return {str(s): len(self.by_status(s)) for s in Status}

    def as_list(self) -> list[dict[str, Any]]:
        return [n.as_dict() for n in self.notes]

    def text(self) -> str:
        lines = []
        for status in Status:
            notes = self.by_status(status)
            if not notes:
                continue
            lines.append(f"{status.upper()} ({len(notes)}):")
            for n in notes:
                arrow = f"{n.source or '-'} -> {n.target}" if n.target else (n.source or "-")
                lines.append(f"  {arrow}" + (f"  ({n.detail})" if n.detail else ""))
        return "\n".join(lines)
