"""Copy as curl: a POSIX shell command that reproduces a request byte for byte.

Secrets become environment variable references (``"$ROLLBAR_TOKEN"``) unless asked for inline. The body goes
through ``--data-binary @FILE`` (binary or gzip bodies must use a file) or a here-document. A here-document
always ends in a newline, so a body without one is piped through ``printf '%s' "$(cat <<'EOF' … EOF)"``, which
removes exactly that newline (the body has none of its own at the end).
"""

from __future__ import annotations

import re
import shlex

from inspector.formats.base import RequestSpec, Target

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


def _split(text: str, names: dict[str, str]) -> list[tuple[str, str | None]]:
    """Pieces of ``text``: (literal, None) and (secret, VAR)."""
    if not names:
        return [(text, None)]
    pattern = re.compile("|".join(re.escape(s) for s in sorted(names, key=len, reverse=True)))
    pieces: list[tuple[str, str | None]] = []
    pos = 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            pieces.append((text[pos : match.start()], None))
        pieces.append((match.group(0), names[match.group(0)]))
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
    if body_file is not None:
        args += ["--data-binary", shlex.quote("@" + body_file)]
    elif spec.body:
        if not body_is_text(spec.body):
            raise ValueError("the body is binary (or gzip): save it to a file and use --data-binary @FILE")
        text = spec.body.decode("utf-8")
        delimiter = _heredoc_delimiter(text)
        pieces = _split(text, names)
        if any(var for _, var in pieces):  # unquoted here-document: escape \ $ ` in literal text
            content = "".join("${" + var + "}" if var else re.sub(r"([\\$`])", r"\\\1", piece) for piece, var in pieces)
            opener = delimiter
        else:
            content = text
            opener = f"'{delimiter}'"
        args += ["--data-binary", "@-"]
        if text.endswith("\n"):
            heredoc = f" <<{opener}\n{content}{delimiter}"
        else:
            pipe_prefix = f"printf '%s' \"$(cat <<{opener}\n{content}\n{delimiter}\n)\" | "
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
    return pipe_prefix + command + heredoc + "\n"
