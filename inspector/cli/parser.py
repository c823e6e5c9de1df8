"""The argument parser of ``crash-inspector``: every command's name, flags and help, in one place.

The parsers are a public contract (users' scripts call them): extend, never break names, flags, choices or
defaults (``tests/test_cli_contract.py`` holds the list). Each command's code is its own module in this package,
imported only when that command runs, so ``validate`` starts without the network stack and nothing but ``shot``
and the window load Qt.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

from inspector import __version__
from inspector.formats import FORMAT_NAMES

#: The views ``shot --view`` can show (the window's tabs).
VIEWS = ("summary", "frames", "threads", "binaries", "telemetry", "attachments", "metadata", "problems", "raw")
Command = Callable[[argparse.Namespace], int]


def _lazy(module: str, func: str) -> Command:
    """The command ``func`` of ``inspector.cli.<module>``, imported when it runs."""

    def run(args: argparse.Namespace) -> int:
        command: Command = getattr(importlib.import_module(f"inspector.cli.{module}"), func)
        return command(args)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crash-inspector",
        description="Inspect, validate, compose and send crash payloads (Backtrace, Rollbar, App Center). "
        "Run without a command to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"crash-inspector {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    fmt_choices = ("auto", *FORMAT_NAMES)

    p = sub.add_parser("validate", help="validate payload files; exit 1 when any has errors")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", choices=fmt_choices, default="auto")
    p.add_argument("--json", action="store_true", help="print a JSON list of results")
    p.set_defaults(run=_lazy("validate", "run_validate"))

    p = sub.add_parser("show", help="print a readable summary of a payload")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--format", choices=fmt_choices, default="auto")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--sourcemaps",
        action="append",
        default=[],
        metavar="DIR",
        help="map minified JavaScript frames through the source maps in this folder (or file); repeatable",
    )
    p.add_argument(
        "--stack",
        action="store_true",
        help='minidumps: add the crashed thread\'s walked stack (JSON key "stack", as minidump-stackwalk)',
    )
    p.add_argument(
        "--symbols",
        action="append",
        default=[],
        metavar="DIR_OR_URL",
        help="a Breakpad symbol store folder or HTTP server (repeatable; also $CRASH_INSPECTOR_SYMBOLS)",
    )
    p.set_defaults(run=_lazy("show", "run_show"))

    p = sub.add_parser("shot", help="render the window offscreen with a document and write a PNG")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--view", choices=VIEWS, default="summary")
    p.add_argument("--out", required=True, metavar="PNG")
    p.add_argument("--size", default="1280x800", metavar="WxH")
    p.add_argument("--symbols", action="append", default=[], metavar="DIR_OR_URL", help="symbolicate a minidump first")
    p.add_argument("--panel", default=None, help="an extra panel to show (send, history, capture, editor, ...)")
    p.set_defaults(run=_lazy("shot", "run_shot"))

    p = sub.add_parser("send", help="send a payload (or every payload of a folder) to an endpoint")
    p.add_argument("path", metavar="PATH")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--profile", metavar="NAME")
    target.add_argument("--url", metavar="URL")
    p.add_argument("--token-env", metavar="VAR", help="environment variable holding the token")
    p.add_argument("--app-secret-env", metavar="VAR", help="environment variable holding the App Center app secret")
    p.add_argument("--install-id", metavar="ID")
    p.add_argument("--attach", nargs="+", default=[], metavar="FILE")
    p.add_argument("--format", choices=fmt_choices, default="auto")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--gzip", action="store_true", help="gzip the body where the API accepts it")
    p.add_argument("--rate", default=None, help="for a folder: at most N per second/minute, e.g. 60/min")
    p.add_argument("--retries", type=int, default=3)
    p.add_argument("--redact", action="store_true", help="apply the redaction rules before sending")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_lazy("send", "run_send"))

    for name, what in (("upload-symbols", "a symbol archive"), ("upload-sourcemap", "source maps")):
        p = sub.add_parser(name, help=f"upload {what} to a Backtrace endpoint (files and folders are zipped)")
        p.add_argument("paths", nargs="+", metavar="PATH", help="an archive, or files and folders to pack")
        target = p.add_mutually_exclusive_group(required=True)
        target.add_argument("--profile", metavar="NAME", help="a Backtrace endpoint profile")
        target.add_argument("--url", metavar="URL", help="a Backtrace submit URL or the server's base URL")
        p.add_argument("--token-env", metavar="VAR", help="environment variable holding the symbol:post token")
        p.add_argument("--tag", action="append", default=[], metavar="T", help="a tag field (repeat for more)")
        p.add_argument("--archive", choices=("zip", "tar.gz"), default="zip", help="what files and folders become")
        p.add_argument("--timeout", type=float, default=300.0, help="seconds without progress before giving up")
        p.add_argument("--json", action="store_true")
        p.set_defaults(app_secret_env=None, install_id=None, gzip=False, retries=0)
        p.set_defaults(run=_lazy("upload", "run_" + name.replace("-", "_")))

    p = sub.add_parser(
        "receive",
        help="run the local receiver that emulates the three ingestion APIs",
        description="Run the local receiver: point an SDK at it and every request is answered like the vendor "
        "would and stored for inspection. The first line of output is 'listening on http://HOST:PORT'; the "
        "endpoints each SDK should use follow on stderr. Ctrl+C stops it.",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; any other exposes the receiver to the network: a warning "
        "says so)",
    )
    p.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default 8000; 0 picks a free one, printed)"
    )
    p.add_argument(
        "--store",
        default=None,
        metavar="DIR",
        help="folder for the captured requests (default: the inbox in the app's data folder, shared with the window)",
    )
    p.add_argument("--strict", action="store_true", help="reject invalid payloads the way the vendor would")
    p.add_argument(
        "--max-body",
        type=int,
        default=64 * 1024 * 1024,
        metavar="BYTES",
        help="largest request body accepted (default 64 MiB); bigger ones get 413 like the vendors",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object per request")
    p.set_defaults(run=_lazy("receive", "run_receive"))

    p = sub.add_parser("convert", help="convert a report to another API's format")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--to", required=True, choices=("backtrace", "rollbar", "appcenter"))
    p.add_argument("-o", "--out", default=None, metavar="OUT")
    p.add_argument("--json", action="store_true", help="print the conversion report as JSON")
    p.set_defaults(run=_lazy("convert", "run_convert"))

    p = sub.add_parser("diff", help="compare two reports structurally")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_lazy("diff", "run_diff"))

    p = sub.add_parser("redact", help="redact secrets and personal data from a payload")
    p.add_argument("path", metavar="PATH")
    p.add_argument("-o", "--out", default=None, metavar="OUT")
    p.add_argument("--rules", default=None, metavar="FILE", help="extra rules (JSON)")
    p.add_argument("--preview", action="store_true", help="print what would change, write nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_lazy("redact", "run_redact"))

    p = sub.add_parser("export", help="export a readable summary (Markdown, HTML) or a support bundle (zip)")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--as", dest="as_", choices=("markdown", "html", "bundle"), default="markdown")
    p.add_argument("-o", "--out", default=None, metavar="OUT")
    p.set_defaults(run=_lazy("export", "run_export"))
    return parser


def build_gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crash-inspector", add_help=False)
    parser.add_argument("paths", nargs="*", metavar="PATH")
    parser.add_argument("--self-test", action="store_true", help="open every bundled sample offscreen and exit")
    parser.add_argument("--version", action="version", version=f"crash-inspector {__version__}")
    parser.add_argument("-h", "--help", action="store_true")
    return parser


def command_names(parser: argparse.ArgumentParser) -> set[str]:
    """The sub-command names of ``parser``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


__all__ = ["VIEWS", "build_gui_parser", "build_parser", "command_names"]
