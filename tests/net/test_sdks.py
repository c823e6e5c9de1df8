"""Real SDKs pointed at the receiver on 127.0.0.1: pyrollbar and backtracepython from PyPI, rollbar.js and
@backtrace/node from npm (installed once per session into a temp folder; skipped with the reason when Node, npm
or the registry is unavailable). Each SDK runs in a subprocess with a minimal environment (@backtrace/node copies
the whole environment into every report) and mostly runs the very snippets the Capture panel offers.

What each SDK sent must be stored, parsed, validated without errors, and show the same as ``show --json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.cli import show_json
from inspector.formats import has_errors, load_bytes, reports, validate
from inspector.formats.base import Problem, Severity, redaction_placeholder
from inspector.net.receiver import DEFAULT_MAX_BODY, ReceiverConfig, ReceiverThread
from inspector.net.snippets import BACKTRACE_TOKEN, ROLLBAR_TOKEN, snippet
from inspector.net.store import CaptureRecord, CaptureStore

ROOT = Path(__file__).parents[2]
NPM_PACKAGES = ["rollbar@3", "@backtrace/node@0.8"]


class Inbox:
    def __init__(self, root: Path, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.store = CaptureStore(root)
        self.records: list[CaptureRecord] = []
        self._cond = threading.Condition()
        config = ReceiverConfig(host="127.0.0.1", port=0, max_body=max_body)
        self.thread = ReceiverThread(self.store, config, on_capture=self._add)
        self.thread.start()
        self.url = self.thread.url

    def _add(self, record: CaptureRecord) -> None:
        with self._cond:
            self.records.append(record)
            self._cond.notify_all()

    def wait(self, count: int, timeout: float = 120.0) -> list[CaptureRecord]:  # a bound, not a speed check
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.records) >= count, timeout), self.records
            return list(self.records)


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    box = Inbox(tmp_path / "inbox")
    yield box
    box.thread.stop()


def minimal_env(**extra: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "USER") if k in os.environ}
    env.update(extra)
    return env


def run(cmd: list[str], code: str, env: dict[str, str]) -> None:
    proc = subprocess.run([*cmd, code], env=env, capture_output=True, text=True, timeout=90, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def check_capture(inbox: Inbox, record: CaptureRecord) -> dict:
    """Stored without the SDK's token, parsed, valid, and the same view as ``show --json`` of the stored file."""
    assert record.status == 200, record.note
    raw_path = inbox.store.raw_path(record.id)
    raw = raw_path.read_bytes()
    assert ROLLBAR_TOKEN.encode() not in raw and BACKTRACE_TOKEN.encode() not in raw
    assert redaction_placeholder(32 if record.api == "rollbar" else 64).encode() in raw
    sub = load_bytes(raw)
    problems = validate(sub)
    assert not has_errors(problems), [p for p in problems if p.severity is Severity.ERROR]
    assert (sub.format, sub.kind) == (record.format, record.kind)
    assert record.errors == 0
    mine = show_json(sub, reports(sub), problems)
    cli = subprocess.run(
        [sys.executable, "-m", "inspector", "show", "--json", "--format", sub.format, str(raw_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert cli.returncode == 0, cli.stderr
    shown = json.loads(cli.stdout)
    assert shown["reports"] == mine["reports"] and shown["kind"] == mine["kind"]
    redacted = [p for p in shown["problems"] if "redacted by the receiver" in p["message"]]
    assert redacted and all(p["severity"] == "info" for p in redacted)  # the placeholder: a note, not a problem
    assert (
        len(shown["problems"]) == len(mine["problems"]) == len(redacted) + len([Problem(**p) for p in record.problems])
    )
    return shown


# ------------------------------------------------------------------------------------------------ PyPI


def test_pyrollbar(inbox: Inbox) -> None:
    py = [sys.executable, "-c"]
    run(py, snippet(inbox.url, "pyrollbar").code, minimal_env())
    run(
        py,
        f"""
import rollbar
rollbar.init("{ROLLBAR_TOKEN}", environment="capture-test", endpoint="{inbox.url}/api/1/", handler="blocking")
def inner():
    raise ValueError("inner")
try:
    try:
        inner()
    except ValueError as exc:
        raise RuntimeError("outer") from exc
except RuntimeError:
    rollbar.report_exc_info(extra_data={{"order_id": 42}})
rollbar.wait()
""",
        minimal_env(),
    )
    records = inbox.wait(3)
    assert [r.api for r in records] == ["rollbar"] * 3
    assert [r.kind for r in records] == ["trace", "message", "trace_chain"]
    shown = [check_capture(inbox, r) for r in records]
    assert shown[0]["reports"][0]["exceptions"][0]["type"] == "KeyError"
    assert [e["type"] for e in shown[2]["reports"][0]["exceptions"]] == ["RuntimeError", "ValueError"]
    raw = inbox.store.read_raw(records[0].id)
    # the head is kept as sent, but for the token: a placeholder of the same length, named in the record
    assert b"X-Rollbar-Access-Token: " + redaction_placeholder(32).encode() + b"\r\n" in raw
    assert {"name": "X-Rollbar-Access-Token header", "last4": ROLLBAR_TOKEN[-4:]} in records[0].redacted
    assert {"name": "access_token (body)", "last4": ROLLBAR_TOKEN[-4:]} in records[0].redacted


def test_backtracepython(inbox: Inbox, tmp_path: Path) -> None:
    py = [sys.executable, "-c"]
    run(py, snippet(inbox.url, "backtrace-python").code, minimal_env())
    log = tmp_path / "app.log"
    log.write_text("line 1\nline 2\n")
    run(
        py,
        f"""
import backtracepython as bt
bt.initialize(endpoint="{inbox.url}/myuniverse/{BACKTRACE_TOKEN}/json", token=None,
              attributes={{"application": "capture-test"}}, attachments=[{str(log)!r}], disable_global_handler=True)
bt.send_report("hello from backtracepython")
bt.finalize()
""",
        minimal_env(),
    )
    records = inbox.wait(2)
    assert [(r.api, r.kind, r.path) for r in records] == [
        ("backtrace", "error object", "/post"),
        ("backtrace", "error object", f"/myuniverse/{redaction_placeholder(len(BACKTRACE_TOKEN))}/json"),
    ]
    shown = [check_capture(inbox, r) for r in records]
    assert shown[0]["reports"][0]["exceptions"][0]["type"] == "KeyError"
    sub = load_bytes(inbox.store.read_raw(records[1].id))
    assert [a.name for a in sub.attachments] == ["attachment_app.log"] and sub.attachments[0].data == log.read_bytes()


# ------------------------------------------------------------------------------------------------ npm


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``npm install rollbar @backtrace/node`` once per test session, into a temp folder (3 minutes at most)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("Node.js and npm are not installed: rollbar.js and @backtrace/node are not tested")
    folder = tmp_path_factory.mktemp("npm-sdks")
    (folder / "package.json").write_text('{"name": "sdk-capture", "version": "1.0.0", "private": true}')
    try:
        proc = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *NPM_PACKAGES],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=180,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("npm install rollbar @backtrace/node took more than 3 minutes")
    if proc.returncode != 0:
        pytest.skip(f"npm install rollbar @backtrace/node failed: {proc.stderr.strip()[-300:]}")
    return folder / "node_modules"


def test_rollbar_js(inbox: Inbox, node_modules: Path) -> None:
    env = minimal_env(NODE_PATH=str(node_modules))
    run(["node", "-e"], snippet(inbox.url, "rollbar-js").code, env)
    run(
        ["node", "-e"],
        f"""
const Rollbar = require('rollbar');
const rollbar = new Rollbar({{ accessToken: '{ROLLBAR_TOKEN}', environment: 'capture-test',
  endpoint: '{inbox.url}/api/1/item/', captureUncaught: false, captureUnhandledRejections: false }});
rollbar.error(new Error('outer', {{ cause: new TypeError('inner') }}));
rollbar.info('a message');
rollbar.wait(() => process.exit(0));
""",
        env,
    )
    records = inbox.wait(3)
    assert sorted(r.kind or "" for r in records) == ["message", "trace_chain", "trace_chain"]
    shown = {r.id: check_capture(inbox, r) for r in records}
    chains = sorted(len(s["reports"][0]["exceptions"]) for s in shown.values() if s["kind"] == "trace_chain")
    assert chains == [1, 2]
    raw = inbox.store.read_raw(records[0].id)
    head = raw.split(b"\r\n\r\n")[0]
    assert b'"access_token"' not in raw and redaction_placeholder(32).encode() in head


def test_backtrace_node(inbox: Inbox, node_modules: Path) -> None:
    env = minimal_env(NODE_PATH=str(node_modules))
    run(["node", "-e"], snippet(inbox.url, "backtrace-node").code, env)
    run(
        ["node", "-e"],
        f"""
const {{ BacktraceClient, BacktraceStringAttachment }} = require('@backtrace/node');
const client = BacktraceClient.initialize({{ url: '{inbox.url}/api', token: '{BACKTRACE_TOKEN}',
  userAttributes: {{ application: 'capture-test' }}, metrics: {{ enable: false }}, database: {{ enable: false }},
  captureUnhandledErrors: false, captureUnhandledPromiseRejections: false,
  attachments: [new BacktraceStringAttachment('log.txt', 'hello log')] }});
client.breadcrumbs && client.breadcrumbs.info && client.breadcrumbs.info('about to fail');
client.send(new TypeError('with breadcrumbs')).then(() => {{ client.dispose(); process.exit(0); }});
""",
        env,
    )
    records = inbox.wait(2)
    assert [(r.api, r.kind, r.path) for r in records] == [("backtrace", "error object", "/post")] * 2
    for r in records:
        check_capture(inbox, r)
    plain, multi = (inbox.store.read_raw(r.id) for r in records)
    assert b"Transfer-Encoding: chunked" in plain and b"Content-type: application/json" in plain
    sub = load_bytes(multi)
    assert "multipart" in sub.envelope.layers
    names = [a.name for a in sub.attachments]
    assert "attachment_log.txt" in names and any(n.startswith("attachment_bt-breadcrumbs") for n in names)
    assert records[0].exception == "Error: hello from @backtrace/node"


def test_pyrollbar_failsafe_after_413(tmp_path: Path) -> None:
    """A body over the cap gets Rollbar's 413; pyrollbar then posts its small "failsafe" item, which is kept."""
    box = Inbox(tmp_path, max_body=1200)
    try:
        run(
            [sys.executable, "-c"],
            f"""
import rollbar
rollbar.init("{ROLLBAR_TOKEN}", environment="capture-test", endpoint="{box.url}/api/1/", handler="blocking")
rollbar.report_message("x" * 5000)
rollbar.wait()
""",
            minimal_env(),
        )
        first, second = box.wait(2)
    finally:
        box.thread.stop()
    assert (first.status, first.body_stored) == (413, False)
    assert second.status == 200 and second.kind == "message"
    item = load_bytes(box.store.read_raw(second.id)).document.value
    assert item["data"]["failsafe"] is True and "payload too large" in item["data"]["body"]["message"]["body"]
