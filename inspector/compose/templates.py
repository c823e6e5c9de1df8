"""File > New: the payload templates of ``resources/templates`` (listed in ``index.json``), instantiated fresh.

Each template is a real payload shaped like the corpus captures. Instantiating gives new uuids and timestamps;
Backtrace templates with attachments or a minidump are built as a multipart request (through :mod:`bundle`) and
read back through :func:`inspector.formats.load_bytes`, so a template is exactly what opening a file gives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from inspector.compose import bundle
from inspector.compose.ids import refresh_ids
from inspector.formats import capabilities, load_bytes
from inspector.formats.base import InspectorError, Part, Submission
from inspector.formats.jsondoc import dumps, split
from inspector.resources import resource_path


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    title: str
    format: str
    file: str
    attachments: tuple[dict[str, str], ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    merge: dict[str, str] = field(default_factory=dict)
    main_part: str | None = None

    @property
    def api(self) -> str:
        return capabilities(self.format).send_api or self.format


@cache
def templates() -> tuple[Template, ...]:
    """Every template, in menu order."""
    entries = json.loads(resource_path("templates", "index.json").read_text("utf-8"))
    return tuple(
        Template(
            id=e["id"],
            title=e["title"],
            format=e["format"],
            file=e["file"],
            attachments=tuple(e.get("attachments", ())),
            fields=tuple(tuple(f) for f in e.get("fields", ())),
            merge=dict(e.get("merge", {})),
            main_part=e.get("main_part"),
        )
        for e in entries
    )


def get_template(template_id: str) -> Template:
    for template in templates():
        if template.id == template_id:
            return template
    raise InspectorError(f"no template {template_id!r}; known: {', '.join(t.id for t in templates())}")


def _read(name: str) -> bytes:
    return resource_path("templates", name).read_bytes()


def template_value(template: Template, now: float | None = None) -> Any:
    """The template's JSON value with fresh ids (JSON templates only)."""
    value = json.loads(_read(template.file))
    for pointer, name in template.merge.items():
        tokens = split(pointer)
        target = value
        for token in tokens[:-1]:
            target = target[token]
        target[tokens[-1]] = json.loads(_read(name))
    return refresh_ids(template.format, value, now)


def instantiate(template_id: str, now: float | None = None) -> Submission:
    """A new Submission from a template, with fresh uuids and timestamps."""
    template = get_template(template_id)
    name = f"{template.id}.json"
    if template.main_part:  # a native upload (minidump) in a multipart body
        main = Part(
            name=template.main_part,
            data=_read(template.file),
            filename=template.file,
            content_type="application/octet-stream",
        )
        data = bundle.multipart_request(main, _attachments(template), list(template.fields))
        return load_bytes(data, source_name=f"{template.id}.multipart")
    payload = dumps(template_value(template, now), pretty=True)
    if template.attachments or template.fields:
        main = Part(name="upload_file", data=payload, filename="upload_file", content_type="application/json")
        data = bundle.multipart_request(main, _attachments(template), list(template.fields))
        return load_bytes(data, source_name=f"{template.id}.multipart", format=template.api)
    return load_bytes(payload, source_name=name, format=template.api)


def _attachments(template: Template) -> list[Part]:
    return [
        Part(name=a["name"], data=_read(a["file"]), filename=a["filename"], content_type=a.get("content_type"))
        for a in template.attachments
    ]


def duplicate(submission: Submission, text: str, count: int, now: float | None = None) -> list[bytes]:
    """``count`` copies of a submission's payload (as saveable bytes) with fresh uuids/timestamps each."""
    if count < 1:
        raise InspectorError("the number of copies must be at least 1")
    if count > 10_000:
        raise InspectorError("at most 10,000 copies at once")
    value = json.loads(text)
    out = []
    for _ in range(count):
        fresh = refresh_ids(submission.format, value, now)
        out.append(bundle.save_bytes(submission, dumps(fresh, pretty=True).decode("utf-8"))[0])
    return out
