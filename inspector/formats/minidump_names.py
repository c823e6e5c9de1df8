"""Names for the numbers a minidump stores: stream types, CPUs, platforms, exception codes, signals.

Values come from Microsoft's minidumpapiset.h / winnt.h and Breakpad's ``minidump_format.h`` and
``minidump_exception_*.h`` (Breakpad adds its own platform ids 0x8xxx and Linux/Crashpad stream types).
"""

from __future__ import annotations

STREAM_TYPES: dict[int, str] = {
    0: "UnusedStream",
    3: "ThreadListStream",
    4: "ModuleListStream",
    5: "MemoryListStream",
    6: "ExceptionStream",
    7: "SystemInfoStream",
    8: "ThreadExListStream",
    9: "Memory64ListStream",
    10: "CommentStreamA",
    11: "CommentStreamW",
    12: "HandleDataStream",
    13: "FunctionTableStream",
    14: "UnloadedModuleListStream",
    15: "MiscInfoStream",
    16: "MemoryInfoListStream",
    17: "ThreadInfoListStream",
    18: "HandleOperationListStream",
    19: "TokenStream",
    20: "JavaScriptDataStream",
    21: "SystemMemoryInfoStream",
    22: "ProcessVmCountersStream",
    23: "IptTraceStream",
    24: "ThreadNamesStream",
    0x47670001: "BreakpadInfoStream",
    0x47670002: "AssertionInfoStream",
    0x47670003: "LinuxCpuInfo",
    0x47670004: "LinuxProcStatus",
    0x47670005: "LinuxLsbRelease",
    0x47670006: "LinuxCmdLine",
    0x47670007: "LinuxEnviron",
    0x47670008: "LinuxAuxv",
    0x47670009: "LinuxMaps",
    0x4767000A: "LinuxDsoDebug",
    0x43500001: "CrashpadInfoStream",
    0x4D7A0001: "MozMacosCrashInfoStream",
    0x4D7A0002: "MozMacosBootargsStream",
    0x4D7A0003: "MozLinuxLimits",
    0x4D7A0004: "MozSoftErrors",
}


def stream_name(stream_type: int) -> str:
    return STREAM_TYPES.get(stream_type, f"stream 0x{stream_type:08X}")


CPU_ARCHS: dict[int, str] = {
    0: "x86",
    1: "mips",
    2: "alpha",
    3: "ppc",
    4: "shx",
    5: "arm",
    6: "ia64",
    7: "alpha64",
    8: "msil",
    9: "amd64",
    10: "x86-win64",
    12: "arm64",
    0x8001: "sparc",
    0x8002: "ppc64",
    0x8003: "arm64",  # Breakpad's pre-Windows-ARM64 id
    0x8004: "mips64",
    0x8005: "riscv",
    0x8006: "riscv64",
    0xFFFF: "unknown",
}

PLATFORMS: dict[int, str] = {
    0: "Windows 3.1 (Win32s)",
    1: "Windows 9x",
    2: "Windows NT",
    3: "Windows CE",
    0x8000: "Unix",
    0x8101: "macOS",
    0x8102: "iOS",
    0x8201: "Linux",
    0x8202: "Solaris",
    0x8203: "Android",
    0x8204: "PlayStation 3",
    0x8205: "Native Client",
    0x8206: "Fuchsia",
}

WINDOWS_PLATFORMS = (0, 1, 2, 3)
APPLE_PLATFORMS = (0x8101, 0x8102)
POSIX_PLATFORMS = (0x8000, 0x8201, 0x8202, 0x8203, 0x8204, 0x8205, 0x8206)

