"""Network failures in plain words: refused, DNS, TLS, timeout, reset, cancelled.

httpx wraps the socket error in its own exception types; the useful fact (``ECONNREFUSED``, a ``gaierror``, a
certificate verification error) is usually further down the ``__cause__`` / ``__context__`` chain, so we walk it.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx


@dataclass(slots=True)
class Failure:
    """A request that got no HTTP answer. ``kind``: refused, dns, tls, timeout, reset, cancelled, invalid, other."""

    kind: str
    summary: str
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "summary": self.summary, "details": list(self.details)}


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _where(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "the server"
    if not parts.hostname:
        return "the server"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


_RESET_ERRNOS = {errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED}


def explain_exception(exc: BaseException, url: str, *, timeout: float | None = None) -> Failure:
    """Classify a transport exception of httpx (or the socket under it). Never raises."""
    where = _where(url)
    chain = _chain(exc)
    text = str(exc) or type(exc).__name__
    detail = [f"{type(exc).__name__}: {text}"]
    cert = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if cert is not None:
        reason = getattr(cert, "verify_message", None) or str(cert)
        return Failure(
            "tls",
            f"The TLS certificate of {where} could not be verified ({reason}).",
            [
                *detail,
                "For an on-premise server with its own certificate authority, set the CA bundle in the profile; "
                "turning verification off is a last resort.",
            ],
        )
    if any(isinstance(e, ssl.SSLError) for e in chain) or "SSL" in text or "TLS" in text:
        return Failure(
            "tls",
            f"The TLS handshake with {where} failed: {text}.",
            [*detail, "Is the server speaking plain http on this port, or https with an old protocol version?"],
        )
    if (
        any(isinstance(e, socket.gaierror) for e in chain)
        or "Name or service not known" in text
        or ("nodename nor servname" in text or "getaddrinfo failed" in text or "No address associated" in text)
    ):
        host = urlsplit(url).hostname or where
        return Failure(
            "dns", f"The host name {host!r} could not be resolved (DNS).", [*detail, "Check the spelling of the URL."]
        )
    if isinstance(exc, httpx.TimeoutException) or any(isinstance(e, TimeoutError | socket.timeout) for e in chain):
        phases: dict[type[BaseException], str] = {
            httpx.ConnectTimeout: "connecting to",
            httpx.ReadTimeout: "waiting for the answer of",
            httpx.WriteTimeout: "sending the request to",
            httpx.PoolTimeout: "waiting for a free connection to",
        }
        phase = phases.get(type(exc), "talking to")
        limit = f" after {timeout:g} s" if timeout else ""
        return Failure(
            "timeout",
            f"Timed out{limit} {phase} {where}.",
            [*detail, "The server may be overloaded or a firewall may drop the packets; try a longer timeout."],
        )
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or (
        isinstance(exc, httpx.ConnectError) and ("refused" in text.lower() or "errno 111" in text.lower())
    ):
        return Failure(
            "refused",
            f"The connection to {where} was refused: nothing is listening on that port.",
            [*detail, "Is the server (or the local receiver) running, and is the port right?"],
        )
    reset = any(
        isinstance(e, ConnectionResetError | BrokenPipeError | ConnectionAbortedError)
        or (isinstance(e, OSError) and e.errno in _RESET_ERRNOS)
        for e in chain
    )
    if reset or isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return Failure(
            "reset",
            f"The connection to {where} was closed before a complete answer arrived (reset).",
            [*detail, "Servers and proxies do this when the body is too large or the request looks wrong."],
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Failure("invalid", f"The URL {url!r} cannot be used: {text}.", detail)
    if isinstance(exc, httpx.ConnectError):
        return Failure("refused", f"Could not connect to {where}: {text}.", detail)
    return Failure("other", f"The request to {where} failed: {text}.", detail)


#: Redirect statuses (304 Not Modified is not a redirect to anywhere).
REDIRECT_STATUSES = (300, 301, 302, 303, 307, 308)


def explain_redirect(
    status: int, location: str | None, url: str, mask: Callable[[str], str] = str
) -> tuple[str, list[str]]:
    """(summary, details) for a 30x answer, which the sender never follows: it would forward the token.

    ``location`` is resolved against the request ``url``; ``mask`` hides secrets (a Backtrace token in the
    query or path may come back in the Location). A redirect from https to plain http is called out first.
    """
    if not location:
        return (
            f"The server answered {status} (a redirect) without a Location; Crash Inspector does not follow "
            "redirects with a token: check the base URL (http vs https, trailing slash).",
            [],
        )
    target = urljoin(url, location.strip())
    shown = mask(target)
    summary = (
        f"The server redirects to {shown} ({status}); Crash Inspector does not follow redirects with a token: "
        "check the base URL (http vs https, trailing slash)."
    )
    details = [f"Location: {mask(location.strip())}"]
    try:
        source, dest = urlsplit(url), urlsplit(target)
    except ValueError:
        return summary, details
    if source.scheme == "https" and dest.scheme == "http":
        summary = (
            f"WARNING: the server redirects from https to plain http ({shown}, {status}). Following it would send "
            "the token unencrypted, so Crash Inspector did not; check the base URL (http vs https, trailing slash) "
            "and why this server downgrades to plain http."
        )
    elif dest.netloc.lower() != source.netloc.lower():
        details.append(f"the redirect points to another host ({dest.hostname}): the token was not sent there")
    return summary, details


def cancelled() -> Failure:
    return Failure(
        "cancelled", "Cancelled before the server answered; the server may or may not have received the report."
    )
