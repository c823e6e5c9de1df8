"""Apple crash reports as text (Report Version 104/106: CrashReporter, PLCrashReporter, KSCrash/Rollbar).

The text is line oriented: ``Key: value`` header lines, free-form sections (``Application Specific
Information:``, KSCrash's ``Application Stats:`` {...} or ``Stack Dump (...)``), ``Thread N [Crashed]:``
blocks of frame lines, ``Thread N crashed with ARM Thread State (64-bit):`` register lines, ``Last Exception
Backtrace:`` and ``Binary Images:``. Binary and symbol names may contain spaces ("App Namespace"), so frame
lines are split on the ``0x`` address column, not on whitespace.
"""

from __future__ import annotations

import re
from datetime import datetime

from inspector.formats.apple_model import CODE_TYPES, AppleCrash, AppleFrame, AppleImage, AppleThread
from inspector.formats.base import warning

_THREAD = re.compile(r"^Thread (\d+)( Crashed)?:(:?)\s*(.*)$")
_THREAD_NAME = re.compile(r"^Thread (\d+) name:\s*(.*)$")
_STATE = re.compile(r"^Thread (\d+) crashed with (.+?) Thread State(?: \((.*)\))?:\s*$")
_FRAME = re.compile(r"^(\d+)\s+(.+?)\s+(0x[0-9a-fA-F]+)\s+(.*)$")
_REST = re.compile(
    r"^(?P<sym>.*?)(?: \+ (?P<off>\d+))?(?: \((?P<file>[^()]+?):(?P<line>\d+)(?::\d+)?\))?\s*$"
)
_IMAGE = re.compile(
    r"^\s*(0x[0-9a-fA-F]+)\s*-\s*(0x[0-9a-fA-F]+|\?\?\?)\s+(\+)?(.+?)\s+<([0-9a-fA-F-]*)>\s*(.*)$"
)
_ARCH = re.compile(r"^\(?(arm64e?|arm64_32|armv\d+[a-z]*|x86_64h?|i386|ppc64|ppc|\?\?\?)\)?$")
_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9 /()_.-]*?):\s+(.*\S)\s*$")
_REGISTER = re.compile(r"([A-Za-z][A-Za-z0-9]*):\s+(0x[0-9a-fA-F]+)")
_DATE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.(\d+))?(?: ([+-]\d{4}))?")
_KSCRASH_MARKERS = ("Application Stats:", "Stack Dump (", "Notable Addresses:", "Rollbar Diagnosis:")


