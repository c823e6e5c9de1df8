"""What keeps the receiver alive under hostile clients: a memory budget, a minimum body rate, quiet error logs.

* :class:`ByteBudget`: every body byte held in memory (and every byte a decode may produce) is reserved here
  first, so the bodies of all concurrent requests together stay under one limit whatever they claim or send.
  A request that cannot get its bytes in time is answered 503 (the SDKs retry), never queued without bound.
* :func:`read_body`: reads with the size cap, an overall deadline and a **minimum average rate** after a short
  grace period, so a client trickling one byte every few seconds is cut off (408) in seconds, not minutes. The
  receiver reads bodies *before* taking one of its processing slots, so slow clients never hold one.
* :func:`quiet_aiohttp_errors`: aiohttp logs a malformed request with a traceback whose message quotes the bad
  header line (a token included); the filter keeps one line naming the error class and the client, no value.

Nothing here imports Qt.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from typing import Protocol


class BodyTooLarge(Exception):
    pass


class BudgetExhausted(Exception):
    """The memory budget stayed full until the request's deadline."""


class ByteBudget:
    """A counting semaphore of bytes for one event loop. ``take`` waits (FIFO) until the bytes fit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.peak = 0
        self._waiters: collections.deque[tuple[int, asyncio.Future[None]]] = collections.deque()

    def try_take(self, n: int) -> bool:
        n = min(n, self.limit)
        if self._waiters or self.used + n > self.limit:
            return False
        self.used += n
        self.peak = max(self.peak, self.used)
        return True

    async def take(self, n: int, timeout: float) -> None:
        """Reserve ``n`` bytes (at most the whole limit); BudgetExhausted after ``timeout`` seconds."""
        n = min(n, self.limit)
        if self.try_take(n):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (n, future)
        self._waiters.append(entry)
        try:
            async with asyncio.timeout(max(0.0, timeout)):
                await future
        except TimeoutError:
            if future.done() and not future.cancelled():
                self.give(n)  # granted just as the time ran out
            raise BudgetExhausted() from None
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    def give(self, n: int) -> None:
        self.used -= min(n, self.limit)
        while self._waiters:
            need, future = self._waiters[0]
            if future.done():
                self._waiters.popleft()
                continue
            if self.used + need > self.limit:
                break
            self._waiters.popleft()
            self.used += need
            self.peak = max(self.peak, self.used)
            future.set_result(None)


class Held:
    """The bytes one request holds in a budget; released all at once."""

    def __init__(self, budget: ByteBudget) -> None:
        self.budget = budget
        self.bytes = 0

    async def take(self, n: int, timeout: float) -> None:
        await self.budget.take(n, timeout)
        self.bytes += min(n, self.budget.limit)

    def release(self) -> None:
        if self.bytes:
            self.budget.give(self.bytes)
            self.bytes = 0


class Limits(Protocol):
    max_body: int
    read_timeout: float
    body_timeout: float
    min_body_rate: float
    rate_grace: float


class _Readable(Protocol):
    async def readany(self) -> bytes: ...

    def read_nowait(self, n: int = -1) -> bytes: ...

    def at_eof(self) -> bool: ...


async def read_body(
    stream: _Readable, limits: Limits, held: Held, *, cap: int | None = None, content_length: int | None = None
) -> bytes:
    """Read a whole body: the size cap, bytes reserved in ``held`` as they come (all of a declared
    Content-Length up front), an overall deadline, and the minimum average rate after the grace period.

    Raises BodyTooLarge, TimeoutError (slow or stalled client) or BudgetExhausted.
    """
    loop = asyncio.get_running_loop()
    cap = limits.max_body if cap is None else cap
    began = loop.time()
    deadline = began + limits.body_timeout
    if content_length:
        await held.take(content_length, deadline - loop.time())
        began = loop.time()  # the rate counts from when the receiver was ready to read
        deadline = min(deadline, began + limits.body_timeout)
    chunks: list[bytes] = []
    total = 0
    while True:
        now = loop.time()
        # The latest moment the next bytes may arrive and still keep the average at the minimum rate.
        by_rate = began + limits.rate_grace + (total + 1) / limits.min_body_rate if limits.min_body_rate else deadline
        chunk = stream.read_nowait(-1)  # what already arrived (a small body comes with its head): no timer
        if not chunk:
            if stream.at_eof():
                break
            wait = min(limits.read_timeout, deadline - now, by_rate - now)
            if wait <= 0:
                raise TimeoutError()
            async with asyncio.timeout(wait):
                chunk = await stream.readany()
            if not chunk:
                break
        total += len(chunk)
        if total > cap:
            raise BodyTooLarge()
        if loop.time() > by_rate:  # a trickle that arrived just in time still counts against the average
            raise TimeoutError()
        if total > held.bytes:
            await held.take(total - held.bytes, deadline - loop.time())
        chunks.append(chunk)
    return b"".join(chunks)


class RateGuard:
    """The same deadline and minimum-rate rule for a body read piecemeal (a streamed upload)."""

    def __init__(self, limits: Limits, deadline: float | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self.limits = limits
        self.began = self.loop.time()
        self.deadline = self.began + (limits.body_timeout if deadline is None else deadline)
        self.total = 0

    def wait(self) -> float:
        """Seconds the next read may take; TimeoutError when none are left."""
        now = self.loop.time()
        limits = self.limits
        by_rate = (
            self.began + limits.rate_grace + (self.total + 1) / limits.min_body_rate
            if limits.min_body_rate
            else self.deadline
        )
        wait = min(limits.read_timeout, self.deadline - now, by_rate - now)
        if wait <= 0:
            raise TimeoutError()
        return wait

    def got(self, n: int) -> None:
        self.total += n


class _QuietErrors(logging.Filter):
    """Replace aiohttp's tracebacks (whose messages quote the offending header line) by one line without it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            try:
                text = record.getMessage()
            except Exception:
                text = str(record.msg)
            status = getattr(exc, "code", None) or getattr(exc, "status", None)
            code = f" (HTTP {status})" if status else ""
            record.msg = f"{text}: {type(exc).__name__}{code}; the request line and header values are not logged"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


_FILTER = _QuietErrors()
LOGGERS = ("aiohttp.server", "aiohttp.web", "aiohttp.internal", "aiohttp.access")


def quiet_aiohttp_errors() -> None:
    """Install the filter on aiohttp's loggers (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


__all__ = [
    "BodyTooLarge",
    "BudgetExhausted",
    "ByteBudget",
    "Held",
    "RateGuard",
    "quiet_aiohttp_errors",
    "read_body",
]
