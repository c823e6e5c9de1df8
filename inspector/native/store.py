"""Finding Breakpad symbol files: local folders and HTTP symbol servers in the standard store layout.

The layout is ``<debug_file>/<DEBUG_ID>/<name>.sym`` where ``name`` is the debug file without ``.pdb``
(``xul.pdb/44E4EC8C2F41492B9369D6B9A059577C2/xul.sym``, ``libxul.so/<ID>/libxul.so.sym``). The same layout is
served by a company's Breakpad store, Mozilla's Tecken (``https://symbols.mozilla.org/``) and Backtrace's
symbol proxy, so one lookup serves them all. Downloads land in a local cache in the same layout (streamed to a
temporary file, then renamed), so a second lookup, or a later session, reads the file from disk.

Sources come from the caller (``--symbols``), then ``CRASH_INSPECTOR_SYMBOLS`` (``os.pathsep``-separated, URLs
allowed).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from inspector.atomic import replacing
from inspector.native.symfile import SymbolFile, SymbolFileError

ENV_PATHS = "CRASH_INSPECTOR_SYMBOLS"
ENV_CACHE = "CRASH_INSPECTOR_SYMBOL_CACHE"
#: Largest symbol file downloaded (libxul's is ~300 MB; a server sending more is refused).
MAX_DOWNLOAD = 2 << 30


class Cancelled(Exception):
    """The user cancelled symbol lookup."""


def cache_dir() -> Path:
    """Where downloaded symbol files are kept (``CRASH_INSPECTOR_SYMBOL_CACHE`` overrides the platform default)."""
    override = os.environ.get(ENV_CACHE)
    if override:
        return Path(override)
    from inspector import settings

    return settings.symbols_cache_dir()


def env_sources() -> list[str]:
    """``CRASH_INSPECTOR_SYMBOLS``: folders and URLs separated by ``os.pathsep``. On POSIX, where that is ``:``, a
    colon of ``http://`` or of a port (``:8080/``) does not separate."""
    text = os.environ.get(ENV_PATHS, "")
    pieces = text.split(";") if os.pathsep == ";" else re.split(r":(?!//)(?!\d+(?:/|$))", text)
    return [p.strip() for p in pieces if p.strip()]


def sym_name(debug_file: str) -> str:
    """``test_app.pdb`` → ``test_app.sym``; ``libxul.so`` → ``libxul.so.sym``."""
    base = debug_file.replace("\\", "/").rsplit("/", 1)[-1]
    return base[:-4] + ".sym" if base.lower().endswith(".pdb") else base + ".sym"


def store_path(debug_file: str, debug_id: str) -> str:
    """The relative path of a module's symbol file in the store layout."""
    base = debug_file.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{base}/{debug_id.upper()}/{sym_name(base)}"


