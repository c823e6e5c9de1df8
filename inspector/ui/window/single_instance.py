"""One window per user: a second ``crash-inspector FILE...`` hands its files to the running window and exits.

The running app listens on a QLocalServer (a Unix socket / Windows named pipe, private to the user); a new start
first tries to connect to it. The message is one line of JSON, ``{"paths": [...absolute paths]}``; the server
answers ``ok`` once the files are queued for opening. When nothing answers (no app running, or a stale socket of a
killed one), the new start becomes the running app.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

#: Environment variable that names the instance (tests, or two separate set-ups on one account).
INSTANCE_ENV = "CRASH_INSPECTOR_INSTANCE"
#: The longest message a client may send (a few thousand paths): a stray client cannot make the app buffer more.
MAX_MESSAGE = 1024 * 1024
CONNECT_MS = 1000
#: How long a second start waits for the running app's answer before opening a window of its own (a busy app
#: answers from its event loop, which never blocks for long).
ANSWER_MS = 10000


def server_name() -> str:
    """The socket's name: per user (hashed: user names may hold characters a socket name cannot)."""
    explicit = os.environ.get(INSTANCE_ENV)
    if explicit:
        return explicit
    try:
        user = getpass.getuser()
    except Exception:  # no user name (a container without passwd entry)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return "crash-inspector-" + hashlib.sha256(user.encode("utf-8")).hexdigest()[:16]


def send_to_running(paths: list[str], name: str | None = None) -> bool:
    """Hand ``paths`` to the running app. True when it took them (this start may exit), False when none runs."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(CONNECT_MS):
        return False
    message = json.dumps({"paths": [str(Path(p).resolve()) for p in paths]}).encode("utf-8") + b"\n"
    socket.write(message)
    socket.flush()
    answer = b""
    while b"\n" not in answer and socket.waitForReadyRead(ANSWER_MS):
        answer += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return answer.strip() == b"ok"


class InstanceServer(QObject):
    """Listens for later starts. Signals: files_received(list[str]) — the paths a second start asked to open."""

    files_received = Signal(list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self, name: str | None = None) -> bool:
        """Start listening; a socket file left by a killed app is removed first. False when another app listens."""
        name = name or server_name()
        # Asked first: with the user-access option Qt creates the socket aside and renames it over the name,
        # which would silently take the name from a live app.
        probe = QLocalSocket()
        probe.connectToServer(name)
        if probe.waitForConnected(CONNECT_MS):
            probe.disconnectFromServer()
            return False  # a live app owns the name
        QLocalServer.removeServer(name)
        ok = self.server.listen(name)
        if not ok:
            log.warning("single instance: cannot listen on %s: %s", name, self.server.errorString())
        return ok

    def close(self) -> None:
        self.server.close()

    def _connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._gone(s))

    def _gone(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(data) > MAX_MESSAGE:
            log.warning("single instance: a message over %d bytes was dropped", MAX_MESSAGE)
            socket.abort()
            return
        self._buffers[socket] = data
        if b"\n" not in data:
            return
        line = data.split(b"\n", 1)[0]
        try:
            message = json.loads(line)
            paths = [str(p) for p in message["paths"] if isinstance(p, str)]
        except (ValueError, KeyError, TypeError):
            log.warning('single instance: a message that is not {"paths": [...]} was dropped')
            socket.write(b"bad\n")
            socket.flush()
            return
        socket.write(b"ok\n")
        socket.flush()
        self.files_received.emit(paths)
