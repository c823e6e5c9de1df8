"""The summary header and the summary page, as HTML built from a Report (colours passed in by the caller)."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from inspector.formats import get_format
from inspector.formats.base import Problem, Severity, Submission
from inspector.report import Report
from inspector.ui.document.models.frame_text import exception_stacks, frame_line, thread_title
from inspector.ui.window.labels import plural

#: Frames listed on the summary page.
TOP_FRAMES = 10


def _e(text: object) -> str:
    return html.escape(str(text))


def format_times(ts: float | None) -> tuple[str | None, str] | None:
    """(local, UTC) renderings of an epoch timestamp; local is None when the local zone is UTC (said once)."""
    if ts is None:
        return None
    try:
        utc = datetime.fromtimestamp(ts, UTC)
    except (OverflowError, OSError, ValueError):
        return None, str(ts)
    local = utc.astimezone()
    utc_text = utc.strftime("%Y-%m-%d %H:%M:%S UTC")
    if local.utcoffset() == timedelta(0):
        return None, utc_text
    return local.strftime("%Y-%m-%d %H:%M:%S %Z"), utc_text


def headline(report: Report) -> tuple[str, str]:
    """(exception type or title, message)."""
    if report.exceptions:
        exc = report.exceptions[0]
        return exc.type or report.summary.title or "Exception", exc.message or ""
    return report.summary.title or report.kind, ""


def problem_counts(problems: list[Problem]) -> tuple[int, int, int]:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = sum(p.severity is Severity.WARNING for p in problems)
    return errors, warnings, len(problems) - errors - warnings


def header_html(
    submission: Submission,
    report: Report | None,
    problems: list[Problem],
    colours: dict[str, str],
    validating: bool = False,
) -> str:
    """The compact header over every view: what crashed, where, when, and how many problems (``validating``: a big
    document's problems are still being looked for)."""
    title = get_format(submission.format).TITLE
    errors, warnings, infos = problem_counts(problems)
    prob = []
    if errors:
        prob.append(f"<span style='color:{colours['error']}'><b>{plural(errors, 'error')}</b></span>")
    if warnings:
        prob.append(f"<span style='color:{colours['warning']}'>{plural(warnings, 'warning')}</span>")
    if infos:
        prob.append(f"{infos} info")
    if validating:
        problems_text = "validating…"
    else:
        problems_text = ", ".join(prob) if prob else f"<span style='color:{colours['ok']}'>no problems</span>"
    if report is None:
        return f"<b>{_e(title)} {_e(submission.kind)}</b> — no report could be derived &nbsp;·&nbsp; {problems_text}"
    s = report.summary
    kind, message = headline(report)
    level = s.level or ""
    fatal = "fatal" if s.fatal else ("non-fatal" if s.fatal is False else "")
    if fatal and fatal == level.lower():
        fatal = ""
    badges = " ".join(
        f"<span style='background:{colours['badge']}; color:{colours['badge_text']}'>&nbsp;{_e(b)}&nbsp;</span>"
        for b in (level, fatal)
        if b
    )
    line1 = f"<span style='font-size:large'><b>{_e(kind)}</b></span>"
    if message:
        short = message if len(message) < 300 else message[:299] + "…"
        line1 += f"<span style='font-size:large'>: {_e(short)}</span>"
    if badges:
        line1 += f" &nbsp;{badges}"
    facts = [f"{_e(title)} · {_e(report.kind)}"]
    app = " ".join(x for x in (s.app, s.app_version) if x)
    if app:
        facts.append(f"<b>{_e(app)}</b>")
    for value in (s.os, s.device, s.environment and f"env {s.environment}", s.language, s.sdk):
        if value:
            facts.append(_e(value))
    times = format_times(s.timestamp)
    line2 = " &nbsp;·&nbsp; ".join(facts)
    if times is None:
        line3 = "no timestamp"
    else:
        line3 = _e(times[1]) if times[0] is None else f"{_e(times[0])} &nbsp;({_e(times[1])})"
    line3 += f" &nbsp;·&nbsp; {problems_text}"
    dim = colours["dim"]
    return f"{line1}<br><span>{line2}</span><br><span style='color:{dim}'>{line3}</span>"


def summary_html(
    submission: Submission,
    report: Report | None,
    problems: list[Problem],
    colours: dict[str, str],
    validating: bool = False,
) -> str:
    """The summary page: facts, the exception chain, the top frames of the crash, counts and top problems."""
    out = [f"<h3>{_e(get_format(submission.format).TITLE)} — {_e(submission.kind)}</h3>"]
    out.append(f"<p style='color:{colours['dim']}'>{_e(submission.detection.reason)}</p>")
    if report is not None:
        s = report.summary
        times = format_times(s.timestamp)
        facts = [
            ("Title", s.title),
            ("Level", s.level),
            ("Fatal", None if s.fatal is None else ("yes" if s.fatal else "no")),
            ("Application", " ".join(x for x in (s.app, s.app_version) if x) or None),
            ("OS", s.os),
            ("Device", s.device),
            ("Time (local)", times[0] if times else None),
            ("Time (UTC)" if times and times[0] else "Time", times[1] if times else None),
            ("Environment", s.environment),
            ("Language", s.language),
            ("SDK", s.sdk),
            ("ID", s.id),
        ]
        rows = "".join(
            f"<tr><td style='color:{colours['dim']}; padding-right:16px'>{_e(k)}</td><td>{_e(v)}</td></tr>"
            for k, v in facts
            if v
        )
        out.append(f"<table cellspacing='2'>{rows}</table>")
        if report.exceptions:
            out.append("<h4>Exception chain</h4><ul>")
            for exc in report.exceptions:
                rel = f"<i>{_e(exc.relation or 'caused by')}</i> " if exc.depth else ""
                msg = f": {_e(exc.message)}" if exc.message else ""
                out.append(f"<li style='margin-left:{exc.depth * 16}px'>{rel}<b>{_e(exc.type or '?')}</b>{msg}</li>")
            out.append("</ul>")
        stacks = [st for st in exception_stacks(report) if len(st.frames)]
        crashed = report.crashed_thread
        if not stacks and crashed is not None and len(crashed.frames):
            from inspector.ui.document.models.frame_text import thread_stacks

            stacks = thread_stacks(report)[:1]
        if stacks:
            stack = stacks[0]
            n = len(stack.frames)
            order = range(n) if report.most_recent_first else range(n - 1, -1, -1)
            lines = []
            for count, i in enumerate(order):
                if count >= TOP_FRAMES:
                    break
                number = i if report.most_recent_first else n - 1 - i
                lines.append(_e(frame_line(number, stack.frames[i])))
            more = f"\n… {n - TOP_FRAMES} more" if n > TOP_FRAMES else ""
            shown = sum(len(st.frames) for st in stacks)  # what the Frames tab counts
            out.append(f"<h4>Top frames — {_e(stack.title.strip())} ({plural(shown, 'frame')} in the Frames tab)</h4>")
            out.append(f"<pre>{chr(10).join(lines)}{_e(more)}</pre>")
        if report.threads:
            crashed_text = thread_title(crashed) if crashed is not None else "none marked as crashed"
            out.append(f"<p>Threads: {len(report.threads)} — {_e(crashed_text)}</p>")
        counts = report.counts()
        label = {"frames": "frames (all threads)"} if len(report.threads) > 1 else {}
        parts = (f"{_e(label.get(k, k))}: <b>{v}</b>" for k, v in counts.items())
        out.append("<p>" + " &nbsp;·&nbsp; ".join(parts) + "</p>")
    errors, warnings, infos = problem_counts(problems)
    counts_text = f"{plural(errors, 'error')}, {plural(warnings, 'warning')}, {infos} info"
    if validating:  # a big document's problems are still being looked for: no "0 problems" yet
        counts_text = "validating…"
    out.append(f"<h4>Problems: {counts_text}</h4><ul>")
    for p in problems[:8]:
        colour = colours.get(str(p.severity), colours["dim"])
        out.append(
            f"<li><span style='color:{colour}'>{_e(p.severity)}</span> "
            f"<code>{_e(p.pointer or '/')}</code> {_e(p.message)}</li>"
        )
    if len(problems) > 8:
        out.append(f"<li>… {len(problems) - 8} more on the Problems tab</li>")
    out.append("</ul>")
    return "".join(out)