def parse_date(text: str | None) -> float | None:
    """'2020-03-27 18:06:51.4969 -0700' -> seconds since the epoch."""
    if not text:
        return None
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        stamp = datetime.strptime(match.group(1) + " " + (match.group(3) or "+0000"), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:  # "18:06:71": a damaged date is shown as text only
        return None
    return stamp.timestamp() + (float("0." + match.group(2)) if match.group(2) else 0.0)


def parse_frame_rest(binary: str, address: int, rest: str, where: str) -> AppleFrame:
    frame = AppleFrame(binary=None if binary in ("?", "???") else binary, address=address, where=where)
    match = _REST.match(rest)
    if match is None:
        frame.symbol = rest or None
        return frame
    sym = match.group("sym").strip()
    if match.group("off") is not None:
        frame.offset = int(match.group("off"))
    if match.group("file"):
        frame.file, frame.line = match.group("file"), int(match.group("line"))
    if re.fullmatch(r"0x[0-9a-fA-F]+", sym):
        frame.image_base = int(sym, 16)  # unsymbolicated: "<load address> + <offset>"
    elif sym not in ("", "?", "???"):
        frame.symbol = sym
    return frame


def parse_image(line: str, where: str) -> AppleImage | None:
    match = _IMAGE.match(line)
    if match is None:
        return None
    start = int(match.group(1), 16)
    end = int(match.group(2), 16) if match.group(2).startswith("0x") else None
    tokens = match.group(4).split()
    arch = None
    version = None
    idx = next((i for i in range(len(tokens) - 1, 0, -1) if _ARCH.match(tokens[i])), None)
    if idx is not None:
        arch = _ARCH.match(tokens[idx]).group(1)  # type: ignore[union-attr]
        version = " ".join(tokens[idx + 1 :]).strip("()") or None
        name = " ".join(tokens[:idx])
    else:
        name = " ".join(tokens)
    uuid = match.group(5).replace("-", "").lower() or None
    return AppleImage(start=start, end=end, name=name, arch=arch, uuid=uuid, path=match.group(6).strip() or None,
                      version=version, app_marker=bool(match.group(3)), where=where)


def parse_text(text: str, crash: AppleCrash | None = None, *, first_line: int = 1) -> AppleCrash:
    """Read a text crash report. Never raises on odd lines: they are kept in sections or reported."""
    crash = crash or AppleCrash(source="text")
    lines = text.splitlines()
    thread: AppleThread | None = None
    names: dict[int, str] = {}
    mode = "header"  # header, thread, state, images, section, lastexc
    section: str | None = None
    section_lines: list[str] = []
    depth = 0
    state_thread: int | None = None

    def close_section() -> None:
        nonlocal section, section_lines
        if section is not None:
            body = "\n".join(section_lines).strip("\n")
            crash.sections[section] = (crash.sections[section] + "\n" + body) if section in crash.sections else body
        section, section_lines = None, []

    for i, raw in enumerate(lines):
        number = i + first_line
        where = f"/@line/{number}"
        line = raw.rstrip()
        stripped = line.strip()
        if mode == "section":
            if depth > 0 or (stripped.startswith("{") and not section_lines):
                depth += stripped.count("{") - stripped.count("}")
                section_lines.append(line)
                if depth <= 0:
                    depth = 0
                    close_section()
                    mode = "header"
                continue
            if stripped:
                section_lines.append(line)
                continue
            if not section_lines:
                continue  # "Stack Dump (...)" is followed by a blank line before its data
            close_section()
            mode = "header"
            continue
        if not stripped:
            if mode in ("state", "lastexc") and (mode == "state" or crash.last_exception):
                mode = "header"
            continue
        if m := _THREAD_NAME.match(line):
            names[int(m.group(1))] = m.group(2).strip()
            continue
        if m := _THREAD.match(line):
            number_ = int(m.group(1))
            thread = AppleThread(number=number_, crashed=bool(m.group(2)), where=where)
            tail = m.group(4).strip()
            if tail.startswith("Dispatch queue:"):
                thread.queue = tail.split(":", 1)[1].strip()
            elif tail:
                thread.name = tail
            crash.threads.append(thread)
            mode = "thread"
            continue
        if m := _STATE.match(line):
            state_thread = int(m.group(1))
            crash.header.setdefault("Thread State", f"{m.group(2)}" + (f" ({m.group(3)})" if m.group(3) else ""))
            mode = "state"
            continue
        if stripped == "Binary Images:":
            mode = "images"
            continue
        if stripped.startswith("Last Exception Backtrace:"):
            crash.last_exception = []
            mode = "lastexc"
            continue
        if mode == "images":
            image = parse_image(line, where)
            if image is not None:
                crash.images.append(image)
            elif stripped not in ("EOF",):
                crash.problems.append(warning(where, f"line {number} in Binary Images is not an image line: "
                                              f"{stripped[:60]!r}"))
            continue
        if mode == "state":
            regs = _REGISTER.findall(line)
            if regs:
                target = next((t for t in crash.threads if t.number == state_thread), None)
                for name, value in regs:
                    if target is not None:
                        target.registers[name] = value
                continue
            mode = "header"
        if mode in ("thread", "lastexc") and (m := _FRAME.match(line)):
            frame = parse_frame_rest(m.group(2).strip(), int(m.group(3), 16), m.group(4).strip(), where)
            if mode == "thread" and thread is not None:
                thread.frames.append(frame)
            elif crash.last_exception is not None:
                crash.last_exception.append(frame)
            continue
        if mode == "lastexc" and stripped.startswith("(") and crash.last_exception == []:
            for n, token in enumerate(stripped.strip("()").split()):
                if re.fullmatch(r"0x[0-9a-fA-F]+", token):
                    crash.last_exception.append(AppleFrame(binary=None, address=int(token, 16), where=f"{where}/{n}"))
            mode = "header"
            continue
        if stripped.startswith("Stack Dump (") or (stripped.endswith(":") and not _HEADER.match(line)):
            close_section()
            section = stripped.rstrip(":")
            section_lines = []
            mode = "section"
            continue
        if mode in ("header", "thread", "lastexc") and (m := _HEADER.match(line)):
            key, value = m.group(1).strip(), m.group(2).strip()
            if key not in crash.header:
                crash.header[key] = value
                crash.header_where[key] = where
            mode = "header"
            continue
        crash.problems.append(warning(where, f"line {number} was not understood: {stripped[:80]!r}"))
    close_section()
    for t in crash.threads:
        if t.number in names and not t.name:
            t.name = names[t.number]
    _fill_from_header(crash, lines)
    return crash


def _fill_from_header(crash: AppleCrash, lines: list[str]) -> None:
    h = crash.header
    crash.exception_type = h.get("Exception Type")
    crash.exception_codes = h.get("Exception Codes")
    crash.exception_subtype = h.get("Exception Subtype")
    crash.termination = h.get("Termination Reason") or h.get("Termination Signal")
    if crash.exception_type and "(" in crash.exception_type:
        crash.signal = crash.exception_type.rsplit("(", 1)[1].rstrip(")")
    elif crash.exception_type and crash.exception_type.startswith("SIG"):
        crash.signal = crash.exception_type
    for key in ("Crashed Thread", "Triggered by Thread"):
        value = h.get(key)
        if value:
            m = re.match(r"\s*(\d+)", value)
            if m:
                crash.crashed_thread = int(m.group(1))
                break
    code = (h.get("Code Type") or "").split()[0] if h.get("Code Type") else ""
    crash.code_type = CODE_TYPES.get(code.upper(), code.lower() or None)
    process = h.get("Process")
    if process and (m := re.search(r"\[(\d+)\]\s*$", process)):
        crash.process_id = int(m.group(1))
    crash.parent_process = h.get("Parent Process")
    crash.timestamp = parse_date(h.get("Date/Time"))
    crash.launch_timestamp = parse_date(h.get("Launch Time"))
    version = h.get("Report Version")
    if version and version.isdigit():
        crash.version = int(version)
    text = "\n".join(lines[:400])
    if any(marker in text for marker in _KSCRASH_MARKERS):
        crash.variant = "KSCrash/Rollbar"
    elif any(re.match(r"^Thread \d+ crashed with .* Thread State", ln) for ln in lines):
        crash.variant = "PLCrashReporter/CrashReporter"


def looks_like_text_report(text: str) -> int:
    """A confidence score (0 = no) that ``text`` is an Apple crash report."""
    head = text[:4096]
    score = 0
    if re.search(r"^Incident Identifier:", head, re.M):
        score = 90
    elif re.search(r"^Report Version:\s+\d+", head, re.M) and re.search(r"^(Process|Exception Type):", head, re.M):
        score = 88
    elif re.search(r"^Hardware Model:", head, re.M) and re.search(r"^(OS Version|Code Type):", head, re.M):
        score = 85
    elif re.search(r"^Thread \d+( Crashed)?:", text, re.M) and "Binary Images:" in text:
        score = 75
    return score
