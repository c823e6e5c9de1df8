"""A readable summary of a report, in Markdown or standalone HTML, to paste into a ticket.

Both list: the headline facts, the exception chain, the crashed thread's stack (top frames, most recent
first), device, key attributes, the telemetry tail and the validation problems. The HTML is one file with
inline CSS and no external assets; every value goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inspector.formats import get_format, validate
from inspector.formats.base import Problem, Submission
from inspector.report import Frame, Report
from inspector.toolkit.neutral import Neutral, neutral_of

TOP_FRAMES = 30
TELEMETRY_TAIL = 10
KEY_ATTRIBUTES = 25


@dataclass
class SummaryData:
    """Everything both renderers show, already picked and ordered."""

    title: str
    format_title: str
    facts: list[tuple[str, str]]
    chain: list[tuple[int, str, str | None]]  # (depth, type, message)
    stack_title: str
    frames: list[tuple[int, str, str]]  # (index, function, location)
    more_frames: int
    device: list[tuple[str, str]]
    attributes: list[tuple[str, str]]
    more_attributes: int
    telemetry: list[tuple[str, str, str]]  # (time, level/type, message)
    problems: list[Problem]


def time_text(ts: float | None) -> str | None:
    """A report's time as people read it in UTC (``2026-12-02 21:44:00 UTC``); the number itself when out of range."""
    if ts is None:
        return None
    try:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return str(ts)


def _where(f: Frame) -> str:
    return f.location() or f.module or (f"0x{f.address:x}" if f.address is not None else "")


def _stack(n: Neutral) -> tuple[str, Sequence[Frame]]:
    crashed = n.crashed_thread
    if crashed is not None and crashed.frames:
        return f"Crashed thread: {crashed.name or crashed.id}", crashed.frames
    if n.exceptions and n.exceptions[0].frames:
        return "Stack of the exception", n.exceptions[0].frames
    return "Stack", []


def summary_data(submission: Submission, report: Report, problems: list[Problem] | None = None) -> SummaryData:
    n = neutral_of(report)
    s = report.summary
    facts = [
        ("Level", s.level),
        ("Fatal", None if s.fatal is None else ("yes" if s.fatal else "no")),
        ("App", " ".join(x for x in (s.app, s.app_version) if x) or None),
        ("OS", s.os),
        ("Device", s.device),
        ("Time", time_text(s.timestamp)),
        ("Environment", s.environment),
        ("Language", s.language),
        ("SDK", s.sdk),
        ("Id", s.id),
        ("Source", submission.envelope.source_name),
    ]
    stack_title, frames = _stack(n)
    device = [(k.replace("_", " "), str(v)) for k, v in n.device.items()]
    device += [(f"user {k}", v) for k, v in n.person.items()]
    attributes = [(k, str(v)) for k, v in n.attributes.items()]
    tail = n.telemetry[-TELEMETRY_TAIL:]
    telemetry = [
        (time_text(e.timestamp) or "", " ".join(x for x in (e.level, e.type) if x), e.message or e.url or "")
        for e in tail
    ]
    return SummaryData(
        title=s.title or report.kind,
        format_title=f"{get_format(submission.format).TITLE} {report.kind}",
        facts=[(k, str(v)) for k, v in facts if v not in (None, "")],
        chain=[(e.depth, e.type or "?", e.message) for e in n.exceptions],
        stack_title=stack_title,
        frames=[(i, f.function or "?", _where(f)) for i, f in enumerate(frames[:TOP_FRAMES])],
        more_frames=max(0, len(frames) - TOP_FRAMES),
        device=device,
        attributes=attributes[:KEY_ATTRIBUTES],
        more_attributes=max(0, len(attributes) - KEY_ATTRIBUTES),
        telemetry=telemetry,
        problems=problems if problems is not None else validate(submission),
    )


#: Characters that end a line somewhere (CommonMark: LF, CR; other renderers and editors: the Unicode ones).
_LINE_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
#: Other control characters (shown as an escape, never passed through).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
#: The ASCII punctuation that can start inline Markdown in the middle of a line: escapes, code spans, emphasis,
#: links and images, table cells, strikethrough, a heading's closing #s (``&``, ``<``, ``>`` become entities).
_PUNCTUATION = re.compile(r"([\\`*_\[\]|~#!])")


def _one_line(text: Any) -> str:
    """``text`` on one line: line breaks and control characters become visible escapes (``\\n``, ``\\x00``)."""
    out = _LINE_BREAKS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", out)


