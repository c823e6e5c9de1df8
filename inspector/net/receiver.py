"""The local receiver: an aiohttp server that answers like the three ingestion APIs and stores every request.

Endpoints (see reference/sdk_endpoints.md for how each SDK is pointed here):

* Backtrace ``POST /{universe}/{token}/{format}``, ``POST /post?format=&token=``, ``POST /api/post?format=&token=``
  (+ ``&object=&attachment_name=`` attachment uploads). Answers ``{"response":"ok","_rxid":"..."}``.
* Rollbar ``POST /api/1/item/``: answers ``{"err":0,"result":{"id":null,"uuid":"..."}}`` or ``{"err":1,"message":...}``.
* App Center ``POST /logs?api-version=1.0.0`` (query key matched case-insensitively): answers an empty 200.

* Backtrace uploads ``POST /{universe}/{token}/symbols`` / ``/sourcemap`` (and ``/api/post?format=symbols&token=``):
  the archive is streamed to the inbox (:mod:`inspector.net.receiver_uploads`). Answers ``{"response":"ok","_rxid":…}``.

Each request is read within limits (:mod:`inspector.net.receiver_limits`: size cap, memory budget across all
requests, deadline and minimum body rate), its secrets are replaced by same-length placeholders on the decoded
body (:mod:`inspector.net.capture_secrets`; a compressed body inflating past the cap is answered 413), the
answer is decided (:func:`quick_answer`; the format core only when that cannot tell), and the redacted request
(head as received; body as received, gzip kept unless a secret was inside; a chunked body re-framed as one
chunk) is appended with its record to the journal (:mod:`inspector.net.journal`, :mod:`inspector.net.writer`:
one write and one ``fdatasync`` per batch of requests). Each request is answered once the batch holding it is
durable. A second stage (:mod:`inspector.net.indexer`, a child process) turns journal entries into the inbox's
files, validates them and reports the finished records; a restart (or any load of the store) replays what a
killed process left. Nothing here imports Qt; :class:`ReceiverThread` runs the whole server on its own thread
and event loop for the window.

The modules, in the order a request meets them: :mod:`~inspector.net.receiver_config` (how it listens),
:mod:`~inspector.net.receiver_server` (the server, stage one), :mod:`~inspector.net.receiver_limits` (reading
within limits), :mod:`~inspector.net.receiver_requests` (redaction before the write, the stored bytes),
:mod:`~inspector.net.receiver_answers` (routing, the vendor's answer), :mod:`~inspector.net.receiver_analysis`
(the format core's reading, validation summary), :mod:`~inspector.net.receiver_uploads` (symbol archives),
:mod:`~inspector.net.receiver_thread` (its own thread). This module gathers their public names.
"""

from __future__ import annotations

from inspector.net.receiver_analysis import Analysis, analyze, describe_capture, finish_analysis
from inspector.net.receiver_answers import (
    Answer,
    Route,
    error_answer,
    is_upload,
    ok_answer,
    quick_answer,
    quick_read,
    route,
    transport_answer,
)
from inspector.net.receiver_config import DEFAULT_MAX_BODY, ReceiverConfig, exposure_warning, is_loopback
from inspector.net.receiver_requests import rebuild_request
from inspector.net.receiver_server import OnCapture, Receiver
from inspector.net.receiver_thread import ReceiverThread

__all__ = [
    "DEFAULT_MAX_BODY",
    "Analysis",
    "Answer",
    "OnCapture",
    "Receiver",
    "ReceiverConfig",
    "ReceiverThread",
    "Route",
    "analyze",
    "describe_capture",
    "error_answer",
    "exposure_warning",
    "finish_analysis",
    "is_loopback",
    "is_upload",
    "ok_answer",
    "quick_answer",
    "quick_read",
    "rebuild_request",
    "route",
    "transport_answer",
]
