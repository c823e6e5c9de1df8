"""Frozen entry point: the same command as ``crash-inspector`` (window without arguments, sub-commands headless)."""

import sys

from inspector.cli import main

if __name__ == "__main__":
    sys.exit(main())
