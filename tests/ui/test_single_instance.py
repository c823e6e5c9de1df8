"""A second ``crash-inspector FILE`` hands its file to the running window (a real second process) and exits."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from inspector.ui.window.main_window import MainWindow
from inspector.ui.window.single_instance import INSTANCE_ENV, InstanceServer, send_to_running
from inspector.ui.workers import wait_all
from tests.conftest import CORPUS

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

ROLLBAR = CORPUS / "rollbar" / "rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json"
APPCENTER = CORPUS / "appcenter" / "docs_appleError_threads_binaries.json"


@pytest.fixture
def instance(monkeypatch) -> str:
    name = f"crash-inspector-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv(INSTANCE_ENV, name)
    return name


def test_a_second_launch_opens_its_files_as_tabs_of_the_running_window(qtbot, instance: str) -> None:
    window = MainWindow(install_panels=False)
    qtbot.addWidget(window)
    server = InstanceServer(window)
    assert server.listen()
    from inspector.ui.app import _open_from_second_start

    server.files_received.connect(lambda files: _open_from_second_start(window, files))
    env = {**os.environ, INSTANCE_ENV: instance, "QT_QPA_PLATFORM": "offscreen"}
    second = subprocess.Popen(
        [sys.executable, "-m", "inspector", str(ROLLBAR), str(APPCENTER)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=60000)
    finally:
        if second.poll() is None:
            second.kill()
    _out, err = second.communicate()
    assert second.returncode == 0, err.decode()
    qtbot.waitUntil(lambda: len(window.document_views()) == 2, timeout=30000)
    titles = sorted(view.document.title for view in window.document_views())
    assert titles == sorted([ROLLBAR.name, APPCENTER.name])
    assert all(view.document.read_only for view in window.document_views())
    server.close()
    wait_all()


def test_no_running_app_means_this_start_is_the_app(qtbot, instance: str) -> None:
    assert not send_to_running([str(ROLLBAR)])
    first = InstanceServer()
    assert first.listen()
    second = InstanceServer()
    assert not second.listen()  # a live app owns the name
    first.close()


def test_a_stale_socket_of_a_killed_app_is_taken_over(qtbot, instance: str, tmp_path) -> None:
    script = (
        "import os, signal\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from inspector.ui.window.single_instance import InstanceServer\n"
        "app = QCoreApplication([])\n"
        "server = InstanceServer()\n"
        "assert server.listen()\n"
        "print('listening', flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, INSTANCE_ENV: instance, "QT_QPA_PLATFORM": "offscreen"}
    killed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert b"listening" in killed.stdout and killed.returncode == -9
    server = InstanceServer()
    assert server.listen()  # the socket file left behind does not block the next start
    server.close()


def test_garbage_on_the_socket_opens_nothing(qtbot, instance: str) -> None:
    from PySide6.QtNetwork import QLocalSocket

    window = MainWindow(install_panels=False)
    qtbot.addWidget(window)
    server = InstanceServer(window)
    assert server.listen()
    received: list[list[str]] = []
    server.files_received.connect(received.append)
    socket = QLocalSocket()
    socket.connectToServer(instance)
    assert socket.waitForConnected(5000)
    socket.write(b"\x00\xffnot json\n")
    socket.flush()
    qtbot.waitUntil(lambda: socket.bytesAvailable() > 0 or socket.waitForReadyRead(50))
    assert bytes(socket.readAll().data()).strip() == b"bad"
    assert received == []
    server.close()