WINDOWS_EXCEPTIONS: dict[int, str] = {
    0x40000015: "STATUS_FATAL_APP_EXIT",
    0x40010005: "DBG_CONTROL_C",
    0x80000001: "EXCEPTION_GUARD_PAGE",
    0x80000002: "EXCEPTION_DATATYPE_MISALIGNMENT",
    0x80000003: "EXCEPTION_BREAKPOINT",
    0x80000004: "EXCEPTION_SINGLE_STEP",
    0xC0000005: "EXCEPTION_ACCESS_VIOLATION",
    0xC0000006: "EXCEPTION_IN_PAGE_ERROR",
    0xC0000008: "EXCEPTION_INVALID_HANDLE",
    0xC0000017: "STATUS_NO_MEMORY",
    0xC000001D: "EXCEPTION_ILLEGAL_INSTRUCTION",
    0xC0000025: "EXCEPTION_NONCONTINUABLE_EXCEPTION",
    0xC0000026: "EXCEPTION_INVALID_DISPOSITION",
    0xC000008C: "EXCEPTION_ARRAY_BOUNDS_EXCEEDED",
    0xC000008D: "EXCEPTION_FLT_DENORMAL_OPERAND",
    0xC000008E: "EXCEPTION_FLT_DIVIDE_BY_ZERO",
    0xC000008F: "EXCEPTION_FLT_INEXACT_RESULT",
    0xC0000090: "EXCEPTION_FLT_INVALID_OPERATION",
    0xC0000091: "EXCEPTION_FLT_OVERFLOW",
    0xC0000092: "EXCEPTION_FLT_STACK_CHECK",
    0xC0000093: "EXCEPTION_FLT_UNDERFLOW",
    0xC0000094: "EXCEPTION_INT_DIVIDE_BY_ZERO",
    0xC0000095: "EXCEPTION_INT_OVERFLOW",
    0xC0000096: "EXCEPTION_PRIV_INSTRUCTION",
    0xC00000FD: "EXCEPTION_STACK_OVERFLOW",
    0xC0000135: "STATUS_DLL_NOT_FOUND",
    0xC0000142: "STATUS_DLL_INIT_FAILED",
    0xC0000374: "STATUS_HEAP_CORRUPTION",
    0xC0000409: "STATUS_STACK_BUFFER_OVERRUN",
    0xC0000417: "STATUS_INVALID_CRUNTIME_PARAMETER",
    0xC0000420: "STATUS_ASSERTION_FAILURE",
    0xE06D7363: "EXCEPTION_CPP_EXCEPTION",  # MSVC C++ throw ('msc')
}

#: ``__fastfail`` codes (first parameter of STATUS_STACK_BUFFER_OVERRUN), winnt.h FAST_FAIL_*.
FAST_FAIL_CODES: dict[int, str] = {
    0: "FAST_FAIL_LEGACY_GS_VIOLATION",
    1: "FAST_FAIL_VTGUARD_CHECK_FAILURE",
    2: "FAST_FAIL_STACK_COOKIE_CHECK_FAILURE",
    3: "FAST_FAIL_CORRUPT_LIST_ENTRY",
    4: "FAST_FAIL_INCORRECT_STACK",
    5: "FAST_FAIL_INVALID_ARG",
    6: "FAST_FAIL_GS_COOKIE_INIT",
    7: "FAST_FAIL_FATAL_APP_EXIT",
    8: "FAST_FAIL_RANGE_CHECK_FAILURE",
    9: "FAST_FAIL_UNSAFE_REGISTRY_ACCESS",
    10: "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE",
    11: "FAST_FAIL_GUARD_WRITE_CHECK_FAILURE",
    12: "FAST_FAIL_INVALID_FIBER_SWITCH",
    13: "FAST_FAIL_INVALID_SET_OF_CONTEXT",
    14: "FAST_FAIL_INVALID_REFERENCE_COUNT",
    18: "FAST_FAIL_INVALID_JUMP_BUFFER",
    19: "FAST_FAIL_MRDATA_MODIFIED",
    37: "FAST_FAIL_INVALID_BUFFER_ACCESS",
}

ACCESS_TYPES = {0: "READ", 1: "WRITE", 8: "EXEC"}

SIGNALS: dict[int, str] = {
    1: "SIGHUP",
    2: "SIGINT",
    3: "SIGQUIT",
    4: "SIGILL",
    5: "SIGTRAP",
    6: "SIGABRT",
    7: "SIGBUS",
    8: "SIGFPE",
    9: "SIGKILL",
    10: "SIGUSR1",
    11: "SIGSEGV",
    12: "SIGUSR2",
    13: "SIGPIPE",
    14: "SIGALRM",
    15: "SIGTERM",
    16: "SIGSTKFLT",
    31: "SIGSYS",
    0xFFFFFFFF: "DUMP_REQUESTED",
}

