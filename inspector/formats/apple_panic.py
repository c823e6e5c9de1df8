"""The text of a kernel panic (``panicString`` / ``macOSPanicString`` of a bug_type 210 ``.ips``).

XNU writes it line by line (``osfmk/kern/debug.c``): the panic message, ``Key: value`` lines (OS version, kernel
version and UUID, slides, ``Paniclog version``), the panicked task and thread, the panicked thread's backtrace
and the kexts in it, then ``last started kext`` and the ``loaded kexts`` list. Two backtrace forms exist:

* arm64: ``Panicked thread: 0x…, backtrace: 0x…, tid: 51809`` then ``lr: 0x…  fp: 0x…`` lines;
* x86_64: ``Backtrace (CPU 2), Frame : Return Address`` then ``0x<frame> : 0x<return address> [symbol]`` lines.

Kexts in the backtrace read ``com.apple.driver.X(2.0)[UUID]@0xstart->0xend`` (``dependency:`` lines the same,
older ones without ``->end``). Everything is read with string methods, one pass, so the work is linear.
"""

from __future__ import annotations

from inspector.formats.apple_model import AppleCrash, AppleFrame, AppleImage, AppleThread
from inspector.formats.apple_text import MAX_LINE, small_int

#: ``Key: value`` lines of the panic text kept in the report's header (label used there).
HEADER_KEYS = {
    "OS version": "OS Build",
    "Kernel version": "Kernel",
    "Kernel UUID": "Kernel UUID",
    "Fileset Kernelcache UUID": "Kernelcache UUID",
    "Boot session UUID": "Boot session UUID",
    "iBoot version": "iBoot version",
    "secure boot?": "Secure boot",
    "roots installed": "Roots installed",
    "Paniclog version": "Paniclog version",
    "Kernel slide": "Kernel slide",
    "Kernel text base": "Kernel text base",
    "Debugger message": "Debugger message",
    "OS release type": "OS release type",
    "System model name": "System model name",
    "Boot args": "Boot args",
}
#: Keys whose value is on the next line in x86_64 panics ("Mac OS version:\n17G9016").
NEXT_LINE_KEYS = {"Mac OS version": "OS Build", "Kernel version": "Kernel"}
MAX_KEXTS = 5000
MAX_FRAMES = 1000


def _hex(text: str) -> int | None:
    text = text.strip()
    return small_int(text[2:], 16) if text[:2].lower() == "0x" else None


def parse_kext(text: str, where: str) -> AppleImage | None:
    """``com.apple.driver.X(2.0)[UUID]@0xstart->0xend`` -> an image (end optional)."""
    text = text.strip().removeprefix("dependency:").strip()
    name_version, sep, rest = text.partition("[")
    uuid, sep2, addresses = rest.partition("]@")
    if not sep or not sep2 or not name_version.endswith(")") or "(" not in name_version:
        return None
    name, _, version = name_version[:-1].partition("(")
    start_text, _, end_text = addresses.partition("->")
    start = _hex(start_text)
    if start is None or not name:
        return None
    return AppleImage(
        start=start,
        end=_hex(end_text) if end_text else None,
        name=name.strip(),
        uuid=uuid.replace("-", "").lower() or None,
        version=version or None,
        where=where,
    )


def _task(value: str) -> str | None:
    """``Panicked task 0x…: 1878 pages, 227 threads: pid 956: Test`` -> ``Test [956]``."""
    _, sep, tail = value.partition(": pid ")
    if not sep:
        return None
    pid, _, name = tail.partition(": ")
    return f"{name.strip()} [{pid.strip()}]" if name.strip() else None


