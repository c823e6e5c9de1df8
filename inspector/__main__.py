"""``python -m inspector`` is the ``crash-inspector`` command."""

from inspector.cli import main

raise SystemExit(main())