def _md(text: Any) -> str:
    """A value as Markdown text that renders as exactly that text: one line, no markup, no raw HTML.

    Values always sit inside a line (after ``## ``, ``| ``, ``- **key**: ``), so only inline syntax matters: its
    punctuation is backslash-escaped (CommonMark allows it, GFM tables need it for ``|``) and ``&``, ``<``, ``>``
    become entities, so no value can open a tag, a link, an autolink, an entity, emphasis or a code span, nor end
    a table cell or a list item (line breaks are escapes, see :func:`_one_line`).
    """
    out = _PUNCTUATION.sub(r"\\\1", _one_line(text))
    return out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: Any) -> str:
    """A value as an inline code span (CommonMark 6.1): one line, fenced by more backticks than it holds."""
    body = _one_line(text) or " "
    fence = "`" * (max((len(run) for run in re.findall("`+", body)), default=0) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def _fence(lines: list[str]) -> str:
    """A code fence longer than any run of backticks in ``lines`` (so none of them can close it)."""
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    return "`" * max(3, longest + 1)


def to_markdown(submission: Submission, report: Report, problems: list[Problem] | None = None) -> str:
    d = summary_data(submission, report, problems)
    out = [f"## {_md(d.title)}", "", f"*{_md(d.format_title)}*", ""]
    if d.facts:
        out += ["| | |", "|---|---|", *(f"| **{k}** | {_md(v)} |" for k, v in d.facts), ""]
    if d.chain:
        out += ["### Exception", ""]
        out += [
            f"{'  ' * depth}- {'caused by ' if depth else ''}**{_md(t)}**" + (f": {_md(m)}" if m else "")
            for depth, t, m in d.chain
        ]
        out.append("")
    if d.frames:
        lines = [f"#{i:<3} {_one_line(func)}  {_one_line(where)}" for i, func, where in d.frames]
        if d.more_frames:
            lines.append(f"... {d.more_frames} more frames")
        fence = _fence(lines)
        out += [f"### {_md(d.stack_title)}", "", fence, *lines, fence, ""]
    if d.device:
        out += ["### Device", "", *(f"- **{_md(k)}**: {_md(v)}" for k, v in d.device), ""]
    if d.attributes:
        out += ["### Key attributes", "", "| attribute | value |", "|---|---|"]
        out += [f"| {_md(k)} | {_md(v[:200])} |" for k, v in d.attributes]
        if d.more_attributes:
            out.append(f"| ... | {d.more_attributes} more |")
        out.append("")
    if d.telemetry:
        out += [f"### Telemetry (last {len(d.telemetry)})", ""]
        out += [f"- {_md(t)} {_md(kind)}: {_md(msg[:200])}".replace("-  ", "- ") for t, kind, msg in d.telemetry]
        out.append("")
    out += ["### Problems", ""]
    if d.problems:
        out += [f"- **{p.severity}** {_code(p.pointer or '/')}: {_md(p.message)}" for p in d.problems]
    else:
        out.append("No problems found.")
    out.append("")
    return "\n".join(out)


_CSS = """
body{font:14px/1.45 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#1d1d1f;max-width:1100px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:15px;margin:22px 0 6px;border-bottom:1px solid #ddd}
.sub{color:#666;margin-bottom:12px} table{border-collapse:collapse} td,th{padding:2px 10px 2px 0;text-align:left;
vertical-align:top} th{color:#555;font-weight:600} pre,code{font:12px/1.4 Menlo,Consolas,monospace}
pre{background:#f6f6f6;padding:8px;overflow-x:auto} .error{color:#b00020} .warning{color:#a15c00} .info{color:#555}
ul.chain li{margin:2px 0}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def to_html(submission: Submission, report: Report, problems: list[Problem] | None = None) -> str:
    d = summary_data(submission, report, problems)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(d.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_e(d.title)}</h1>",
        f'<div class="sub">{_e(d.format_title)}</div>',
    ]
    if d.facts:
        out.append('<table class="facts">')
        out += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in d.facts]
        out.append("</table>")
    if d.chain:
        out += ["<h2>Exception</h2>", '<ul class="chain">']
        for depth, t, m in d.chain:
            prefix = "caused by " if depth else ""
            style = f' style="margin-left:{depth * 18}px"' if depth else ""
            out.append(f"<li{style}>{prefix}<b>{_e(t)}</b>" + (f": {_e(m)}" if m else "") + "</li>")
        out.append("</ul>")
    if d.frames:
        out += [
            f"<h2>{_e(d.stack_title)}</h2>",
            '<table class="frames">',
            "<tr><th>#</th><th>function</th><th>location</th></tr>",
        ]
        out += [
            f"<tr><td>{i}</td><td><code>{_e(func)}</code></td><td><code>{_e(where)}</code></td></tr>"
            for i, func, where in d.frames
        ]
        out.append("</table>")
        if d.more_frames:
            out.append(f"<p>… {d.more_frames} more frames</p>")
    if d.device:
        out += [
            "<h2>Device</h2>",
            "<table>",
            *(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in d.device),
            "</table>",
        ]
    if d.attributes:
        out += ["<h2>Key attributes</h2>", '<table class="attributes">']
        out += [f"<tr><th>{_e(k)}</th><td>{_e(v[:300])}</td></tr>" for k, v in d.attributes]
        out.append("</table>")
        if d.more_attributes:
            out.append(f"<p>… {d.more_attributes} more attributes</p>")
    if d.telemetry:
        out += [f"<h2>Telemetry (last {len(d.telemetry)})</h2>", '<table class="telemetry">']
        out += [f"<tr><td>{_e(t)}</td><td>{_e(k)}</td><td>{_e(m[:300])}</td></tr>" for t, k, m in d.telemetry]
        out.append("</table>")
    out.append("<h2>Problems</h2>")
    if d.problems:
        out.append('<ul class="problems">')
        out += [
            f'<li class="{_e(p.severity)}"><b>{_e(p.severity)}</b> <code>{_e(p.pointer or "/")}</code>: '
            f"{_e(p.message)}</li>"
            for p in d.problems
        ]
        out.append("</ul>")
    else:
        out.append("<p>No problems found.</p>")
    out.append("</body></html>\n")
    return "\n".join(out)
