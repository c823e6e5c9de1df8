"""Apple crash reports as text (Report Version 104/106: CrashReporter, PLCrashReporter, KSCrash/Rollbar).

The text is line oriented: ``Key: value`` header lines, free-form sections (``Application Specific
Information:``, KSCrash's ``Application Stats:`` {...} or ``Stack Dump (...)``), ``Thread N [Crashed]:``
blocks of frame lines, ``Thread N crashed with ARM Thread State (64-bit):`` register lines, ``Last Exception
Backtrace:`` and ``Binary Images:`` (which ends at a blank line or the next section). Binary and symbol names
may contain spaces ("App Namespace"), so frame lines are split on the ``0x`` address column, not on whitespace.
KSCrash writes frames as ``0x28000 + 30048 (-[Crasher dereferenceBadPointer] + 24)``, and a crash of its own
handler after a ``Handler crashed while reporting:`` line, which is read as a report of its own (``recrash``).

The text is untrusted: every line is read with string methods and regular expressions that cannot backtrack
(no nested or adjacent unbounded repeats), lines are cut at :data:`MAX_LINE` characters and numbers at
:data:`MAX_DIGITS` digits, so the work is linear in the size of the text.
"""

from __future__ import annotations

import re
from datetime import datetime

from inspector.formats.apple_model import CODE_TYPES, AppleCrash, AppleFrame, AppleImage, AppleThread
from inspector.formats.base import warning

#: A line is read up to this many characters (the longest real frame lines are a few hundred).
MAX_LINE = 4096
#: Numbers longer than this are not numbers of a crash report (and int() refuses 4301+ digits).
MAX_DIGITS = 20
RECRASH_MARKER = "Handler crashed while reporting:"
#: Header lines where crash reporters write their own reading of the crash.
DIAGNOSIS_KEYS = ("Rollbar Diagnosis", "CrashDoctor Diagnosis", "Recrash Diagnosis")
#: "Exception Type" values that mean there was none (KSCrash writes "0 (0)" for a main-thread deadlock).
NO_EXCEPTION = ("0 (0)",)
#: Lines kept as the continuation of one header value ("CrashDoctor Diagnosis: ..." spans two).
MAX_CONTINUED = 50

_THREAD = re.compile(r"Thread (\d{1,9})( Crashed)?:(:?)[ \t]*(.*)")
_THREAD_NAME = re.compile(r"Thread (\d{1,9}) name:[ \t]*(.*)")
_HEX = re.compile(r"0[xX][0-9a-fA-F]{1,16}")
_DIGITS = re.compile(r"\d{1,20}")
_FILE_LINE = re.compile(r"([^():]+):(\d{1,9})(?::\d{1,9})?")
_ARCH = re.compile(r"\(?(arm64e?|arm64_32|armv\d{0,3}[a-z]{0,3}|arm|x86_64h?|i386|ppc64|ppc|\?\?\?)\)?")
_HEADER_KEY = re.compile(r"[A-Za-z][A-Za-z0-9 /()_.-]{0,80}")
_REGISTER = re.compile(r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9]{0,15}):[ \t]{1,32}(0x[0-9a-fA-F]{1,16})")
_TOKEN = re.compile(r"\S+")
_UUID = re.compile(r"[0-9a-fA-F-]{0,40}")
_DATE = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(?: ([+-]\d{4}))?")
_NSEXCEPTION = re.compile(r"\*\*\* Terminating app due to uncaught exception '([^']{1,200})', reason: '(.*)'")
#: Lines where the reporter says what it could not write (Apple's CrashReporter, KSCrash's deadlock watchdog) or
#: which rendering this is (macOS 12+ "Translated Report"): kept under the "Notes" section, not warned about.
_STATEMENT = re.compile(
    r"Backtrace not available|No thread state \(register information\) available"
    r"|Binary images description not available"
    r"|Thread \d{1,9} (?:instruction stream|last branch register state) not available\.?"
    r"|Translated Report \(Full Report Below\)|Application main thread deadlocked"
)
#: The rule lines around "Translated Report (Full Report Below)".
_RULE = re.compile(r"-{5,200}")
#: Apple's trailing sections, whose text may start on the title's own line: iOS 15 writes
#: "Error Formulating Crash Report:thread_get_state(PAGEIN) returned 0x10000003: ...".
INLINE_SECTIONS = ("Error Formulating Crash Report:", "Filtered syslog:", "Filtered log messages:")
_KSCRASH_MARKERS = (
    "Application Stats:",
    "Stack Dump (",
    "Notable Addresses:",
    "Rollbar Diagnosis:",
    "CrashDoctor Diagnosis:",
)


