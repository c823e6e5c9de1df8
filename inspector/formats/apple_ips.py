"""Apple ``.ips`` crash reports (macOS 12+, iOS 15+): one JSON header line, then a JSON body.

Header: ``{"app_name", "bug_type": "309", "os_version", "incident_id", "timestamp", ...}``. Body (bug type 309):
``threads`` (frames as ``imageIndex`` + ``imageOffset``, optional ``symbol`` + ``symbolLocation``), ``usedImages``
(``base``, ``size``, ``uuid``, ``path``, ``name``, ``arch``), ``exception`` (``type``, ``signal``, ``codes``,
``subtype``), ``faultingThread``, ``lastExceptionBacktrace``, ``asi`` (application specific information),
``threadState`` registers. Older ``.ips`` files carry a text report after the header line instead.
"""

from __future__ import annotations

import json
from typing import Any

from inspector.formats.apple_model import CODE_TYPES, AppleCrash, AppleFrame, AppleImage, AppleThread
from inspector.formats.apple_panic import read_panic_text, read_stackshot_thread
from inspector.formats.apple_text import parse_date, parse_text
from inspector.formats.base import InspectorError, warning

#: bug_type values (from the header) that are crash reports.
CRASH_BUG_TYPES = {
    "109": "crash (legacy text)",
    "309": "crash",
    "509": "crash (legacy)",
    "385": "stackshot",
    "288": "stackshot",
    "210": "panic",
    "298": "hang",
}


#: bug_type values of kernel reports (no app threads): 210 panic-full, 151 forceReset / panic-base, 288 stackshot.
KERNEL_BUG_TYPES = {"210": "kernel panic", "151": "kernel report (forceReset)"}
_NOT_SET = ("", "not yet set")


def _kernel_report(crash: AppleCrash, doc: dict[str, Any], bug_type: str) -> AppleCrash:
    """A kernel panic (or forceReset) report: the panic string and what the report holds, no app threads."""
    h = crash.header
    panic = next(
        (
            v
            for k in ("panicString", "macOSPanicString")
            if isinstance(v := doc.get(k), str) and v.strip() not in _NOT_SET
        ),
        None,
    )
    crash.panic = panic
    crash.variant = f".ips bug_type {bug_type} ({KERNEL_BUG_TYPES.get(bug_type, 'kernel report')})"
    for key, label in (
        ("product", "Hardware Model"),
        ("build", "OS Version"),
        ("incident", "Incident Identifier"),
        ("date", "Date/Time"),
        ("kernel", "Kernel"),
        ("socId", "SoC"),
        ("panicFlags", "Panic Flags"),
    ):
        if isinstance(doc.get(key), str | int) and doc.get(key) != "":
            h[label] = str(doc[key])
    crash.timestamp = parse_date(h.get("Date/Time"))
    if panic is not None:
        crash.sections["Panic string"] = panic
        key = "panicString" if doc.get("panicString") == panic else "macOSPanicString"
        read_panic_text(crash, panic, f"/{key}")
        read_stackshot_thread(crash, doc)
    other = doc.get("otherString")
    if isinstance(other, str) and other.strip():
        crash.sections["Other"] = other
    processes = doc.get("processByPid")
    if isinstance(processes, dict):
        names = [str(_dict(p).get("procname") or pid) for pid, p in list(processes.items())[:2000]]
        crash.sections["Processes"] = (
            f"{len(processes)} processes: " + ", ".join(names[:200]) + (", ..." if len(names) > 200 else "")
        )
    images = doc.get("binaryImages")
    crash.sections["Report holds"] = ", ".join(sorted(k for k in doc if isinstance(k, str))[:100])
    if panic is None:
        crash.problems.append(
            warning(
                "/panicString",
                f"this is a kernel report (bug_type {bug_type}) without a panic string: it holds "
                f"{len(processes) if isinstance(processes, dict) else 0} processes and "
                f"{len(images) if isinstance(images, list) else 0} binary images, no app threads",
            )
        )
    return crash


