"""The one send pipeline and the one header helper: target naming, Retry-After forms, secret sources."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from inspector.formats import get_format, load_path
from inspector.formats.base import Outcome, Target
from inspector.formats.http_headers import header, retry_after
from inspector.net import profiles
from inspector.net.answers import name_target, target_name
from inspector.net.history import History
from inspector.net.profiles import Profile, ProfileStore
from inspector.services.sending import prepare, send_prepared
from tests.net.fault_server import FaultServer

CORPUS = Path(__file__).parent.parent / "corpus"
ROLLBAR = CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    srv = FaultServer().start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _no_session_secrets() -> Iterator[None]:
    yield
    profiles._session.clear()


def test_header_lookup_is_case_insensitive_and_first_wins() -> None:
    headers = [("Content-Type", "a"), ("content-type", "b")]
    assert header(headers, "CONTENT-TYPE") == "a" and header(headers, "x") is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("x-ms-retry-after-ms", "1500"), ("Retry-After", "9")], 1.5),
        ([("Retry-After", "7")], 7.0),
        ([("X-Rate-Limit-Remaining-Seconds", "0.05")], 0.05),
        ([("Retry-After", "-3")], 0.0),
        ([("Retry-After", "nan")], None),
        ([("Retry-After", "soon"), ("X-Rate-Limit-Remaining-Seconds", "2")], 2.0),
        ([], None),
    ],
)
def test_retry_after_forms(headers: list[tuple[str, str]], expected: float | None) -> None:
    assert retry_after(headers) == expected


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    when = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after([("Retry-After", when)], now=now.timestamp()) == pytest.approx(30.0)


def test_every_format_reads_the_wait_with_the_one_helper() -> None:
    for name in ("rollbar", "backtrace", "appcenter"):
        outcome = get_format(name).read_response(429, [("Retry-After", "4")], b"{}")
        assert outcome.retry_after == 4.0, name


def test_target_names() -> None:
    assert target_name(Target("rollbar", "http://127.0.0.1:8080")) == "the local receiver"
    assert target_name(Target("rollbar", "https://staging.example")) == "https://staging.example"
    assert target_name(Target("rollbar", "https://api.rollbar.com")) == ""  # the vendor itself
    module = get_format("rollbar")
    vendor = Outcome(
        True, "Accepted by Rollbar as occurrence u1", id="u1", link="https://rollbar.com/occurrence/uuid/?uuid=u1"
    )
    staged = name_target(vendor, module, Target("rollbar", "https://staging.example"))
    assert staged.summary == "Accepted by https://staging.example as occurrence u1" and staged.link is None
    kept = name_target(vendor, module, Target("rollbar", "https://api.rollbar.com"))
    assert kept.link == vendor.link and kept.summary == vendor.summary


def test_the_pipeline_sends_names_and_records(server: FaultServer, tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    submission = load_path(str(ROLLBAR), format="rollbar")
    prepared = prepare(submission, Target("rollbar", server.url, token="t0k3n"), label="ad hoc", source="x.json")
    sent = send_prepared(prepared, history=history)
    assert sent.exchange.ok and sent.history_id is not None and sent.record_error is None
    assert sent.exchange.summary.startswith("Accepted by the local receiver as occurrence")
    (entry,) = history.page(0, 5)
    assert entry.profile == "ad hoc" and entry.source == "x.json" and entry.summary == sent.exchange.summary
    history.close()


def test_secret_sources_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    store = ProfileStore()
    profile = Profile("p", kind="rollbar", secret_env="MY_TOKEN")
    store.put(profile, secret="from-keyring")
    assert profile.find_secret() == ("from-keyring", "keyring")
    monkeypatch.setenv("MY_TOKEN", "from-env")
    assert profile.find_secret() == ("from-env", "$MY_TOKEN")
    store.put(profile, secret="from-session", session_only=True)
    assert profile.find_secret() == ("from-session", "session")
    assert keyring.get_password(profiles.KEYRING_SERVICE, "p/token") is None  # a session secret leaves the keyring
    assert profile.target(token="flag").token == "flag"


def test_cli_without_a_keyring_uses_token_env(server: FaultServer, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from inspector.cli import main

    keyring.set_keyring(fail.Keyring())
    ProfileStore().put(Profile("local", kind="rollbar", base_url=server.url))  # saves: no secret asked for
    monkeypatch.setenv("ROLLBAR_TOKEN", "env-token")
    code = main(["send", str(ROLLBAR), "--profile", "local", "--token-env", "ROLLBAR_TOKEN", "--json"])
    assert code == 0
    assert server.requests[-1].header("X-Rollbar-Access-Token") == "env-token"
    assert "env-token" not in capsys.readouterr().out
