"""Entry points of the network sub-commands (``send``, ``receive``); the code lives in their own modules."""

from inspector.net.receive_cli import run_receive  # noqa: F401
from inspector.net.send_cli import run_send  # noqa: F401