def split_header(body: bytes) -> tuple[dict[str, Any], bytes] | None:
    """(header, rest) when the first line is a JSON object with ``bug_type``; None otherwise."""
    if body.lstrip()[:1] != b"{":
        return None
    first, _, rest = body.lstrip().partition(b"\n")
    try:
        header = json.loads(first)
    except ValueError:
        return None
    if not isinstance(header, dict) or "bug_type" not in header:
        return None
    return header, rest


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else (str(value) if isinstance(value, int | float) else None)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _frames(raw: Any, images: list[dict[str, Any]], where: str) -> list[AppleFrame]:
    frames: list[AppleFrame] = []
    for n, f in enumerate(_list(raw)):
        if not isinstance(f, dict):
            continue
        index = _int(f.get("imageIndex"))
        image = images[index] if index is not None and 0 <= index < len(images) else {}
        base = _int(image.get("base"))
        offset = _int(f.get("imageOffset"))
        address = base + offset if base is not None and offset is not None else None
        frames.append(
            AppleFrame(
                binary=_str(image.get("name")) or (str(image.get("path", "")).rsplit("/", 1)[-1] or None),
                address=address,
                symbol=_str(f.get("symbol")),
                offset=_int(f.get("symbolLocation")) if f.get("symbol") else offset,
                file=_str(f.get("sourceFile")),
                line=_int(f.get("sourceLine")),
                image_base=None if f.get("symbol") else base,
                where=f"{where}/{n}",
            )
        )
    return frames


def _registers(state: Any) -> dict[str, str]:
    regs: dict[str, str] = {}
    if not isinstance(state, dict):
        return regs
    for key, value in state.items():
        if key == "x" and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict) and _int(item.get("value")) is not None:
                    regs[f"x{i}"] = f"0x{item['value']:016x}"
        elif isinstance(value, dict) and _int(value.get("value")) is not None:
            regs[key] = f"0x{value['value']:016x}"
    return regs


