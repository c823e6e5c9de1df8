"""The field table: where each format keeps the fields the forms edit."""

from __future__ import annotations

import pytest

from inspector.compose import fields as F
from inspector.compose.templates import instantiate
from inspector.formats.jsondoc import Edit, get


@pytest.mark.parametrize(
    ("template_id", "key", "pointer"),
    [
        ("rollbar-trace", "type", "/data/body/trace/exception/class"),
        ("rollbar-trace-chain", "type", "/data/body/trace_chain/0/exception/class"),
        ("rollbar-message", "message", "/data/body/message/body"),
        ("appcenter-managed-error", "type", "/logs/0/exception/type"),
        ("appcenter-apple-error", "type", "/logs/0/exceptionType"),
        ("backtrace-error", "type", "/attributes/error.type"),
        ("backtrace-error", "timestamp", "/timestamp"),
    ],
)
def test_field_pointers(template_id: str, key: str, pointer: str) -> None:
    sub = instantiate(template_id)
    (root,) = F.roots(sub.format, sub.document.value)
    spec = next(f for f in root.fields if f.key == key)
    assert spec.pointer == pointer
    assert get(sub.document.value, pointer) is not None


def test_appcenter_batch_has_one_root_per_error_not_per_attachment() -> None:
    sub = instantiate("appcenter-batch-attachment")
    roots = F.roots("appcenter", sub.document.value)
    assert [r.pointer for r in roots] == ["/logs/0"]


def test_backtrace_frames_are_the_main_threads_stack() -> None:
    sub = instantiate("backtrace-error-threads")
    (root,) = F.roots("backtrace", sub.document.value)
    assert root.frames == f"/threads/{sub.document.value['mainThread']}/stack"


def test_set_edits_creates_missing_parents() -> None:
    value = {"data": {"environment": "qa"}}
    assert F.set_edits(value, "/data/person/id", "7") == [Edit("set", "/data/person", {"id": "7"})]
    assert F.set_edits(value, "/data/environment", "prod") == [Edit("set", "/data/environment", "prod")]


def test_unknown_format_has_no_roots() -> None:
    assert F.roots("minidump", {"a": 1}) == []
    assert F.roots("rollbar", [1, 2]) == []
