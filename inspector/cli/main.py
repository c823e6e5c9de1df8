"""``main``: a sub-command runs headless; without one the window opens (with the given files, or a sample)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from inspector.cli.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, err
from inspector.cli.parser import build_gui_parser, build_parser, command_names
from inspector.formats import InspectorError


def main(argv: Sequence[str] | None = None) -> int:
    whole_process = argv is None  # the process's own command line: the command may end the process itself
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv and (argv[0] in command_names(parser) or argv[0] in ("-h", "--help", "--version")):
        args = parser.parse_args(argv)
        args.whole_process = whole_process
        try:
            return int(args.run(args))
        except InspectorError as exc:
            err(str(exc))
            return EXIT_BAD_INPUT
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        except BrokenPipeError:  # `crash-inspector show x | head`: the reader went away; not an error of ours
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
    gui_args = build_gui_parser().parse_args(argv)
    if gui_args.help:
        parser.print_help()
        print("\nWithout a command: crash-inspector [PATH...] opens the window; --self-test checks the install.")
        return EXIT_OK
    from inspector.ui.app import run_gui, run_self_test

    if gui_args.self_test:
        return int(run_self_test())
    return int(run_gui(gui_args.paths))


def gui_main() -> int:
    """Entry point of the windowed launcher (no console on Windows)."""
    return main()


if __name__ == "__main__":
    raise SystemExit(main())