#: si_code values per signal (Linux asm-generic/siginfo.h); negative/zero codes are "sent by a process".
SIGNAL_CODES: dict[int, dict[int, str]] = {
    11: {1: "SEGV_MAPERR", 2: "SEGV_ACCERR", 3: "SEGV_BNDERR", 4: "SEGV_PKUERR"},
    7: {1: "BUS_ADRALN", 2: "BUS_ADRERR", 3: "BUS_OBJERR"},
    8: {
        1: "FPE_INTDIV",
        2: "FPE_INTOVF",
        3: "FPE_FLTDIV",
        4: "FPE_FLTOVF",
        5: "FPE_FLTUND",
        6: "FPE_FLTRES",
        7: "FPE_FLTINV",
        8: "FPE_FLTSUB",
    },
    4: {
        1: "ILL_ILLOPC",
        2: "ILL_ILLOPN",
        3: "ILL_ILLADR",
        4: "ILL_ILLTRP",
        5: "ILL_PRVOPC",
        6: "ILL_PRVREG",
        7: "ILL_COPROC",
        8: "ILL_BADSTK",
    },
}
SI_USER_CODES = {-1: "SI_QUEUE", -6: "SI_TKILL", 0x80: "SI_KERNEL"}

MAC_EXCEPTIONS: dict[int, str] = {
    1: "EXC_BAD_ACCESS",
    2: "EXC_BAD_INSTRUCTION",
    3: "EXC_ARITHMETIC",
    4: "EXC_EMULATION",
    5: "EXC_SOFTWARE",
    6: "EXC_BREAKPOINT",
    7: "EXC_SYSCALL",
    8: "EXC_MACH_SYSCALL",
    9: "EXC_RPC_ALERT",
    10: "EXC_CRASH",
    11: "EXC_RESOURCE",
    12: "EXC_GUARD",
    13: "EXC_CORPSE_NOTIFY",
    0x43507378: "EXC_CRASHPAD_SIMULATED",  # Crashpad's 'CPsx': a dump taken without a crash
    0x43506E78: "UNCAUGHT_NSEXCEPTION",  # Crashpad's 'CPnx': an uncaught Objective-C exception
}
MAC_BAD_ACCESS_CODES = {1: "KERN_INVALID_ADDRESS", 2: "KERN_PROTECTION_FAILURE", 0x32: "KERN_CODESIGN_ERROR"}


def ntstatus_name(code: int) -> str | None:
    """``0xC000000D`` -> ``STATUS_INVALID_PARAMETER`` (the full ntstatus.h table, read on first use)."""
    from inspector.formats.minidump_ntstatus import NTSTATUS

    return NTSTATUS.get(code)


#: MD_ASSERTION_INFO ``type`` (Breakpad minidump_format.h MDAssertionInfoData).
ASSERTION_TYPES = {0: "unknown", 1: "invalid parameter", 2: "pure virtual call"}


def exception_name(platform_id: int | None, code: int, flags: int, params: tuple[int, ...]) -> tuple[str, str | None]:
    """(name, detail) of an exception record, e.g. ("SIGSEGV", "SEGV_MAPERR")."""
    if platform_id in APPLE_PLATFORMS:
        if code == 0 and len(params) >= 2 and params[0] == 10:
            # Crashpad: EXC_CRASH raised by a signal; the signal number sits in bits 24..31 of the code.
            signo = (params[1] >> 24) & 0xFF
            return "EXC_CRASH", SIGNALS.get(signo, f"signal {signo}")
        name = MAC_EXCEPTIONS.get(code, f"0x{code:08x}")
        detail = MAC_BAD_ACCESS_CODES.get(flags) if code == 1 else None
        if code in (2, 3, 5, 6, 10) and flags:
            detail = f"code 0x{flags:x}"
        return name, detail
    if platform_id in POSIX_PLATFORMS or (platform_id is None and code < 64):
        name = SIGNALS.get(code, f"signal {code}")
        signed = flags - (1 << 32) if flags & 0x80000000 else flags
        detail = SIGNAL_CODES.get(code, {}).get(signed) or SI_USER_CODES.get(signed)
        return name, detail
    name = WINDOWS_EXCEPTIONS.get(code) or ntstatus_name(code) or f"0x{code:08x}"
    detail = None
    if code in (0xC0000005, 0xC0000006) and params:
        access = ACCESS_TYPES.get(params[0])
        if access:
            name = f"{name}_{access}"
    elif code == 0xC0000409 and params:
        detail = FAST_FAIL_CODES.get(params[0], f"fast fail code {params[0]}")
    return name, detail
