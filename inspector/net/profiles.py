"""Endpoint profiles: named targets kept in a readable JSON file, their secrets in the OS keyring.

The file (``profiles.json`` under the platformdirs config dir of ``crash-inspector``) never holds a token or an
app secret; those are stored with :mod:`keyring` under service ``crash-inspector`` and username
``<profile name>/token`` or ``<profile name>/app-secret``. Each App Center profile gets one Install-ID when it is
created and keeps it (the SDKs generate one per installation).

Where a secret comes from, first found wins: the caller (a CLI flag), the session (typed with "use for this session
only", kept in this process's memory), the environment variable the profile names (``secret_env``, e.g.
``ROLLBAR_TOKEN``), the OS keyring. Without a usable keyring (a server, WSL, a container, a minimal desktop) every
profile still saves and sends; only storing a secret in the keyring is refused, with :data:`NO_KEYRING_HELP`.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from inspector import settings
from inspector.atomic import write_text
from inspector.formats import capabilities
from inspector.formats.backtrace_url import parse_submit_target
from inspector.formats.base import Capabilities, InspectorError, Target

if TYPE_CHECKING:
    from inspector.net.client import SendOptions

APP_NAME = "crash-inspector"
KEYRING_SERVICE = "crash-inspector"
SCHEMA_VERSION = 1

#: Target kinds, their titles and default base URLs (the seeds' URL shapes).
KINDS: dict[str, tuple[str, str]] = {
    "backtrace-hosted": (
        "Backtrace hosted (submit.backtrace.io/{universe}/{token}/json)",
        "https://submit.backtrace.io",
    ),
    "backtrace-onprem": ("Backtrace on-premise (https://host/api/post?format=&token=)", ""),
    "backtrace-direct": ("Backtrace direct listener (http://host:6097/post?format=&token=)", ""),
    "rollbar": ("Rollbar (api.rollbar.com/api/1/item/)", "https://api.rollbar.com"),
    "appcenter": ("App Center (in.appcenter.ms/logs?Api-Version=1.0.0)", "https://in.appcenter.ms"),
}
#: Which payload format each target kind takes.
KIND_FORMAT = {
    "backtrace-hosted": "backtrace",
    "backtrace-onprem": "backtrace",
    "backtrace-direct": "backtrace",
    "rollbar": "rollbar",
    "appcenter": "appcenter",
}
#: The environment variable named in "copy as curl" for each kind's secret.
SECRET_ENV = {"backtrace": "BACKTRACE_TOKEN", "rollbar": "ROLLBAR_TOKEN", "appcenter": "APPCENTER_APP_SECRET"}


#: The profiles file is the user's alone (it names endpoints and accounts, never secrets).
PROFILES_MODE = 0o600


def config_dir() -> Path:
    return settings.config_dir()


def kind_capabilities(kind: str) -> Capabilities:
    """What the API of a target kind takes (its secret, an install id...), asked of its format."""
    return capabilities(KIND_FORMAT[kind])


def secret_kind(kind: str) -> str:
    """The secret a target kind authenticates with: ``app-secret`` (App Center) or ``token``."""
    return kind_capabilities(kind).secret


@dataclass(slots=True)
class Profile:
    """A named target. Everything but the secret; ``base_url`` empty means the kind's public default."""

    name: str
    kind: str = "rollbar"
    base_url: str = ""
    universe: str = ""
    install_id: str = ""
    token_in_body: bool = False
    gzip: bool = False
    multipart: bool | None = None
    timeout: float = 30.0
    verify_tls: bool = True
    ca_bundle: str = ""
    max_attempts: int = 3
    attributes: list[tuple[str, str]] = field(default_factory=list)
    secret_env: str = ""  # the name of an environment variable holding the secret (never the secret itself)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InspectorError(f"unknown target kind {self.kind!r}; known: {', '.join(KINDS)}")
        if kind_capabilities(self.kind).install_id and not self.install_id:
            self.install_id = str(uuid.uuid4())

    @property
    def format(self) -> str:
        return KIND_FORMAT[self.kind]

    @property
    def effective_base_url(self) -> str:
        return (self.base_url or KINDS[self.kind][1]).rstrip("/")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["attributes"] = [list(pair) for pair in self.attributes]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["attributes"] = [(str(k), str(v)) for k, v in values.get("attributes") or []]
        return cls(**values)

    def options(self) -> SendOptions:
        from inspector.net.client import SendOptions  # httpx loads on first send, not at start-up

        return SendOptions(
            timeout=self.timeout,
            verify=self.verify_tls,
            ca_bundle=self.ca_bundle or None,
            max_attempts=max(1, self.max_attempts),
        )

    @property
    def secret_which(self) -> str:
        return secret_kind(self.kind)

    def find_secret(self) -> tuple[str | None, str]:
        """The profile's secret and where it came from: ``session``, ``$VAR``, ``keyring`` or ``none``.

        Never raises: an unusable keyring counts as no secret there (:func:`keyring_problem` says why).
        """
        which = self.secret_which
        value = session_secret(self.name, which)
        if value:
            return value, "session"
        if self.secret_env:
            value = os.environ.get(self.secret_env)
            if value:
                return value, f"${self.secret_env}"
        try:
            value = get_secret(self.name, which)
        except InspectorError:
            value = None
        return (value, "keyring") if value else (None, "none")

    def target(self, *, token: str | None = None, app_secret: str | None = None) -> Target:
        """The Target to build a request for; secrets from the arguments, else :meth:`find_secret`."""
        secret = None if (token or app_secret) else self.find_secret()[0]
        if self.secret_which == "app-secret":
            app_secret = app_secret or secret
        else:
            token = token or secret
        return Target(
            kind=self.kind,
            base_url=self.effective_base_url,
            token=token,
            universe=self.universe or None,
            app_secret=app_secret,
            install_id=self.install_id or None,
            token_in_body=self.token_in_body,
            gzip=self.gzip,
            multipart=self.multipart,
            attributes=list(self.attributes),
        )


