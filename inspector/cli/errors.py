"""Exit codes and error lines: the one place every command takes them from.

Exit codes (a public contract): 0 success; 1 the input has errors, the server answered with an error status, or
``diff`` found differences; 2 bad input (unreadable, unrecognized, a bad flag value, an unwritable output) or no
answer at all (refused, DNS, TLS, timeout). An error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import sys

EXIT_OK = 0
#: errors in the input, an HTTP error status, or differences (``diff``)
EXIT_ERRORS = 1
EXIT_BAD_INPUT = 2
#: Ctrl+C (128 + SIGINT, as shells report it)
EXIT_INTERRUPTED = 130

PROG = "crash-inspector"


def err(message: str, *, command: str | None = None) -> None:
    """One line on stderr: ``crash-inspector: message`` (``crash-inspector shot: message`` with ``command``)."""
    prefix = f"{PROG} {command}" if command else PROG
    print(f"{prefix}: {message}", file=sys.stderr)


def fail(message: str, *, command: str | None = None) -> int:
    """:func:`err`, then the bad-input exit code to return."""
    err(message, command=command)
    return EXIT_BAD_INPUT


__all__ = ["EXIT_BAD_INPUT", "EXIT_ERRORS", "EXIT_INTERRUPTED", "EXIT_OK", "PROG", "err", "fail"]
