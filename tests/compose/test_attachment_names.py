"""Attachment save-out names from hostile payloads: always a safe, non-empty, valid name inside the folder."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.compose.attachments import MAX_NAME_BYTES, sanitize_filename, save_out

HOSTILE = [
    "a" * 300,  # over 200 bytes with no dot: was cut to an empty name
    "\ud800.txt",  # a lone surrogate: was UnicodeEncodeError
    "invoice\u202etxt.exe",  # right-to-left override: shows as "invoiceexe.txt"
    "\u2066evil\u2069.pdf",
    "zero\u200bwidth.txt",
    "x" * 250 + ".log",
    "a." + "b" * 300,
    "é" * 150,
    "../../etc/passwd",
    "C:\\Windows\\win.ini",
    "con.txt",
    "..",
    "",
    "\u202e",
    "line\nbreak.txt",
]


@pytest.mark.parametrize("name", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_name_saves_under_a_safe_one(tmp_path: Path, name: str) -> None:
    path = save_out(tmp_path, name, b"data")
    assert path.parent == tmp_path.resolve() and path.read_bytes() == b"data"
    assert path.name and len(path.name.encode("utf-8")) <= MAX_NAME_BYTES
    assert not any(unicodedata.category(c) in ("Cf", "Cc", "Cs") for c in path.name)
    if name.endswith((".txt", ".log", ".pdf")):
        assert path.suffix == name[-4:]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=400))
def test_any_name_becomes_a_valid_file_name(name: str) -> None:
    safe = sanitize_filename(name)
    encoded = safe.encode("utf-8")  # never UnicodeEncodeError
    assert safe and 0 < len(encoded) <= MAX_NAME_BYTES and "/" not in safe and "\\" not in safe
    assert safe not in (".", "..") and not any(unicodedata.category(c) in ("Cf", "Cc", "Cs") for c in safe)
