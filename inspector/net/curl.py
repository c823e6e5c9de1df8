"""Copy as curl: a POSIX shell command that reproduces a request byte for byte.

Secrets become environment variable references (``"$ROLLBAR_TOKEN"``) unless asked for inline. The body goes
through ``--data-binary @FILE`` (binary or gzip bodies must use a file) or a here-document. A here-document
always ends in a newline, so a body without one is piped through ``printf '%s' "$(cat <<'EOF' … EOF)"``, which
removes exactly that newline (the body has none of its own at the end).

A gzip body that holds a secret (Rollbar's ``access_token`` in the body) never goes to a file unless the user
chose inline secrets: its text travels in the here-document with the variable, and ``gzip -n`` compresses it
again on the way to curl (the same JSON; the gzip bytes may differ). Body files live in a private folder of this
process (0700, files 0600), removed when the program exits; folders left by a killed process are swept at the
next copy.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shlex
import shutil
import tempfile
import zlib
from pathlib import Path

from inspector.atomic import write_bytes
from inspector.formats.base import InspectorError, RequestSpec, Target, secret_of, secret_regex

#: Headers curl computes itself.
_SKIP_HEADERS = ("content-length", "host", "transfer-encoding")


def secret_env_names(target: Target, format: str, spec: RequestSpec | None = None) -> dict[str, str]:
    """Secret value -> environment variable name (``BACKTRACE_TOKEN``, ``ROLLBAR_TOKEN``, ``APPCENTER_APP_SECRET``)."""
    base = {"backtrace": "BACKTRACE_TOKEN", "rollbar": "ROLLBAR_TOKEN", "appcenter": "APPCENTER_TOKEN"}.get(
        format, "CRASH_TOKEN"
    )
    names: dict[str, str] = {}
    if target.app_secret:
        names[target.app_secret] = "APPCENTER_APP_SECRET"
    if target.token and target.token not in names:
        names[target.token] = base
    for n, secret in enumerate(s for s in (spec.secrets if spec else []) if s and s not in names):
        names[secret] = f"{base}_{n + 2}"
    return names


#: A secret the request carries URL-encoded (``token=a%2Fb%2B...``) becomes this variable: the value as encoded.
ENCODED_SUFFIX = "_URLENCODED"


def _split(text: str, names: dict[str, str]) -> list[tuple[str, str | None]]:
    """Pieces of ``text``: (literal, None) and (secret, VAR); a URL-encoded secret is ``VAR_URLENCODED``."""
    secrets = tuple(names)
    pattern = secret_regex(secrets)
    if pattern is None:
        return [(text, None)]
    pieces: list[tuple[str, str | None]] = []
    pos = 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            pieces.append((text[pos : match.start()], None))
        secret = secret_of(match, secrets)
        var = names[secret] if match.group(0) == secret else names[secret] + ENCODED_SUFFIX
        pieces.append((match.group(0), var))
        pos = match.end()
    if pos < len(text) or not pieces:
        pieces.append((text[pos:], None))
    return pieces


def quote_arg(text: str, names: dict[str, str]) -> str:
    """One shell word: literal pieces single-quoted, secrets as ``"$VAR"``."""
    out = []
    for piece, var in _split(text, names):
        out.append(f'"${var}"' if var else shlex.quote(piece) if piece else "")
    return "".join(out) or "''"


def _heredoc_delimiter(body: str) -> str:
    delimiter = "CRASH_INSPECTOR_BODY"
    n = 0
    while delimiter in body:
        n += 1
        delimiter = f"CRASH_INSPECTOR_BODY_{n}"
    return delimiter


def body_is_text(body: bytes) -> bool:
    """True when the body can travel in a here-document (UTF-8 text, no NUL, no lone CR)."""
    if b"\x00" in body or b"\r" in body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def to_curl(
    spec: RequestSpec,
    names: dict[str, str] | None = None,
    *,
    inline_secrets: bool = False,
    body_file: str | None = None,
) -> str:
    """The curl command. ``names`` maps secret values to variable names (see :func:`secret_env_names`).

    Without ``body_file`` the body must be text (see :func:`body_is_text`); otherwise a ValueError says so.
    """
    names = {} if inline_secrets else dict(names or {})
    for n, secret in enumerate(s for s in spec.secrets if s and s not in names and not inline_secrets):
        names[secret] = f"CRASH_SECRET_{n + 1}"
    args = ["curl", "-sS", "-i"]
    if spec.method != "POST":
        args += ["-X", shlex.quote(spec.method)]
    for key, value in spec.headers:
        if key.lower() not in _SKIP_HEADERS:
            args += ["-H", quote_arg(f"{key}: {value}", names)]
    pipe_prefix = ""
    heredoc = ""
    compress = False
    if body_file is not None:
        args += ["--data-binary", shlex.quote("@" + body_file)]
    elif spec.body:
        text_body = spec.body
        if not body_is_text(spec.body):
            inflated = gunzipped(spec.body)
            if inflated is None or not body_is_text(inflated) or not _holds_secret(inflated, names):
                raise ValueError("the body is binary (or gzip): save it to a file and use --data-binary @FILE")
            text_body, compress = inflated, True  # the secret stays a variable: the shell gzips the text
        text = text_body.decode("utf-8")
        delimiter = _heredoc_delimiter(text)
        pieces = _split(text, names)
        if any(var for _, var in pieces):  # unquoted here-document: escape \ $ ` in literal text
            content = "".join("${" + var + "}" if var else re.sub(r"([\\$`])", r"\\\1", piece) for piece, var in pieces)
            opener = delimiter
        else:
            content = text
            opener = f"'{delimiter}'"
        args += ["--data-binary", "@-"]
        if text.endswith("\n") and compress:
            pipe_prefix = f"gzip -n -c <<{opener} | "
            heredoc = f"\n{content}{delimiter}"
        elif text.endswith("\n"):
            heredoc = f" <<{opener}\n{content}{delimiter}"
        else:
            pipe_prefix = f"printf '%s' \"$(cat <<{opener}\n{content}\n{delimiter}\n)\" | "
            pipe_prefix += "gzip -n -c | " if compress else ""
    args.append(quote_arg(spec.url, names))
    command = args[0]
    line = command
    for arg in args[1:]:
        if arg.startswith("-") and len(line) > 0 and arg not in ("-sS", "-i"):
            command += " \\\n  " + arg
            line = arg
        else:
            command += " " + arg
            line += " " + arg
    encoded = sorted({var for var in re.findall(r"\$\{?(\w+)", command) if var.endswith(ENCODED_SUFFIX)})
    notes = "".join(
        f"# {var}: ${var[: -len(ENCODED_SUFFIX)]} URL-encoded, as the request carries it\n" for var in encoded
    )
    return notes + pipe_prefix + command + heredoc + "\n"


# ------------------------------------------------------------------------------------------- body files

#: Private folders of body files: ``crash-inspector-curl-{pid}-XXXX`` in the temporary folder.
FOLDER_PREFIX = "crash-inspector-curl-"
#: Where versions before 0.2 put body files for everyone to read (0644, never removed): swept too.
_OLD_SHARED_FOLDER = "crash-inspector-bodies"
#: A gzip body is inflated up to this size to look for secrets in it (our own request: a sane size).
_MAX_INFLATE = 256 * 1024 * 1024

_folder: Path | None = None


def gunzipped(body: bytes) -> bytes | None:
    """The inflated gzip ``body``, or None when it is not gzip (or absurdly large)."""
    if body[:2] != b"\x1f\x8b":
        return None
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = inflater.decompress(body, _MAX_INFLATE)
        return None if inflater.unconsumed_tail else data
    except zlib.error:
        return None


def _holds_secret(body: bytes, names: dict[str, str] | list[str]) -> bool:
    return any(secret and secret.encode("utf-8") in body for secret in names)


def body_holds_secret(spec: RequestSpec, names: dict[str, str]) -> bool:
    """Whether the body, as sent or inflated, contains one of the request's secrets."""
    secrets = [*names, *spec.secrets]
    return _holds_secret(spec.body, secrets) or _holds_secret(gunzipped(spec.body) or b"", secrets)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process (PermissionError) is alive
        return True
    return True


