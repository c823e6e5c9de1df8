"""tests/corpus/SOURCES.md stays exact: every corpus payload is listed once, with its size in bytes."""

from __future__ import annotations

import re
from pathlib import Path

CORPUS = Path(__file__).parent.parent / "corpus"
KINDS = ("backtrace", "rollbar", "appcenter", "minidump", "apple")


def _rows() -> dict[tuple[str, str], int]:
    rows: dict[tuple[str, str], int] = {}
    section = None
    for line in (CORPUS / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"## (\w+)/ \((\d+) files\)", line):
            section = m.group(1)
        elif m := re.match(r"\| `([^`]+)` \| (\d+) \|", line):
            assert section is not None, line
            assert (section, m.group(1)) not in rows, f"listed twice: {m.group(1)}"
            rows[(section, m.group(1))] = int(m.group(2))
    return rows


def test_every_corpus_file_is_listed_with_its_exact_size() -> None:
    rows = _rows()
    on_disk = {(k, p.name): p.stat().st_size for k in KINDS for p in (CORPUS / k).iterdir() if p.is_file()}
    assert rows == on_disk


def test_section_counts_match() -> None:
    text = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for kind in KINDS:
        (count,) = re.findall(rf"## {kind}/ \((\d+) files\)", text)
        assert int(count) == sum(1 for p in (CORPUS / kind).iterdir() if p.is_file()), kind
