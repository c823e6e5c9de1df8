"""Drafts that survive a crash: the text of every modified document, autosaved under the user data dir.

One draft is one JSON file ``<id>.json`` in ``<user data dir>/crash-inspector/drafts`` holding the editor text
(even when it is not valid JSON, then with the last valid text beside it), the format, the title and path, the
attachments (base64) and the writer's process id. Writes are atomic (temporary file, fsync, rename), so a kill
during a write leaves the previous draft.
A clean close removes the draft; on the next start, drafts whose process is gone are offered for restoring.
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from inspector import settings
from inspector.atomic import write_bytes
from inspector.formats.base import Part

#: Autosave period. With the editor's longest debounce wait (1 s) at most ~2 s of typing is lost on a kill.
AUTOSAVE_MS = 1000


def drafts_dir() -> Path:
    return settings.drafts_dir()


@dataclass(slots=True)
class Draft:
    id: str
    text: str
    format: str
    title: str
    path: str | None = None
    attachments: list[Part] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    pid: int = 0
    saved_at: float = 0.0
    base_text: str | None = None  # the last valid text, when ``text`` is not valid JSON

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "version": 1,
                "id": self.id,
                "text": self.text,
                "base_text": self.base_text,
                "format": self.format,
                "title": self.title,
                "path": self.path,
                "pid": self.pid,
                "saved_at": self.saved_at,
                "fields": self.fields,
                "attachments": [
                    {
                        "name": p.name,
                        "filename": p.filename,
                        "content_type": p.content_type,
                        "data": base64.b64encode(p.data).decode("ascii"),
                    }
                    for p in self.attachments
                ],
            },
            ensure_ascii=False,
        ).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Draft:
        raw = json.loads(data)
        parts = [
            Part(
                name=a["name"],
                data=base64.b64decode(a["data"]),
                filename=a.get("filename"),
                content_type=a.get("content_type"),
            )
            for a in raw.get("attachments", [])
        ]
        return cls(
            id=raw["id"],
            text=raw["text"],
            format=raw["format"],
            title=raw["title"],
            path=raw.get("path"),
            attachments=parts,
            fields=[tuple(f) for f in raw.get("fields", [])],
            pid=raw.get("pid", 0),
            saved_at=raw.get("saved_at", 0.0),
            base_text=raw.get("base_text"),
        )


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class DraftStore:
    """The drafts folder. Safe to share between processes: each process only writes its own drafts."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or drafts_dir()

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def save(self, draft: Draft) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        draft.pid = os.getpid()
        draft.saved_at = time.time()
        path = self.folder / f"{draft.id}.json"
        write_bytes(path, draft.to_json(), mode=0o600)  # a draft holds a payload
        return path

    def remove(self, draft_id: str) -> None:
        try:
            (self.folder / f"{draft_id}.json").unlink()
        except FileNotFoundError:
            pass

    def all(self) -> list[Draft]:
        """Every readable draft, newest first (damaged files are skipped, never raised)."""
        if not self.folder.is_dir():
            return []
        out = []
        for path in self.folder.glob("*.json"):
            try:
                out.append(Draft.from_json(path.read_bytes()))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(out, key=lambda d: d.saved_at, reverse=True)

    def orphans(self) -> list[Draft]:
        """Drafts left by a process that is gone (crashed or killed): the ones to offer for restoring."""
        return [d for d in self.all() if not _alive(d.pid)]