def read_panic_text(crash: AppleCrash, text: str, where: str) -> None:
    """Fill ``crash`` from the panic text: header keys, the panicked thread's backtrace, its kexts, loaded kexts."""
    h = crash.header
    lines = text.splitlines()
    thread: AppleThread | None = None
    kexts: dict[str, AppleImage] = {}
    loaded: list[str] = []
    mode = ""  # "backtrace", "kexts", "loaded"
    pending_key: str | None = None
    for raw in lines:
        line = raw[:MAX_LINE]
        stripped = line.strip()
        if pending_key is not None:
            if stripped:
                h.setdefault(pending_key, stripped)
            pending_key = None
            continue
        if mode == "loaded":
            if not stripped:
                mode = ""
            elif len(loaded) < MAX_KEXTS:
                loaded.append(" ".join(stripped.split()))
            continue
        if mode == "kexts":
            image = parse_kext(stripped, where)
            if image is not None:
                if len(kexts) < MAX_KEXTS:
                    kexts.setdefault(image.name, image)
                continue
            mode = ""
        if mode == "backtrace" and thread is not None:
            frame = _frame(stripped, where)
            if frame is not None:
                if len(thread.frames) < MAX_FRAMES:
                    thread.frames.append(frame)
                continue
            mode = ""
        if stripped == "Kernel Extensions in backtrace:":
            mode = "kexts"
            continue
        if stripped == "loaded kexts:":
            mode = "loaded"
            continue
        if stripped.startswith("Panicked thread: ") and thread is None:
            tid = stripped.rpartition("tid: ")[2].strip()
            thread = _panicked_thread(small_int(tid) or 0, f"panicked thread (tid {tid})")
            h.setdefault("Panicked thread", stripped.removeprefix("Panicked thread: "))
            mode = "backtrace"
            continue
        if stripped.startswith("Backtrace (CPU ") and thread is None:  # x86_64
            cpu = stripped.removeprefix("Backtrace (CPU ").partition(")")[0]
            thread = _panicked_thread(small_int(cpu) or 0, f"panicked thread (CPU {cpu})")
            mode = "backtrace"
            continue
        if stripped.startswith("Panicked task "):
            if (task := _task(stripped)) is not None:
                h.setdefault("Panicked task", task)
            continue
        key, sep, value = stripped.partition(":")
        if not sep:
            continue
        value = " ".join(value.split())
        if key == "Process name corresponding to current thread" or key.startswith("BSD process name"):
            h.setdefault("Panicked task", value.rpartition(": ")[2] or value)
        elif key.startswith("Process name corresponding to current thread ("):
            h.setdefault("Panicked task", value)
        elif key.startswith("last started kext at") or key.startswith("last loaded kext at"):
            h.setdefault("Last started kext", value)
        elif key in NEXT_LINE_KEYS and not value:
            pending_key = NEXT_LINE_KEYS[key]
        elif key in HEADER_KEYS and value:
            h.setdefault(HEADER_KEYS[key], value)
    if thread is not None:
        crash.threads.append(thread)
        crash.crashed_thread = thread.number
    crash.images.extend(kexts.values())
    if thread is not None:
        for frame in thread.frames:
            if frame.address is None or frame.binary is not None:
                continue
            image = crash.image_for(frame.address)
            if image is not None:
                frame.binary = image.name
            elif frame.address >> 63:  # kernel space, and in none of "the kexts in backtrace": the kernel itself
                frame.binary = "kernel"
    if loaded:
        h["Loaded kexts"] = str(len(loaded))
        crash.sections["Loaded kexts"] = "\n".join(loaded)


def _panicked_thread(number: int, name: str) -> AppleThread:
    return AppleThread(number=number, name=name, crashed=True, where="/panicString")