def sweep_stale_body_files(base: Path | None = None) -> int:
    """Remove the body folders of processes that are gone, and our files of the old shared folder."""
    base = base or Path(tempfile.gettempdir())
    removed = 0
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        entries = list(base.iterdir())
    except OSError:
        return 0
    for entry in entries:
        try:
            if uid is not None and entry.lstat().st_uid != uid:
                continue
            if entry.name.startswith(FOLDER_PREFIX):
                pid = entry.name[len(FOLDER_PREFIX) :].split("-", 1)[0]
                if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
                    shutil.rmtree(entry, ignore_errors=True)
                    removed += 1
            elif entry.name == _OLD_SHARED_FOLDER and entry.is_dir() and not entry.is_symlink():
                for old in entry.iterdir():
                    if uid is None or old.lstat().st_uid == uid:
                        old.unlink(missing_ok=True)
                        removed += 1
        except OSError:
            continue
    return removed


def body_folder() -> Path:
    """This process's private folder for body files (0700), created on first use, removed at exit."""
    global _folder
    if _folder is None or not _folder.is_dir():
        sweep_stale_body_files()
        _folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))  # mkdtemp: mode 0700
        atexit.register(shutil.rmtree, _folder, True)
    return _folder


def remove_body_files() -> None:
    """Remove this process's body files now (the commands that name them stop working)."""
    global _folder
    if _folder is not None:
        shutil.rmtree(_folder, ignore_errors=True)
        _folder = None


def write_body_file(body: bytes) -> Path:
    """The body in a private file (0600) named by its digest: copying the same request twice reuses it."""
    path = body_folder() / f"body-{hashlib.sha256(body).hexdigest()[:20]}.bin"
    if not path.exists():
        write_bytes(path, body, mode=0o600)
    return path


def curl_command(spec: RequestSpec, names: dict[str, str], *, inline_secrets: bool = False) -> str:
    """The command for the Send panel: text bodies inline, others in a private body file.

    A binary body that holds a secret is refused unless ``inline_secrets`` (the file would keep the secret).
    """
    try:
        return to_curl(spec, names, inline_secrets=inline_secrets)
    except ValueError:
        pass
    if not inline_secrets and body_holds_secret(spec, names):
        raise InspectorError(
            "the body is binary and holds a secret, which a body file would keep on disk: "
            "copy with the secrets inline to allow that"
        )
    path = write_body_file(spec.body)
    return to_curl(spec, names, inline_secrets=inline_secrets, body_file=str(path))
