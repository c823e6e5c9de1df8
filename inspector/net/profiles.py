"""Endpoint profiles: named targets kept in a readable JSON file, their secrets in the OS keyring.

The file (``profiles.json`` under the platformdirs config dir of ``crash-inspector``) never holds a token or an
app secret; those are stored with :mod:`keyring` under service ``crash-inspector`` and username
``<profile name>/token`` or ``<profile name>/app-secret``. Each App Center profile gets one Install-ID when it is
created and keeps it (the SDKs generate one per installation).
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import platformdirs

from inspector.formats.backtrace_url import parse_submit_target
from inspector.formats.base import InspectorError, Target

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


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def secret_kind(kind: str) -> str:
    """``app-secret`` for App Center, ``token`` for the others."""
    return "app-secret" if kind == "appcenter" else "token"


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

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InspectorError(f"unknown target kind {self.kind!r}; known: {', '.join(KINDS)}")
        if self.kind == "appcenter" and not self.install_id:
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

    def target(self, *, token: str | None = None, app_secret: str | None = None) -> Target:
        """The Target to build a request for; secrets from the arguments, else from the keyring."""
        secret = get_secret(self.name, secret_kind(self.kind))
        if self.kind == "appcenter":
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


def _username(profile: str, which: str) -> str:
    return f"{profile}/{which}"


def get_secret(profile: str, which: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, _username(profile, which))
    except KeyringError as exc:
        raise InspectorError(f"the OS keyring is not available ({exc}); pass the secret with --token-env") from None


def set_secret(profile: str, which: str, value: str | None) -> None:
    """Store (or with an empty value, remove) a secret."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

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
        fd, tmp = tempfile.mkstemp(prefix=".profiles-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, ensure_ascii=False)
                handle.write("\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, name: str) -> Profile:
        for profile in self.load():
            if profile.name == name:
                return profile
        names = ", ".join(p.name for p in self.load()) or "none yet"
        raise InspectorError(f"no endpoint profile named {name!r} (profiles: {names})")

    def put(self, profile: Profile, *, secret: str | None = None, old_name: str | None = None) -> None:
        """Add or replace a profile (renamed from ``old_name``); ``secret`` (when not None) goes to the keyring."""
        if not profile.name.strip():
            raise InspectorError("a profile needs a name")
        profiles = self.load()
        old = old_name or profile.name
        if old != profile.name and any(p.name == profile.name for p in profiles):
            raise InspectorError(f"a profile named {profile.name!r} already exists")
        kept = [p for p in profiles if p.name != old]
        index = next((i for i, p in enumerate(profiles) if p.name == old), len(kept))
        kept.insert(index, profile)
        if old != profile.name:  # move the secrets with the name
            for which in ("token", "app-secret"):
                moved = get_secret(old, which)
                set_secret(old, which, None)
                if moved and secret is None:
                    set_secret(profile.name, which, moved)
        if secret is not None:
            set_secret(profile.name, secret_kind(profile.kind), secret)
        self.save(kept)

    def delete(self, name: str) -> None:
        self.save([p for p in self.load() if p.name != name])
        for which in ("token", "app-secret"):
            set_secret(name, which, None)


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