def parse_ips(body: bytes) -> AppleCrash:
    """Read an ``.ips`` report; InspectorError (with the line) when its JSON is damaged."""
    split = split_header(body)
    if split is None:
        raise InspectorError("not an .ips report: the first line is not a JSON object with 'bug_type'", where="line 1")
    header, rest = split
    bug_type = str(header.get("bug_type"))
    crash = AppleCrash(source="ips")
    crash.header["bug_type"] = bug_type
    text = rest.decode("utf-8", "replace")
    if not rest.strip():
        raise InspectorError(f".ips report (bug_type {bug_type}) has a header line but no body", where="line 2")
    if not text.lstrip().startswith("{"):
        parse_text(text, crash, first_line=2)  # legacy: a text report after the JSON header
        crash.source = "ips"
        _apply_header(crash, header)
        return crash
    try:
        doc = json.loads(rest)
    except json.JSONDecodeError as exc:
        raise InspectorError(
            f"the .ips body is not valid JSON: {exc.msg} at body line {exc.lineno} column {exc.colno}",
            where=f"line {exc.lineno + 1}",
        ) from None
    except ValueError as exc:  # a number of 4301+ digits: int() refuses it
        raise InspectorError(f"the .ips body cannot be read: {str(exc)[:120]}", where="line 2") from None
    if not isinstance(doc, dict):
        raise InspectorError("the .ips body is not a JSON object", where="line 2")
    _apply_header(crash, header)
    if bug_type in KERNEL_BUG_TYPES or "panicString" in doc or "macOSPanicString" in doc:
        return _kernel_report(crash, doc, bug_type)
    h = crash.header
    images = [_dict(i) for i in _list(doc.get("usedImages"))]
    for n, image in enumerate(images):
        base, size = _int(image.get("base")), _int(image.get("size"))
        if base is None:
            continue
        uuid = str(image.get("uuid") or "").replace("-", "").lower() or None
        path = _str(image.get("path"))
        crash.images.append(
            AppleImage(
                start=base,
                end=base + size - 1 if size else None,
                name=_str(image.get("name")) or (path.rsplit("/", 1)[-1] if path else f"image {n}"),
                arch=_str(image.get("arch")),
                uuid=uuid,
                path=path,
                where=f"/usedImages/{n}",
            )
        )
    faulting = _int(doc.get("faultingThread"))
    for n, t in enumerate(_list(doc.get("threads"))):
        if not isinstance(t, dict):
            continue
        thread = AppleThread(
            number=n,
            name=_str(t.get("name")),
            queue=_str(t.get("queue")),
            where=f"/threads/{n}",
            crashed=bool(t.get("triggered")) or n == faulting,
        )
        thread.frames = _frames(t.get("frames"), images, f"/threads/{n}/frames")
        thread.registers = _registers(t.get("threadState"))
        crash.threads.append(thread)
    crash.crashed_thread = faulting
    exception = _dict(doc.get("exception"))
    crash.exception_type = _str(exception.get("type"))
    crash.signal = _str(exception.get("signal"))
    crash.exception_codes = _str(exception.get("codes"))
    crash.exception_subtype = _str(exception.get("subtype"))
    if crash.exception_type and crash.signal:
        crash.exception_type = f"{crash.exception_type} ({crash.signal})"  # as the text report shows it
    if crash.exception_type:
        h["Exception Type"] = crash.exception_type
    if crash.exception_codes:
        h["Exception Codes"] = crash.exception_codes
    term = doc.get("termination")
    if isinstance(term, dict):
        crash.termination = _str(term.get("indicator")) or f"{term.get('namespace')} {term.get('code')}"
    if "lastExceptionBacktrace" in doc:
        crash.last_exception = _frames(doc["lastExceptionBacktrace"], images, "/lastExceptionBacktrace")
    asi = doc.get("asi")
    if isinstance(asi, dict) and asi:
        crash.sections["Application Specific Information"] = "\n".join(
            f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in asi.items()
        )
    for key in ("vmRegionInfo", "ktriageinfo"):
        if isinstance(doc.get(key), str):
            crash.sections[key] = doc[key]
    os_version = doc.get("osVersion")
    if isinstance(os_version, dict) and os_version.get("train"):
        h["OS Version"] = f"{os_version['train']} ({os_version.get('build', '?')})"
    for key, label in (
        ("modelCode", "Hardware Model"),
        ("procPath", "Path"),
        ("incident", "Incident Identifier"),
        ("cpuType", "Code Type"),
        ("captureTime", "Date/Time"),
        ("procLaunch", "Launch Time"),
    ):
        if doc.get(key):
            h[label] = str(doc[key])
    if doc.get("procName"):
        h["Process"] = f"{doc['procName']} [{doc.get('pid', '?')}]"
    bundle = _dict(doc.get("bundleInfo"))
    if bundle.get("CFBundleIdentifier"):
        h["Identifier"] = bundle["CFBundleIdentifier"]
    if bundle.get("CFBundleShortVersionString"):
        h["Version"] = f"{bundle['CFBundleShortVersionString']} ({bundle.get('CFBundleVersion', '?')})"
    if doc.get("parentProc"):
        h["Parent Process"] = f"{doc['parentProc']} [{doc.get('parentPid', '?')}]"
        crash.parent_process = h["Parent Process"]
    crash.process_id = _int(doc.get("pid"))
    code = str(doc.get("cpuType") or "")
    crash.code_type = CODE_TYPES.get(code.upper(), code.lower() or None)
    crash.timestamp = parse_date(h.get("Date/Time"))
    crash.launch_timestamp = parse_date(h.get("Launch Time"))
    if faulting is not None and not 0 <= faulting < len(crash.threads):
        crash.problems.append(
            warning("/faultingThread", f"faultingThread {faulting} is not one of the {len(crash.threads)} threads")
        )
    return crash


def _apply_header(crash: AppleCrash, header: dict[str, Any]) -> None:
    h = crash.header
    for key, label in (
        ("incident_id", "Incident Identifier"),
        ("os_version", "OS Version"),
        ("timestamp", "Date/Time"),
        ("bundleID", "Identifier"),
    ):
        if header.get(key):
            h.setdefault(label, str(header[key]))
    if header.get("app_name"):
        h.setdefault("Process", str(header["app_name"]))
    if header.get("app_version"):
        h.setdefault("Version", f"{header['app_version']} ({header.get('build_version', '?')})")
    crash.variant = f".ips bug_type {header.get('bug_type')} ({CRASH_BUG_TYPES.get(str(header.get('bug_type')), '?')})"
