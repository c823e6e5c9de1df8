"""Native debug files (ELF/DWARF, Mach-O and dSYM bundles) through Sentry's ``symbolic``: the optional extra.

``pip install "crash-inspector[native]"`` adds symbolic (Linux and macOS wheels; none for Windows). With it, a folder
of binaries, ``.debug`` files and ``.dSYM`` bundles is a symbol source like a Breakpad store: files are matched to
modules by debug id (the ELF build id / Mach-O UUID), and functions, files, lines and inlined calls come from their
DWARF. Without it, only Breakpad ``.sym`` files are read (convert debug files with ``dump_syms``).

Only names and lines: symbolic's CFI is not used for unwinding (the walker takes CFI from ``.sym`` files).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.native.symfile import Inline, Symbol

_MAGICS = (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa\xcf")
#: Files looked at per folder at most (a home directory given by mistake must not be read whole).
MAX_FILES = 20_000


def available() -> bool:
    """Whether the ``native`` extra (symbolic) is installed."""
    try:
        import symbolic  # noqa: F401
    except ImportError:
        return False
    return True


def breakpad_id(debug_id: str) -> str:
    """``32d70499-2adc-7fda-7184-301df5708f57`` (symbolic, Apple reports) → ``32D704992ADC7FDA7184301DF5708F570``."""
    text = debug_id.replace("-", "").upper()
    return text + "0" if len(text) == 32 else text


@dataclass
class DebugFile:
    """One object of a debug file, answering like a :class:`~inspector.native.symfile.SymbolFile`."""

    path: Path
    obj: Any
    _cache: Any = None

    def _symcache(self) -> Any:
        if self._cache is None:
            self._cache = self.obj.make_symcache()
        return self._cache

    def lookup(self, address: int) -> Symbol | None:
        try:
            found = self._symcache().lookup(address)
        except Exception:  # symbolic raises its own error classes for damaged DWARF
            return None
        if not found:
            return None
        outer = found[-1]  # symbolic lists the innermost inlined call first
        symbol = Symbol(
            function=outer.symbol or "?",
            function_address=outer.sym_addr,
            parameter_size=0,
            file=outer.full_path or None,
            line=outer.line or None,
        )
        symbol.inlines = [Inline(loc.symbol or "?", loc.full_path or None, loc.line or None) for loc in found[:-1]]
        return symbol

    def has_function(self, address: int) -> bool:
        return self.lookup(address) is not None

    def cfi_rules(self, address: int) -> None:
        return None

    def stack_win(self, address: int) -> None:
        return None


@dataclass
class DebugFileStore:
    """Debug files under some folders, by Breakpad-style debug id."""

    folders: list[str]
    _by_id: dict[str, DebugFile] | None = field(default=None, repr=False)
    errors: list[str] = field(default_factory=list)

    def _index(self) -> dict[str, DebugFile]:
        if self._by_id is not None:
            return self._by_id
        from symbolic import Archive

        found: dict[str, DebugFile] = {}
        for folder in self.folders:
            seen = 0
            for root, _dirs, files in os.walk(folder):
                for name in files:
                    seen += 1
                    if seen > MAX_FILES:
                        break
                    path = Path(root) / name
                    try:
                        with open(path, "rb") as fh:
                            if fh.read(4) not in _MAGICS:
                                continue
                        archive = Archive.open(str(path))
                        for obj in archive.iter_objects():
                            if "debug" in obj.features or "symtab" in obj.features:
                                found.setdefault(breakpad_id(str(obj.debug_id)), DebugFile(path, obj))
                    except Exception as exc:  # not an object symbolic reads, or a damaged one
                        self.errors.append(f"{path}: {type(exc).__name__}: {exc}")
        self._by_id = found
        return found

    def symbols_for(self, module: object) -> DebugFile | None:
        debug_id = getattr(module, "debug_id", None)
        if not debug_id:
            return None
        return self._index().get(breakpad_id(debug_id))


@dataclass
class ChainedSymbols:
    """Several symbol sources asked in order (Breakpad stores first, then debug files)."""

    sources: list[Any]

    def symbols_for(self, module: object) -> Any:
        for source in self.sources:
            found = source.symbols_for(module)
            if found is not None:
                return found
        return None

    def __getattr__(self, name: str) -> Any:  # missing(), errors... of the first source (the Breakpad store)
        return getattr(self.sources[0], name)


def with_debug_files(store: Any) -> Any:
    """``store`` (a :class:`~inspector.native.store.SymbolStore`), then the native debug files in its local folders
    when the ``native`` extra is installed."""
    folders = [s for s in getattr(store, "sources", []) if "://" not in s and os.path.isdir(s)]
    if not folders or not available():
        return store
    return ChainedSymbols([store, DebugFileStore(folders)])
