"""Symbolicate: walk a minidump's stacks and name the frames of a native report with Breakpad symbols.

One use case for ``crash-inspector show --stack/--symbols``, ``shot --symbols`` and the window's Tools ›
Symbolicate…. It reads files and may download from symbol servers: never call it on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from inspector.formats import get_format
from inspector.formats.base import Submission
from inspector.formats.minidump import symbolicated_reports
from inspector.formats.minidump_parse import Minidump
from inspector.native.apply import symbolicate_report
from inspector.native.debuginfo import with_debug_files
from inspector.native.stack import walk_thread
from inspector.native.store import Progress, SymbolStore, env_sources
from inspector.report import Report

if TYPE_CHECKING:
    from inspector.native.unwind import WalkedFrame


@dataclass(slots=True)
class Symbolicated:
    """The reports with their frames named, and what the lookup met."""

    reports: list[Report]
    #: the crashed thread's walked frames (a minidump, asked with ``walk=True``), else None
    walked: list[WalkedFrame] | None = None
    #: "debug file id" of every module still without symbols
    missing: list[str] = field(default_factory=list)
    #: one line per problem (an unreachable server, a damaged symbol file)
    errors: list[str] = field(default_factory=list)


def symbol_sources(given: Sequence[str] = ()) -> list[str]:
    """Where to look, in order: ``given`` (the command line's), ``$CRASH_INSPECTOR_SYMBOLS``, then the
    Preferences' symbol paths (each once)."""
    from inspector.settings import load_settings

    sources = [*given, *env_sources()]
    return sources + [p for p in load_settings().symbol_paths if p not in sources]


def is_symbolicatable(submission: Submission, reports: Sequence[Report]) -> bool:
    """A minidump, or a report whose binary images carry debug ids and addresses (Apple reports)."""
    if isinstance(submission.native, Minidump):
        return True
    return any(b.debug_id and b.start is not None for r in reports[:1] for b in list(r.binaries)[:2000])


def symbolicate(
    submission: Submission,
    sources: Sequence[str],
    *,
    reports: Sequence[Report] | None = None,
    walk: bool = False,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    looking_up: Callable[[object], None] | None = None,
) -> Symbolicated:
    """The submission's reports walked (a minidump) or named (reports listing binary images) with the symbols of
    ``sources``.

    ``reports``: the reports to name when the input is not a minidump (default: the format's). ``progress`` sees
    downloads; ``cancelled`` is polled between modules and chunks (True raises
    :class:`inspector.native.store.Cancelled`); ``looking_up`` is told each module before its lookup.
    """
    store = SymbolStore(sources=list(sources), progress=progress, cancelled=cancelled)
    if looking_up is not None or cancelled is not None:
        original = store.symbols_for

        def symbols_for(module: object) -> object:
            if cancelled is not None and cancelled():
                from inspector.native.store import Cancelled

                raise Cancelled()
            if looking_up is not None:
                looking_up(module)
            return original(module)

        store.symbols_for = symbols_for  # type: ignore[method-assign,assignment]
    symbols = with_debug_files(store)
    md = submission.native
    walked = None
    if isinstance(md, Minidump):
        named = symbolicated_reports(submission, symbols)
        if walk:
            thread = next(
                (t for t in md.threads if t.id == md.crashing_thread_id), md.threads[0] if md.threads else None
            )
            walked = walk_thread(md, thread, symbols) if thread is not None else None
    else:
        listed = reports if reports is not None else get_format(submission.format).reports(submission)
        named = [symbolicate_report(r, symbols) for r in listed]
    missing = [f"{f} {i}" for f, i in store.missing()]
    return Symbolicated(named, walked, missing, list(store.errors))


__all__ = ["Symbolicated", "is_symbolicatable", "symbol_sources", "symbolicate"]
