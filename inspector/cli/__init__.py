"""The ``crash-inspector`` command.

With no sub-command it opens the window (with the given files, or a bundled sample). Sub-commands run
headless. Their names, flags, exit codes and JSON keys are a public contract for users' scripts: extend,
never break.

One module per command (``validate``, ``show``, ``send``, ``upload``, ``receive``, ``convert``, ``diff``,
``redact``, ``export``, ``shot``), one error/exit helper (:mod:`.errors`), one argument parser (:mod:`.parser`).
Exit codes: 0 success; 1 the input has errors / the server answered with an error status; 2 bad input
(unreadable, unrecognized) or a connection failure. No command ever prints a traceback.
"""

from __future__ import annotations

from inspector.cli.main import gui_main, main
from inspector.cli.parser import VIEWS, build_parser
from inspector.cli.show import report_json, show_json

__all__ = ["VIEWS", "build_parser", "gui_main", "main", "report_json", "show_json"]