def small_int(text: str, base: int = 10) -> int | None:
    """``int(text)`` for the short numbers a report holds; None for anything longer or malformed."""
    text = text.strip()
    if not text or len(text) > MAX_DIGITS + (2 if base == 16 else 0):
        return None
    try:
        return int(text, base)
    except ValueError:
        return None


def parse_date(text: str | None) -> float | None:
    """'2020-03-27 18:06:51.4969 -0700' -> seconds since the epoch."""
    if not text:
        return None
    match = _DATE.match(text.strip()[:64])
    if not match:
        return None
    try:
        stamp = datetime.strptime(match.group(1) + " " + (match.group(3) or "+0000"), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:  # "18:06:71": a damaged date is shown as text only
        return None
    return stamp.timestamp() + (float("0." + match.group(2)) if match.group(2) else 0.0)


def _is_hex(token: str) -> bool:
    return _HEX.fullmatch(token) is not None


def _split_symbol_offset(text: str) -> tuple[str, int | None]:
    """'-[Crasher crash] + 24' -> ('-[Crasher crash]', 24); no offset -> (text, None)."""
    head, sep, tail = text.rpartition(" + ")
    if sep and _DIGITS.fullmatch(tail.strip()):
        return head.strip(), int(tail.strip())
    return text.strip(), None


def parse_frame_rest(binary: str, address: int, rest: str, where: str) -> AppleFrame:
    """The text after a frame's address, in any of the forms writers use.

    ``symbol + 24``; ``symbol + 24 (File.swift:12)``; ``symbol (in Binary) (File.swift:12)`` (Xcode);
    ``0x100000000 + 1234`` (unsymbolicated: load address + offset); and KSCrash's
    ``0x28000 + 30048 (-[Crasher dereferenceBadPointer] + 24)`` (load address + offset, then the symbol).
    """
    frame = AppleFrame(binary=None if binary in ("?", "???") else binary, address=address, where=where)
    rest = rest.strip()
    inner = None
    if rest.endswith(")") and (open_at := rest.rfind(" (")) >= 0:
        inner, outer = rest[open_at + 2 : -1], rest[:open_at].rstrip()
        if (fl := _FILE_LINE.fullmatch(inner)) is not None:
            frame.file, frame.line = fl.group(1), int(fl.group(2))
            rest, inner = outer, None
        else:
            base, _, off = outer.partition(" + ")
            if _is_hex(base.strip()) and _DIGITS.fullmatch(off.strip()):  # KSCrash: "0x28000 + 30048 (sym + 24)"
                frame.image_base = int(base.strip(), 16)
                rest = inner
            else:
                inner = None  # "(in Binary)" or "(extension)": part of the symbol text
    sym, offset = _split_symbol_offset(rest)
    if sym.endswith(")") and (in_at := sym.rfind(" (in ")) > 0:  # Xcode: "symbol (in Binary)"
        sym = sym[:in_at].rstrip()
    frame.offset = offset
    if _is_hex(sym) and frame.image_base is None:
        frame.image_base = int(sym, 16)  # unsymbolicated: "<load address> + <offset>"
    elif sym not in ("", "?", "???") and not _is_hex(sym):
        frame.symbol = sym
    return frame


def parse_frame_line(line: str, where: str) -> AppleFrame | None:
    """``12  Binary Name   0x0000000102f8c1f0 rest`` -> a frame; None when the line is not a frame line."""
    tokens = list(_TOKEN.finditer(line))
    if len(tokens) < 3 or not tokens[0].group().isdigit() or len(tokens[0].group()) > 9:
        return None
    for i in range(2, len(tokens)):
        if _is_hex(tokens[i].group()):
            binary = line[tokens[1].start() : tokens[i - 1].end()]
            rest = line[tokens[i].end() :]
            return parse_frame_rest(binary.strip(), int(tokens[i].group(), 16), rest, where)
    return None


def parse_image(line: str, where: str) -> AppleImage | None:
    """``0x1000 - 0x1fff +Name arm64  <uuid> /path`` -> an image (``<(null)>`` or ``<>``: no uuid)."""
    start_text, dash, tail = line.strip().partition("-")
    start_text, tail = start_text.strip(), tail.lstrip()
    if not dash or not _is_hex(start_text):
        return None
    end_text, _, tail = tail.partition(" ")
    if not (_is_hex(end_text) or end_text == "???"):
        return None
    lt = tail.find("<")
    gt = tail.find(">", lt + 1) if lt >= 0 else -1
    if lt < 0 or gt < 0:
        return None
    uuid_text = tail[lt + 1 : gt].strip()
    if uuid_text in ("(null)", "null", ""):
        uuid = None
    elif _UUID.fullmatch(uuid_text):
        uuid = uuid_text.replace("-", "").lower() or None
    else:
        return None
    head = tail[:lt].strip()
    app_marker = head.startswith("+")
    tokens = head.lstrip("+").split()
    if not tokens:
        return None
    arch = version = None
    idx = next((i for i in range(len(tokens) - 1, 0, -1) if _ARCH.fullmatch(tokens[i])), None)
    if idx is not None:
        arch = _ARCH.fullmatch(tokens[idx]).group(1)  # type: ignore[union-attr]
        version = " ".join(tokens[idx + 1 :]).strip("()") or None
        name = " ".join(tokens[:idx])
    else:  # macOS (Report Version 11/12): "com.apple.Foundation (6.9 - 1242.12)", no arch column
        name = " ".join(tokens)
        if name.endswith(")") and (open_at := name.rfind(" (")) > 0:
            name, version = name[:open_at], name[open_at + 2 : -1].strip() or None
    return AppleImage(
        start=int(start_text, 16),
        end=int(end_text, 16) if end_text != "???" else None,
        name=name,
        arch=arch,
        uuid=uuid,
        path=tail[gt + 1 :].strip() or None,
        version=version,
        app_marker=app_marker,
        where=where,
    )


def _header(line: str) -> tuple[str, str] | None:
    """``Key:   value`` -> (key, value); None when the line is not a header line."""
    key, sep, value = line.partition(":")
    if not sep or not value[:1].isspace() or not value.strip() or _HEADER_KEY.fullmatch(key) is None:
        return None
    return key.strip(), value.strip()


def _state(line: str) -> tuple[int, str, str | None] | None:
    """``Thread 0 crashed with ARM Thread State (64-bit):`` -> (0, 'ARM', '64-bit')."""
    if not line.startswith("Thread ") or not line.endswith(":"):
        return None
    number, sep, tail = line[7:-1].partition(" crashed with ")
    at = tail.rfind(" Thread State")
    if not sep or at < 0 or (n := small_int(number)) is None:
        return None
    detail = tail[at + len(" Thread State") :].strip()
    return n, tail[:at], detail[1:-1] if detail.startswith("(") and detail.endswith(")") else None


def _is_section_start(stripped: str) -> bool:
    return stripped.startswith("Stack Dump (") or (stripped.endswith(":") and _header(stripped) is None)


def _ends_trailing_section(line: str, stripped: str) -> bool:
    """After a blank line in a trailing section: does this line start something else?"""
    return (
        _is_section_start(stripped)
        or _header(stripped) is not None
        or _THREAD.fullmatch(line) is not None
        or _state(stripped) is not None
    )


def parse_text(text: str, crash: AppleCrash | None = None, *, first_line: int = 1) -> AppleCrash:
    """Read a text crash report. Never raises on odd lines: they are kept in sections or reported."""
    crash = crash or AppleCrash(source="text")
    lines = text.splitlines()
    recrash_at = next((i for i, ln in enumerate(lines) if ln.strip() == RECRASH_MARKER), None)
    if recrash_at is not None:  # only the first marker splits: a handler crash inside it is read as text
        crash.recrash = _parse_lines(lines[recrash_at + 1 :], AppleCrash(source="text"), first_line + recrash_at + 1)
        crash.recrash.variant = "KSCrash handler crash"
        lines = lines[:recrash_at]
    return _parse_lines(lines, crash, first_line)


def _parse_lines(lines: list[str], crash: AppleCrash, first_line: int) -> AppleCrash:
    thread: AppleThread | None = None
    by_number: dict[int, AppleThread] = {}
    section_parts: dict[str, list[str]] = {}
    continued: dict[str, list[str]] = {}
    names: dict[int, str] = {}
    mode = "header"  # header, thread, state, images, section, lastexc
    section: str | None = None
    section_lines: list[str] = []
    depth = 0
    state_thread: int | None = None
    last_key: str | None = None  # a header line's key, for the lines that continue its value
    trailing = False  # Binary Images has ended: what follows are the report's trailing sections
    gap = False  # a blank line was seen inside a trailing section
    long_lines = 0
    notes: list[str] = []

    def close_section() -> None:
        nonlocal section, section_lines
        if section is not None:
            section_parts.setdefault(section, []).append("\n".join(section_lines).strip("\n"))
        section, section_lines = None, []

    for i, raw in enumerate(lines):
        number = i + first_line
        where = f"/@line/{number}"
        if len(raw) > MAX_LINE:
            long_lines += 1
            if long_lines == 1:
                crash.problems.append(
                    warning(
                        where,
                        f"line {number} is {len(raw)} characters long: only its first "
                        f"{MAX_LINE} are read (a crash report's lines are short)",
                    )
                )
            raw = raw[:MAX_LINE]
        line = raw.rstrip()
        stripped = line.strip()
        if mode == "section" and _STATEMENT.fullmatch(stripped):
            close_section()  # an empty section ("kernel messages:"), then the reporter's own statement
            mode = "header"
        if mode == "section":
            title = not line[:1].isspace() and stripped.endswith(":") and _is_section_start(stripped)
            if not section_lines and depth == 0 and title:
                close_section()  # "Extra Information:" (empty), then "Stack Dump (...):" starts the next one
                section = stripped.rstrip(":")
                continue
            if depth > 0 or (stripped.startswith("{") and not section_lines):
                depth += stripped.count("{") - stripped.count("}")
                section_lines.append(line)
                if depth <= 0:
                    depth = 0
                    close_section()
                    mode = "header"
                continue
            if trailing and section_lines:
                # After Binary Images, Apple's sections (External Modification Summary, VM Region Summary, Error
                # Formulating Crash Report, Filtered syslog) are free text with blank lines inside: a blank line
                # does not end them; a title, header, thread or "EOF" after a blank line does.
                if not stripped:
                    gap = True
                    continue
                if stripped == "EOF" or (gap and _ends_trailing_section(line, stripped)):
                    close_section()
                    mode = "header"
                    gap = False
                    if stripped == "EOF":
                        continue
                else:
                    if gap:
                        section_lines.append("")
                    gap = False
                    section_lines.append(line)
                    continue
            elif stripped:
                section_lines.append(line)
                continue
            if mode == "section":
                if not section_lines:
                    continue  # "Stack Dump (...)" is followed by a blank line before its data
                close_section()
                mode = "header"
                continue
        if not stripped:
            last_key = None
            if mode in ("state", "lastexc") and (mode == "state" or crash.last_exception):
                mode = "header"
            elif mode == "images" and crash.images:
                mode = "header"  # the Binary Images section ends at a blank line
                trailing = True
            continue
        if stripped == "EOF":  # Apple's last line
            continue
        if _STATEMENT.fullmatch(stripped):
            notes.append(stripped)
            continue
        if _RULE.fullmatch(stripped):
            continue
        if inline := next((t for t in INLINE_SECTIONS if stripped.startswith(t)), None):
            close_section()
            section = inline[:-1]
            first = stripped[len(inline) :].strip()
            section_lines = [first] if first else []
            mode = "section"
            last_key = None
            continue
        if m := _THREAD_NAME.fullmatch(line):
            names[int(m.group(1))] = m.group(2).strip()
            continue
        if m := _THREAD.fullmatch(line):
            thread = AppleThread(number=int(m.group(1)), crashed=bool(m.group(2)), where=where)
            tail = m.group(4).strip()
            if tail.startswith("Dispatch queue:"):
                thread.queue = tail.split(":", 1)[1].strip()
            elif tail:
                thread.name = tail
            crash.threads.append(thread)
            by_number.setdefault(thread.number, thread)
            mode = "thread"
            continue
        if state := _state(stripped):
            state_thread = state[0]
            crash.header.setdefault("Thread State", state[1] + (f" ({state[2]})" if state[2] else ""))
            mode = "state"
            continue
        if stripped == "Binary Images:":
            mode = "images"
            continue
        if stripped.startswith("Last Exception Backtrace:") or (
            # macOS (Report Version 11/12) writes the uncaught NSException's frames here
            stripped.startswith("Application Specific Backtrace ")
            and stripped.endswith(":")
            and crash.last_exception is None
        ):
            crash.last_exception = []
            mode = "lastexc"
            continue
        if mode == "images":
            image = parse_image(line, where)
            if image is not None:
                crash.images.append(image)
                continue
            if stripped == "EOF":
                continue
            if _STATEMENT.fullmatch(stripped):
                notes.append(stripped)
                continue
            if not _is_section_start(stripped) and _header(stripped) is None:
                crash.problems.append(
                    warning(where, f"line {number} in Binary Images is not an image line: {stripped[:60]!r}")
                )
                continue
            mode = "header"  # the next section or header line ends the images
            trailing = True
        if mode == "state":
            regs = _REGISTER.findall(line)
            if regs:
                target = by_number.get(state_thread) if state_thread is not None else None
                for name, value in regs:
                    if target is not None:
                        target.registers[name] = value
                continue
            mode = "header"
        if mode in ("thread", "lastexc") and (frame := parse_frame_line(line, where)) is not None:
            if mode == "thread" and thread is not None:
                thread.frames.append(frame)
            elif crash.last_exception is not None:
                crash.last_exception.append(frame)
            continue
        if mode == "lastexc" and stripped.startswith("(") and crash.last_exception == []:
            for n, token in enumerate(stripped.strip("()").split()):
                if _is_hex(token):
                    crash.last_exception.append(AppleFrame(binary=None, address=int(token, 16), where=f"{where}/{n}"))
            mode = "header"
            continue
        if _is_section_start(stripped):
            close_section()
            section = stripped.rstrip(":")
            section_lines = []
            mode = "section"
            last_key = None
            continue
        if mode in ("header", "thread", "lastexc") and (kv := _header(line)):
            key, value = kv
            if key not in crash.header:
                crash.header[key] = value
                crash.header_where[key] = where
                last_key = key
            else:
                last_key = None
            mode = "header"
            continue
        if mode == "header" and last_key is not None:  # "CrashDoctor Diagnosis: ..." continued on the next line
            more = continued.setdefault(last_key, [])
            if len(more) < MAX_CONTINUED:
                more.append(stripped)
                continue
        crash.problems.append(warning(where, f"line {number} was not understood: {stripped[:80]!r}"))
    close_section()
    if notes:
        section_parts.setdefault("Notes", []).append("\n".join(notes))
    for key, parts in section_parts.items():
        crash.sections[key] = "\n".join([crash.sections[key], *parts] if key in crash.sections else parts)
    for key, more in continued.items():
        crash.header[key] = "\n".join([crash.header[key], *more])
    for t in crash.threads:
        if t.number in names and not t.name:
            t.name = names[t.number]
    _fill_from_header(crash, lines)
    return crash


def human_reason(crash: AppleCrash) -> str | None:
    """What a person would call the crash, from the text around the signal: the uncaught NSException, the
    Swift runtime's ``Fatal error: ...``, or the crash reporter's own diagnosis."""
    if crash.exception_name:
        return f"{crash.exception_name}: {crash.exception_reason}" if crash.exception_reason else crash.exception_name
    texts = [crash.sections.get("Application Specific Information", "")]
    texts += [crash.header.get(k, "") for k in DIAGNOSIS_KEYS]
    for text in texts:
        for line in text.splitlines():
            at = line.find("Fatal error:")
            if at >= 0:
                reason = line[at:].strip()
                if reason.endswith(")") and (open_at := reason.rfind(" (")) > 0:
                    reason = reason[:open_at]  # "(Swift/ContiguousArrayBuffer.swift:600)" is where, not why
                return reason
    for key in DIAGNOSIS_KEYS:
        if crash.header.get(key):
            return crash.header[key].splitlines()[0].strip()
    return None


def _fill_from_header(crash: AppleCrash, lines: list[str]) -> None:
    h = crash.header
    crash.exception_type = h.get("Exception Type")
    if crash.exception_type in NO_EXCEPTION:  # KSCrash's deadlock watchdog: no Mach exception, no signal
        crash.exception_type = None
    crash.exception_codes = h.get("Exception Codes")
    crash.exception_subtype = h.get("Exception Subtype")
    crash.termination = h.get("Termination Reason") or h.get("Termination Signal")
    if crash.exception_type and crash.exception_type.endswith(")") and "(" in crash.exception_type:
        crash.signal = crash.exception_type.rsplit("(", 1)[1].rstrip(")")
    elif crash.exception_type and crash.exception_type.startswith("SIG"):
        crash.signal = crash.exception_type
    for key in ("Crashed Thread", "Triggered by Thread"):
        value = h.get(key)
        if value and (n := small_int(value.split()[0] if value.split() else "")) is not None:
            crash.crashed_thread = n
            break
    code = (h.get("Code Type") or "").split()[0] if (h.get("Code Type") or "").split() else ""
    crash.code_type = CODE_TYPES.get(code.upper(), code.lower() or None)
    process = h.get("Process")
    if process and process.endswith("]") and "[" in process:
        crash.process_id = small_int(process.rsplit("[", 1)[1][:-1])
    crash.parent_process = h.get("Parent Process")
    crash.timestamp = parse_date(h.get("Date/Time"))
    crash.launch_timestamp = parse_date(h.get("Launch Time"))
    crash.version = small_int(h.get("Report Version") or "")
    asi = crash.sections.get("Application Specific Information", "")
    if not crash.exception_name and (m := _NSEXCEPTION.search(asi[: MAX_LINE * 4])):
        crash.exception_name, crash.exception_reason = m.group(1), m.group(2)
    head = lines[:400]
    if any(line.startswith(_KSCRASH_MARKERS) for line in head) or any(
        line.startswith(_KSCRASH_MARKERS) for line in lines[-400:]
    ):
        crash.variant = "KSCrash/Rollbar"
    elif any(_state(line.strip()) for line in lines if line.startswith("Thread ") and len(line) < MAX_LINE):
        crash.variant = "PLCrashReporter/CrashReporter"


def looks_like_text_report(text: str) -> int:
    """A confidence score (0 = no) that ``text`` is an Apple crash report."""
    head = text[:4096]
    score = 0
    if re.search(r"^Incident Identifier:", head, re.M):
        score = 90
    elif re.search(r"^Report Version:[ \t]+\d", head, re.M) and re.search(r"^(Process|Exception Type):", head, re.M):
        score = 88
    elif re.search(r"^Hardware Model:", head, re.M) and re.search(r"^(OS Version|Code Type):", head, re.M):
        score = 85
    elif re.search(r"^Thread \d{1,9}( Crashed)?:", text, re.M) and "Binary Images:" in text:
        score = 75
    return score
