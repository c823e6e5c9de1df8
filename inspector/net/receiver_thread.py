"""Runs the receiver on its own thread and event loop (:class:`ReceiverThread`: for the window and for tests).
Nothing here imports Qt."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from inspector.net.receiver_config import ReceiverConfig
from inspector.net.receiver_server import OnCapture, Receiver
from inspector.net.store import CaptureStore


class ReceiverThread:
    """Runs a :class:`Receiver` on its own thread with its own event loop (for the window and for tests).

    ``start()`` blocks until the port is bound (returns it) or raises the bind error; ``stop()`` shuts down
    gracefully and joins the thread. ``on_capture`` (finished record) and ``on_pending`` (answered, validation
    still running) are called on the receiver's thread.
    """

    def __init__(
        self,
        store: CaptureStore,
        config: ReceiverConfig | None = None,
        on_capture: OnCapture | None = None,
        on_pending: OnCapture | None = None,
    ):
        self.receiver = Receiver(store, config, on_capture, on_pending)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stopping: asyncio.Event | None = None

    @property
    def port(self) -> int | None:
        return self.receiver.port

    @property
    def url(self) -> str:
        return self.receiver.url

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> int:
        self._thread = threading.Thread(target=self._run, name="crash-inspector-receiver", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the receiver did not start in time")
        if self._error is not None:
            self._thread.join()
            raise self._error
        assert self.receiver.port is not None
        return self.receiver.port

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        try:
            await self.receiver.start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stopping.wait()
        await self.receiver.stop()

    def stop(self, timeout: float | None = 60.0) -> None:
        if self._loop is not None and self._stopping is not None and self.running:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(timeout)