def module_key(module: object) -> tuple[str, str] | None:
    """(debug file, debug id) of a module, or None when it has no debug id. The debug file falls back to the
    module's file name (Linux modules have no separate debug file)."""
    debug_id = getattr(module, "debug_id", None)
    if not debug_id:
        return None
    debug_file = getattr(module, "debug_file", None) or getattr(module, "name", "") or ""
    base = debug_file.replace("\\", "/").rsplit("/", 1)[-1]
    return (base, debug_id.upper()) if base else None


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of a lookup: ``what`` is being fetched from ``source``; ``done``/``total`` bytes when known."""

    what: str
    source: str
    done: int = 0
    total: int | None = None


@dataclass
class SymbolStore:
    """Symbol files by (debug file, debug id), from local stores and HTTP servers, cached.

    Args:
        sources: folders and ``http(s)://`` URLs, searched in order.
        cache: the download cache (default :func:`cache_dir`); also searched first as a local store.
        timeout: seconds to connect and between bytes from a server.
        progress: called with :class:`Progress` while downloading.
        cancelled: polled between chunks; when it returns True the lookup raises :class:`Cancelled`.
    """

    sources: list[str] = field(default_factory=list)
    cache: Path | None = None
    timeout: float = 15.0
    progress: Callable[[Progress], None] | None = None
    cancelled: Callable[[], bool] | None = None
    #: (debug file, id) → the open file, or None when no source has it.
    _found: dict[tuple[str, str], SymbolFile | None] = field(default_factory=dict, repr=False)
    #: Problems met (unreachable server, damaged file): one line each.
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: Servers that did not answer: not asked again in this session (one timeout, not one per module).
    _down: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def from_sources(cls, sources: Iterable[str] = (), use_env: bool = True, **kwargs: object) -> SymbolStore:
        paths = list(sources) + (env_sources() if use_env else [])
        return cls(sources=paths, **kwargs)  # type: ignore[arg-type]

    @property
    def has_sources(self) -> bool:
        return bool(self.sources)

    def symbols_for(self, module: object) -> SymbolFile | None:
        key = module_key(module)
        if key is None or not self.sources:
            return None
        with self._lock:
            if key in self._found:
                return self._found[key]
            found = self._locate(*key)
            self._found[key] = found
            return found

    def missing(self) -> list[tuple[str, str]]:
        """(debug file, debug id) of every module looked up without success."""
        return [key for key, value in self._found.items() if value is None]

    def loaded(self) -> list[tuple[str, str, str]]:
        """(debug file, debug id, path) of every symbol file found."""
        return [(*key, str(value.path)) for key, value in self._found.items() if value is not None]

    # ------------------------------------------------------------------ lookup

    def _locate(self, debug_file: str, debug_id: str) -> SymbolFile | None:
        relative = store_path(debug_file, debug_id)
        cache = self.cache if self.cache is not None else (cache_dir() if self._has_urls() else None)
        local = [s for s in self.sources if "://" not in s or s.startswith("file://")]
        for root in ([str(cache)] if cache is not None else []) + local:
            root = root.removeprefix("file://")
            path = Path(root) / relative
            if not path.is_file():
                # Some stores upper-case only the id, others keep the debug file's case: try the name as written.
                continue
            opened = self._open(path)
            if opened is not None:
                return opened
        for url in (s for s in self.sources if s.startswith(("http://", "https://"))):
            if cache is None or url in self._down:
                continue
            downloaded = self._download(url, relative, cache)
            if downloaded is not None:
                opened = self._open(downloaded)
                if opened is not None:
                    return opened
        return None

    def _has_urls(self) -> bool:
        return any(s.startswith(("http://", "https://")) for s in self.sources)

    def _open(self, path: Path) -> SymbolFile | None:
        index_dir = (self.cache if self.cache is not None else cache_dir()) / "index"
        try:
            return SymbolFile(path, index_dir=index_dir)
        except (OSError, SymbolFileError, ValueError) as exc:
            self.errors.append(f"{path}: {exc}")
            return None

    def _download(self, url: str, relative: str, cache: Path) -> Path | None:
        import httpx

        target = cache / relative
        address = url.rstrip("/") + "/" + quote(relative)
        if self.progress is not None:
            self.progress(Progress(relative, url))
        try:
            with httpx.stream("GET", address, timeout=self.timeout, follow_redirects=True) as response:
                if response.status_code == 404:
                    return None
                if response.status_code != 200:
                    self.errors.append(f"{address}: HTTP {response.status_code}")
                    return None
                total = int(response.headers.get("content-length") or 0) or None
                target.parent.mkdir(parents=True, exist_ok=True)
                done = 0
                with replacing(target) as fh:  # all of the file or none of it (a cancel leaves nothing)
                    for chunk in response.iter_bytes(1 << 16):
                        if self.cancelled is not None and self.cancelled():
                            raise Cancelled()
                        done += len(chunk)
                        if done > MAX_DOWNLOAD:
                            raise OSError(f"more than {MAX_DOWNLOAD} bytes")
                        fh.write(chunk)
                        if self.progress is not None:
                            self.progress(Progress(relative, url, done, total))
        except Cancelled:
            raise
        except (httpx.HTTPError, OSError) as exc:
            if isinstance(exc, httpx.TransportError):
                self._down.add(url)
            self.errors.append(f"{address}: {type(exc).__name__}: {exc or 'no answer'}")
            return None
        return target
