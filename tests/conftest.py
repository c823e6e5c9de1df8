"""Test setup shared by every test: offscreen Qt before any Qt import, isolated user dirs, in-memory keyring."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_ENABLE_HIGHDPI_SCALING", "0")

import pytest

CORPUS = Path(__file__).parent / "corpus"


# Reference material beside the payloads: Breakpad symbols and minidump-stackwalk's outputs are not payloads.
REFERENCE_DIRS = (CORPUS / "symbols", CORPUS / "minidump" / "expected")


def is_reference(path: Path) -> bool:
    """True for the corpus's reference material (symbols, expected outputs), which no loader should be given."""
    return any(path.is_relative_to(folder) for folder in REFERENCE_DIRS)


def corpus_files(*folders: str) -> list[Path]:
    """Every corpus payload (optionally of some folders): SOURCES.md and the reference material excluded."""
    roots = [CORPUS / f for f in folders] if folders else [CORPUS]
    return sorted(
        p for root in roots for p in root.rglob("*") if p.is_file() and p.name != "SOURCES.md" and not is_reference(p)
    )


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs (config, data, cache, state) at a fresh folder so tests never touch the real ones."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        (home / sub).mkdir()
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("CRASH_INSPECTOR_HOME", str(home))
    return home


if os.environ.get("CRASH_INSPECTOR_TEST_LAZY"):

    @pytest.fixture(autouse=True)
    def _everything_lazy(monkeypatch: pytest.MonkeyPatch) -> None:
        """``CRASH_INSPECTOR_TEST_LAZY=1``: every JSON document of more than 256 bytes is parsed in pieces of ~128
        bytes and keeps its containers below the top level as chunks of its bytes (inspector.formats.lazy_json),
        so the whole suite checks that nothing reads a chunked container's storage (orjson, json.dumps, Qt)."""
        from inspector.formats import json_pieces, jsondoc, lazy_json

        monkeypatch.setattr(jsondoc, "PIECES_FROM", 256)
        monkeypatch.setattr(json_pieces, "PIECE_BYTES", 128)
        monkeypatch.setattr(lazy_json, "LAZY_FROM", 256)


@pytest.fixture(autouse=True)
def _memory_keyring() -> None:
    """Secrets go to an in-memory keyring backend in tests (never the developer's real keychain)."""
    import keyring

    from tests.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())


@pytest.fixture
def corpus() -> Path:
    return CORPUS


#: Threads that live for the whole process by design (started once, reused by every test).
_PROCESS_THREADS = ("QThreadPool", "Dummy-", "pydevd", "asyncio_", "ThreadPoolExecutor-0_")
#: How long a test's own threads may take to wind down after it (a grace period, not a speed limit).
_THREAD_GRACE_S = 10.0


@pytest.fixture(autouse=True)
def _no_leaked_threads(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves threads running (like napari's ``dangling_qthreads``): every thread it started must
    have ended when it is over (after a grace period). ``@pytest.mark.leaks_threads("why")`` marks an exception."""
    import threading

    before = set(threading.enumerate())
    yield
    if request.node.get_closest_marker("leaks_threads"):
        return
    started = [t for t in threading.enumerate() if t not in before and not t.name.startswith(_PROCESS_THREADS)]
    for thread in started:
        thread.join(_THREAD_GRACE_S / max(1, len(started)))
    alive = [t for t in started if t.is_alive()]
    if alive:
        names = ", ".join(f"{t.name} ({getattr(t, '_target', None)})" for t in alive)
        pytest.fail(f"the test left {len(alive)} thread(s) running: {names}", pytrace=False)
