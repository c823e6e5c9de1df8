"""Read the command-line contract (commands, flags, choices, positionals) out of ``--help`` texts."""

from __future__ import annotations

import re
from typing import Any

_FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)(?: \{([^}]*)\})?")


def commands(main_help: str) -> list[str]:
    """The sub-command names listed under ``COMMAND`` in ``crash-inspector --help``."""
    names: list[str] = []
    inside = False
    for line in main_help.splitlines():
        if line.strip() == "COMMAND":
            inside = True
            continue
        if inside:
            if not line.startswith("    "):
                break
            match = re.match(r"^    ([a-z][\w-]*)(\s|$)", line)
            if match:
                names.append(match.group(1))
    return names


def command(help_text: str) -> dict[str, Any]:
    """``{"flags": {flag: choices or None}, "positionals": [metavar, ...]}`` of one command's ``--help``."""
    flags: dict[str, list[str] | None] = {}
    positionals: list[str] = []
    section = ""
    for line in help_text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            section = line
            continue
        if section == "positional arguments:":
            match = re.match(r"^  (\S+)", line)
            if match:
                positionals.append(match.group(1))
        elif section and re.match(r"^  -", line):
            head = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
            for flag, choices in _FLAG.findall(head):
                flags[flag] = choices.split(",") if choices else None
    return {"flags": flags, "positionals": positionals}
