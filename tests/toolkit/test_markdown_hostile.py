"""Markdown export of hostile values: rendered by a real CommonMark renderer (raw HTML allowed, as GitHub-style
renderers do before sanitising), no value becomes a tag, a link or markup, and each shows as its own text."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.formats import load_bytes, reports
from inspector.formats.jsondoc import dumps
from inspector.toolkit.export import _code, _md, to_markdown

markdown_it = pytest.importorskip("markdown_it")

ROOT = Path(__file__).resolve().parents[2]
#: Tags the summary itself produces; anything else came from a value.
ALLOWED_TAGS = {"h2", "h3", "p", "em", "strong", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "pre", "code"}
ATTACKS = [
    "\n\n<script>alert(1)</script>",
    "`x`\n\n<img src=x onerror=alert(1)>",
    "```\n<iframe src=javascript:alert(1)>",
    "\r<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "<https://evil.example>",
    "**bold** _it_ | cell | ~~s~~",
    "&lt;b&gt; &#60;script&#62;",
    "\u2028<b>x</b>",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _render(markdown: str) -> _Tags:
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def _hostile_backtrace() -> bytes:
    attrs = {f"key{i}{attack}": f"value{attack}" for i, attack in enumerate(ATTACKS)}
    frames = [{"funcName": f"f{i}{attack}", "path": f"p{attack}.py", "line": "1"} for i, attack in enumerate(ATTACKS)]
    value = {
        "uuid": "7d9a4e2a-0000-4000-8000-000000000000",
        "timestamp": 1700000000,
        "lang": "python",
        "langVersion": "3.11",
        "agent": "backtrace-python",
        "agentVersion": "0.4.3",
        "mainThread": "1",
        "threads": {"1": {"name": "main", "fault": True, "stack": frames}},
        "attributes": {"error.message": ATTACKS[0], **attrs},
        "classifiers": [ATTACKS[1]],
    }
    return dumps(value)


def test_a_hostile_report_renders_without_raw_html(tmp_path: Path) -> None:
    sub = load_bytes(_hostile_backtrace(), source_name="x.json")
    markdown = to_markdown(sub, reports(sub)[0])
    page = _render(markdown)
    assert page.tags <= ALLOWED_TAGS, page.tags - ALLOWED_TAGS
    assert page.attrs == []  # no href, src, onerror...
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text and "[click](javascript:alert(1))" in text  # shown as text
    # the CLI writes the same (atomically) and exits 0
    out = tmp_path / "summary.md"
    source = tmp_path / "x.json"
    source.write_bytes(_hostile_backtrace())
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "export", "--as", "markdown", str(source), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert done.returncode == 0, done.stderr
    assert _render(out.read_text(encoding="utf-8")).tags <= ALLOWED_TAGS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_value_is_text_in_a_table_cell_and_a_code_span(value: str) -> None:
    cell = _render(f"| a | b |\n|---|---|\n| x | {_md(value)} |\n")
    assert cell.tags <= {"table", "thead", "tbody", "tr", "th", "td"} and cell.attrs == []
    item = _render(f"- **error** {_code(value)}: {_md(value)}\n")
    assert item.tags <= {"ul", "li", "strong", "code"} and item.attrs == []