def _frame(stripped: str, where: str) -> AppleFrame | None:
    """``lr: 0x…  fp: 0x…`` (arm64) or ``0x<frame> : 0x<return> [mach_kernel : _sym + 0x2b]`` (x86_64)."""
    if stripped.startswith("lr:"):
        address = _hex(stripped[3:].split()[0]) if stripped[3:].split() else None
        return AppleFrame(binary=None, address=address, where=where) if address is not None else None
    first, sep, rest = stripped.partition(" : ")
    if not sep or _hex(first) is None:
        return None
    tokens = rest.split(maxsplit=1)
    address = _hex(tokens[0]) if tokens else None
    if address is None:
        return None
    frame = AppleFrame(binary=None, address=address, where=where)
    if len(tokens) > 1:  # "mach_kernel : _mach_call_munger64 + 0x22b"
        binary, sep, symbol = tokens[1].partition(" : ")
        if sep:
            frame.binary = binary.strip() or None
            name, plus, offset = symbol.partition(" + ")
            frame.symbol = name.strip() or None
            frame.offset = _hex(offset) if plus else None
    return frame


def _image_name(uuid: str, kind: str, crash: AppleCrash, process: str | None) -> str:
    """A stackshot image has a UUID, a load address and a kind letter, no name: name it from what is known."""
    compact = uuid.replace("-", "").lower()
    for image in crash.images:
        if image.uuid == compact:
            return image.name
    if compact == crash.header.get("Kernel UUID", "").replace("-", "").lower():
        return "kernel"
    if kind == "S":
        return "dyld_shared_cache"
    if kind == "P" and process:
        return process
    return f"image {uuid}"


def read_stackshot_thread(crash: AppleCrash, doc: dict[str, object]) -> None:
    """The panicked thread as the panic's stackshot saw it (``processByPid[pid].threadById[tid]``): kernel then
    user frames as ``[image index, offset]`` into ``binaryImages`` (``[uuid, load address, kind]``)."""
    task = crash.header.get("Panicked task", "")
    pid = task.rpartition("[")[2].rstrip("]") if task.endswith("]") else ""
    panicked = next((t for t in crash.threads if t.crashed), None)
    tid = panicked.name.rpartition("tid ")[2].rstrip(")") if panicked and panicked.name else ""
    processes, images = doc.get("processByPid"), doc.get("binaryImages")
    if not pid or not tid or not isinstance(processes, dict) or not isinstance(images, list):
        return
    process = processes.get(pid)
    threads = process.get("threadById") if isinstance(process, dict) else None
    shot = threads.get(tid) if isinstance(threads, dict) else None
    if not isinstance(shot, dict):
        return
    name = str(process.get("procname") or pid) if isinstance(process, dict) else pid
    thread = AppleThread(
        number=small_int(tid) or 0,
        name=f"{name} thread {tid} (stackshot: kernel, then user frames)",
        where=f"/processByPid/{pid}/threadById/{tid}",
    )
    named: dict[int, AppleImage] = {}
    for part in ("kernelFrames", "userFrames"):
        frames = shot.get(part)
        if not isinstance(frames, list):
            continue
        for index, pair in enumerate(frames[:MAX_FRAMES]):
            if not (isinstance(pair, list) and len(pair) == 2 and all(type(v) is int for v in pair)):
                continue
            image_index, offset = pair
            entry = images[image_index] if 0 <= image_index < len(images) else None
            if not (isinstance(entry, list) and len(entry) >= 3 and type(entry[1]) is int):
                continue
            uuid, base, kind = str(entry[0]), entry[1], str(entry[2])
            if image_index not in named:
                named[image_index] = AppleImage(
                    start=base,
                    end=None,
                    name=_image_name(uuid, kind, crash, name),
                    uuid=uuid.replace("-", "").lower() if uuid.strip("0-") else None,
                    where=f"/binaryImages/{image_index}",
                )
            image = named[image_index]
            thread.frames.append(
                AppleFrame(
                    binary=image.name,
                    address=base + offset,
                    offset=offset,
                    image_base=base,
                    where=f"{thread.where}/{part}/{index}",
                )
            )
    if thread.frames:
        crash.threads.append(thread)
        known = {i.uuid for i in crash.images if i.uuid}
        crash.images.extend(i for i in named.values() if i.uuid and i.uuid not in known)
