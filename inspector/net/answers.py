"""Who answered: an outcome names its real target, not the vendor, when the request went elsewhere.

"Accepted by the local receiver" for a loopback host, "by https://staging.example" for a server that is not the
vendor's, never a rollbar.com link for someone else's host. Used by every send (:mod:`inspector.services.sending`)
and by symbol uploads (:mod:`inspector.net.uploads`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from inspector.formats.base import Outcome, Sender, Target
from inspector.net.profiles import KINDS


def target_name(target: Target) -> str:
    """Who a target is, as the user should read it: the vendor (its public host), "the local receiver" (loopback)
    or the server's origin (``https://staging.example``)."""
    from inspector.net.client import is_loopback

    try:
        parts = urlsplit(target.base_url)
    except ValueError:
        return target.base_url or "the server"
    if is_loopback(parts.hostname):
        return "the local receiver"
    default = KINDS.get(target.kind, ("", ""))[1]
    if default and urlsplit(default).netloc.lower() == parts.netloc.lower():
        return ""  # the vendor's own service: its module's words are right
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "the server"


def name_target(outcome: Outcome, module: Sender, target: Target) -> Outcome:
    """The outcome with "by <vendor>" replaced by the real target, and a vendor link only for the vendor's host."""
    name = target_name(target)
    if not name:
        return outcome
    summary = re.sub(rf"\bby {re.escape(module.TITLE)}\b", f"by {name}", outcome.summary, flags=re.IGNORECASE)
    if summary == outcome.summary and outcome.ok:
        summary = f"{outcome.summary} (answered by {name})"
    details = list(outcome.details)
    return Outcome(outcome.ok, summary, details, id=outcome.id, link=None, retry_after=outcome.retry_after)


__all__ = ["name_target", "target_name"]
