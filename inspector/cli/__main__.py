"""``python -m inspector.cli`` is the ``crash-inspector`` command (as ``python -m inspector``)."""

from inspector.cli.main import main

raise SystemExit(main())