# ---------------------------------------------------------------------------------------------- keyring


#: Said once, in full, wherever a secret cannot be kept because no OS keyring exists.
NO_KEYRING_HELP = (
    "No system keyring is available, so secrets cannot be stored between sessions. Profiles without a secret save "
    "and send as usual; keep a token \u201cfor this session only\u201d (in memory until you quit, chosen in "
    "Endpoint Profiles or typed next to a URL) or read it from an environment variable (e.g. $ROLLBAR_TOKEN, as "
    "the command line's --token-env does). To store secrets for good, install and start a Secret Service keyring "
    "(gnome-keyring, or KWallet on KDE) and restart Crash Inspector; or, if you accept secrets in a file on disk, "
    "install the keyrings.alt package (a file-backed store)."
)

_session: dict[tuple[str, str], str] = {}
_probe: tuple[object, str | None] | None = None


def _username(profile: str, which: str) -> str:
    return f"{profile}/{which}"


def keyring_problem() -> str | None:
    """None when the OS keyring can be used; otherwise why not (the backend's words). Probed once per backend."""
    global _probe
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if _probe is not None and _probe[0] is backend:
        return _probe[1]
    problem: str | None = None
    if isinstance(backend, fail.Keyring):
        problem = "no keyring backend is installed"
    else:
        try:
            backend.get_password(KEYRING_SERVICE, "probe/none")
        except Exception as exc:  # a backend that is installed but cannot reach its service (no D-Bus session)
            problem = f"{type(exc).__name__}: {exc}"
    _probe = (backend, problem)
    return problem


def session_secret(profile: str, which: str) -> str | None:
    """A secret kept in memory for this run only ("use for this session only")."""
    return _session.get((profile, which))


def set_session_secret(profile: str, which: str, value: str | None) -> None:
    if value:
        _session[(profile, which)] = value
    else:
        _session.pop((profile, which), None)


def get_secret(profile: str, which: str) -> str | None:
    """The keyring's secret (None when there is none). Raises InspectorError when the keyring cannot be used."""
    import keyring
    from keyring.errors import KeyringError

    if keyring_problem() is not None:
        raise InspectorError(f"the OS keyring is not available ({keyring_problem()}); pass the secret with --token-env")
    try:
        return keyring.get_password(KEYRING_SERVICE, _username(profile, which))
    except KeyringError as exc:
        raise InspectorError(f"the OS keyring is not available ({exc}); pass the secret with --token-env") from None


def set_secret(profile: str, which: str, value: str | None) -> None:
    """Store (or with an empty value, remove) a secret in the keyring.

    Removing from a keyring that does not exist is a no-op (there is nothing to remove); storing raises
    InspectorError with :data:`NO_KEYRING_HELP`.
    """
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    if keyring_problem() is not None:
        if value:
            raise InspectorError(NO_KEYRING_HELP)
        return
    try:
        if value:
            keyring.set_password(KEYRING_SERVICE, _username(profile, which), value)
        else:
            try:
                keyring.delete_password(KEYRING_SERVICE, _username(profile, which))
            except PasswordDeleteError:
                pass
    except KeyringError as exc:
        raise InspectorError(f"the OS keyring refused to store the secret: {exc}") from None


def _move_secrets(old: str, new: str, keep: bool) -> None:
    """Carry a renamed profile's keyring and session secrets to its new name (``keep``: copy them over)."""
    for which in ("token", "app-secret"):
        held = session_secret(old, which)
        set_session_secret(old, which, None)
        if held and keep:
            set_session_secret(new, which, held)
        if keyring_problem() is not None:
            continue
        moved = get_secret(old, which)
        set_secret(old, which, None)
        if moved and keep:
            set_secret(new, which, moved)


# ---------------------------------------------------------------------------------------------- the file


class ProfileStore:
    """Load and save the profiles file; tolerant of a missing or empty file, written atomically."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "profiles.json"

    def load(self) -> list[Profile]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise InspectorError(f"cannot read the profiles file {self.path}: {exc}") from None
        if not text.strip():
            return []
        try:
            data = json.loads(text)
            return [Profile.from_dict(item) for item in data.get("profiles", [])]
        except (ValueError, TypeError, AttributeError) as exc:
            raise InspectorError(f"the profiles file {self.path} is damaged: {exc}") from None

    def save(self, profiles: list[Profile]) -> None:
        data = {"schema_version": SCHEMA_VERSION, "profiles": [p.as_dict() for p in profiles]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", mode=PROFILES_MODE)

    def get(self, name: str) -> Profile:
        for profile in self.load():
            if profile.name == name:
                return profile
        names = ", ".join(p.name for p in self.load()) or "none yet"
        raise InspectorError(f"no endpoint profile named {name!r} (profiles: {names})")

    def put(
        self, profile: Profile, *, secret: str | None = None, old_name: str | None = None, session_only: bool = False
    ) -> None:
        """Add or replace a profile (renamed from ``old_name``); ``secret`` (when not None) goes to the keyring,
        or with ``session_only`` to this session's memory (then any keyring copy is removed)."""
        if not profile.name.strip():
            raise InspectorError("a profile needs a name")
        profiles = self.load()
        old = old_name or profile.name
        if old != profile.name and any(p.name == profile.name for p in profiles):
            raise InspectorError(f"a profile named {profile.name!r} already exists")
        kept = [p for p in profiles if p.name != old]
        index = next((i for i, p in enumerate(profiles) if p.name == old), len(kept))
        kept.insert(index, profile)
        self.save(kept)  # the profile is kept even when its secret cannot be (no keyring): the error says how
        if old != profile.name:  # move the secrets with the name
            _move_secrets(old, profile.name, keep=secret is None)
        if secret is not None:
            which = secret_kind(profile.kind)
            if session_only:
                set_session_secret(profile.name, which, secret)
                set_secret(profile.name, which, None)
            else:
                set_secret(profile.name, which, secret)  # raises (with the fix) when no keyring can keep it
                set_session_secret(profile.name, which, None)

    def delete(self, name: str) -> None:
        self.save([p for p in self.load() if p.name != name])
        for which in ("token", "app-secret"):
            set_secret(name, which, None)
            set_session_secret(name, which, None)


# ---------------------------------------------------------------------------------------------- --url


_FORM_KIND = {"hosted": "backtrace-hosted", "api/post": "backtrace-onprem", "post": "backtrace-direct"}


def target_from_url(url: str, payload_format: str) -> Target:
    """Infer the target kind from a URL's shape and the payload's format (``send --url``).

    Secrets found in the URL (a Backtrace token) are kept in the Target; others come from the caller.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InspectorError(f"{url!r} is not an http(s) URL")
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    kind: str | None = None
    target = Target(kind="", base_url="")
    if "/api/1/item" in path or path.endswith("/api/1"):
        kind = "rollbar"
        target.base_url = origin + path[: path.index("/api/1")]
    elif path.endswith("/logs") or parts.hostname == "in.appcenter.ms":
        kind = "appcenter"
        target.base_url = origin + (path[: -len("/logs")] if path.endswith("/logs") else path)
    else:
        shape = parse_submit_target(parts.path + ("?" + parts.query if parts.query else ""))
        if shape.form is not None:
            kind = _FORM_KIND[shape.form]
            target.token = shape.token
            target.universe = shape.universe
            target.attributes = list(shape.attributes)
            if shape.form == "hosted":
                cut = "/".join(path.split("/")[:-3])
                target.base_url = origin + cut
            else:
                target.base_url = origin + path[: path.rindex("/api/post" if shape.form == "api/post" else "/post")]
        elif parts.hostname == "submit.backtrace.io":
            raise InspectorError("a submit.backtrace.io URL needs /{universe}/{token}/{format}")
    if kind is None:  # no telling shape: the payload decides, the URL is the base
        kind = {"backtrace": "backtrace-direct", "rollbar": "rollbar", "appcenter": "appcenter"}.get(payload_format)
        if kind is None:
            raise InspectorError(f"a {payload_format} payload cannot be sent by itself; it has no ingestion API here")
        target.base_url = origin + path
    if KIND_FORMAT[kind] != payload_format:
        raise InspectorError(
            f"the URL looks like a {KINDS[kind][0].split(' (')[0]} endpoint, but the payload is {payload_format}"
        )
    target.kind = kind
    return target
