"""Symbol and source-map uploads (issue 16) against a real h11 server on 127.0.0.1, checked byte for byte.

The request must be what the seed's curl samples send (``-F upload_file=@… -F tag=… -H "Expect:"``): a
multipart body with the archive in ``upload_file`` then one ``tag`` field per tag, no ``Expect`` header, the
token in the URL only; the archive streamed from disk (memory measured on a 512 MiB upload in a child process).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.cli import main
from inspector.formats.base import InspectorError, Target
from inspector.net.client import SendOptions
from inspector.net.profiles import Profile, ProfileStore
from inspector.net.uploads import upload
from tests.net.upload_server import RXID, UploadServer

TOKEN = "9f3c" * 16  # 64 hex characters, as Backtrace tokens are
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[UploadServer]:
    srv = UploadServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def symbols(tmp_path: Path) -> Path:
    folder = tmp_path / "symbols"
    (folder / "app.pdb" / "ABCDEF0123456789ABCDEF0123456789A").mkdir(parents=True)
    (folder / "app.pdb" / "ABCDEF0123456789ABCDEF0123456789A" / "app.sym").write_bytes(
        b"MODULE windows x86_64 ABCDEF0123456789ABCDEF0123456789A app.pdb\nFUNC 1000 20 0 main\n"
    )
    (folder / "libcore.so.sym").write_bytes(os.urandom(300_000))  # incompressible: spans many chunks
    return folder


def boundary_of(received_ctype: str | None) -> str:
    assert received_ctype is not None
    match = re.fullmatch(r"multipart/form-data; boundary=(\S+)", received_ctype)
    assert match, received_ctype
    return match.group(1)


def expected_body(boundary: str, filename: str, ctype: str, data: bytes, tags: list[str]) -> bytes:
    """The body curl builds for ``-F upload_file=@FILE;type=CTYPE -F tag=T…``, written out by hand."""
    out = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload_file"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        ).encode()
        + data
        + b"\r\n"
    )
    for tag in tags:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="tag"\r\n\r\n{tag}\r\n'.encode()
    return out + f"--{boundary}--\r\n".encode()


def upload_file_of(body: bytes, boundary: str) -> bytes:
    """The bytes of the ``upload_file`` part (between its blank line and the next delimiter)."""
    start = body.index(b"\r\n\r\n") + 4
    end = body.index(f"\r\n--{boundary}".encode(), start)
    return body[start:end]


# ---------------------------------------------------------------------------------------------- the request


def test_folder_zipped_and_sent_to_hosted_symbols_byte_for_byte(server: UploadServer, symbols: Path) -> None:
    target = Target("backtrace-hosted", server.url, token=TOKEN, universe="demo")
    seen: list[tuple[int, int]] = []
    result = upload([symbols], target, "symbols", tags=["v1.2.3", "release"], progress=lambda d, t: seen.append((d, t)))
    exchange = result.exchange
    assert exchange.ok and exchange.status == 200, exchange.summary
    assert exchange.outcome is not None and exchange.outcome.id == RXID
    assert f"receipt (_rxid) {RXID}" in exchange.summary
    assert "receipt number for this upload" in exchange.details[0]
    assert exchange.summary.endswith("(answered by the local receiver)")

    rec = server.requests[-1]
    assert rec.method == "POST" and rec.target == f"/demo/{TOKEN}/symbols"
    assert rec.header("expect") is None  # the seed's -H "Expect:": never ask for 100-continue
    assert TOKEN not in rec.raw_head.split(b"\r\n", 1)[1].decode()  # the token is in the URL only
    assert rec.complete and int(rec.header("content-length") or -1) == rec.body_length
    assert rec.header("transfer-encoding") is None
    boundary = boundary_of(rec.header("content-type"))
    assert rec.body is not None
    archive = upload_file_of(rec.body, boundary)
    assert rec.body == expected_body(boundary, "symbols.zip", "application/zip", archive, ["v1.2.3", "release"])

    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        names = sorted(zf.namelist())
        assert names == ["symbols/app.pdb/ABCDEF0123456789ABCDEF0123456789A/app.sym", "symbols/libcore.so.sym"]
        assert zf.read("symbols/libcore.so.sym") == (symbols / "libcore.so.sym").read_bytes()
        assert zf.read(names[0]) == next(symbols.rglob("app.sym")).read_bytes()
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())

    assert result.upload.built and not result.upload.path.parent.exists()  # the temporary archive is gone
    assert seen[0] == (0, rec.body_length) and seen[-1] == (rec.body_length, rec.body_length)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_onprem_sourcemap_file_sent_as_it_is(server: UploadServer, tmp_path: Path) -> None:
    source_map = tmp_path / "bundle.min.js.map"
    source_map.write_bytes(b'{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}')
    target = Target("backtrace-onprem", server.url, token=TOKEN)
    result = upload([source_map], target, "sourcemap", tags=["web-2.0"])
    assert result.exchange.ok, result.exchange.summary
    rec = server.requests[-1]
    assert rec.target == f"/api/post?format=sourcemap&token={TOKEN}"
    boundary = boundary_of(rec.header("content-type"))
    assert rec.body == expected_body(
        boundary, "bundle.min.js.map", "application/json", source_map.read_bytes(), ["web-2.0"]
    )
    assert not result.upload.built and source_map.exists()


def test_existing_tar_gz_is_not_repacked_and_tar_gz_can_be_built(
    server: UploadServer, symbols: Path, tmp_path: Path
) -> None:
    own = tmp_path / "mine.tar.gz"
    with tarfile.open(own, "w:gz") as tar:
        tar.add(symbols, arcname="syms")
    target = Target("backtrace-direct", server.url, token=TOKEN)
    assert upload([own], target, "symbols").exchange.ok
    rec = server.requests[-1]
    assert rec.target == f"/post?format=symbols&token={TOKEN}"
    boundary = boundary_of(rec.header("content-type"))
    assert rec.body == expected_body(boundary, "mine.tar.gz", "application/gzip", own.read_bytes(), [])

    assert upload([symbols / "libcore.so.sym"], target, "symbols", archive_format="tar.gz").exchange.ok
    rec = server.requests[-1]
    packed = upload_file_of(rec.body or b"", boundary_of(rec.header("content-type")))
    with tarfile.open(fileobj=io.BytesIO(packed), mode="r:gz") as tar:
        member = tar.extractfile("libcore.so.sym")
        assert member is not None and member.read() == (symbols / "libcore.so.sym").read_bytes()
    assert b'filename="symbols.tar.gz"' in (rec.body or b"")


def test_unsolicited_100_continue_is_passed_over(server: UploadServer, symbols: Path) -> None:
    server.mode = "continue"
    target = Target("backtrace-hosted", server.url, token=TOKEN, universe="demo")
    exchange = upload([symbols], target, "symbols").exchange
    assert exchange.ok and exchange.status == 200 and server.requests[-1].complete


def test_403_before_the_body_is_explained_as_the_symbol_post_scope(server: UploadServer, symbols: Path) -> None:
    server.mode = "403"
    target = Target("backtrace-hosted", server.url, token=TOKEN, universe="demo")
    exchange = upload([symbols], target, "symbols").exchange
    assert exchange.status == 403 and exchange.exit_code == 1
    assert "symbol:post" in exchange.summary


def test_cancel_stops_the_upload_midway(server: UploadServer, tmp_path: Path) -> None:
    big = tmp_path / "big.zip"
    with open(big, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(64 * 1024 * 1024)
    server.mode = "slow"

    class Cancel:
        cancelled = False

    cancel = Cancel()

    def progress(done: int, _total: int) -> None:
        if done > 4 * 1024 * 1024:
            cancel.cancelled = True

    target = Target("backtrace-hosted", server.url, token=TOKEN, universe="demo")
    exchange = upload([big], target, "symbols", progress=progress, cancel=cancel).exchange
    assert exchange.failure is not None and exchange.failure.kind == "cancelled"
    assert exchange.exit_code == 2 and big.exists()
    assert exchange.sent_bytes < 8 * 1024 * 1024


def test_bad_targets_and_inputs_are_refused_before_sending(tmp_path: Path) -> None:
    with pytest.raises(InspectorError, match="Backtrace endpoint"):
        upload([tmp_path], Target("rollbar", "https://api.rollbar.com", token="x"), "symbols")
    with pytest.raises(InspectorError, match="no token"):
        upload([tmp_path], Target("backtrace-onprem", "https://bt.example"), "symbols")
    with pytest.raises(InspectorError, match="no such file"):
        upload([tmp_path / "missing"], Target("backtrace-onprem", "https://bt.example", token="t"), "symbols")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InspectorError, match="nothing to upload"):
        upload([tmp_path / "empty"], Target("backtrace-onprem", "https://bt.example", token="t"), "symbols")


# ---------------------------------------------------------------------------------------------- CLI


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_cli_profile_tags_json_and_exit_codes(
    server: UploadServer, symbols: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ProfileStore().put(Profile("bt", kind="backtrace-hosted", base_url=server.url, universe="demo"), secret=TOKEN)
    code, out, err = cli(
        capsys, "upload-symbols", str(symbols), "--profile", "bt", "--tag", "a", "--tag", "b", "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["ok"] and data["status"] == 200 and data["id"] == RXID and data["kind"] == "symbols"
    assert data["tags"] == ["a", "b"] and data["upload_file"]["built"] and data["upload_file"]["members"] == 2
    assert data["request"]["size"] == server.requests[-1].body_length
    assert TOKEN not in out + err and "••••••••" in data["request"]["url"]
    assert server.requests[-1].target == f"/demo/{TOKEN}/symbols"

    code, out, err = cli(capsys, "upload-sourcemap", str(symbols), "--profile", "bt")
    assert code == 0 and "Backtrace accepted the source maps" in out and TOKEN not in out + err
    assert server.requests[-1].target == f"/demo/{TOKEN}/sourcemap"

    server.mode = "403"
    code, out, err = cli(capsys, "upload-symbols", str(symbols), "--profile", "bt")
    assert code == 1 and "symbol:post" in out

    ProfileStore().put(Profile("rb", kind="rollbar"), secret="r")
    code, out, err = cli(capsys, "upload-symbols", str(symbols), "--profile", "rb")
    assert code == 2 and "is a Rollbar endpoint" in err and len(err.strip().splitlines()) == 1

    code, out, err = cli(capsys, "upload-symbols", str(symbols / "nope"), "--profile", "bt")
    assert code == 2 and "no such file or folder" in err and len(err.strip().splitlines()) == 1


def test_cli_url_token_env_and_refused_connection(
    server: UploadServer, symbols: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BT_SYMBOLS_TOKEN", TOKEN)
    code, out, err = cli(
        capsys, "upload-symbols", str(symbols), "--url", server.url + "/api/post", "--token-env", "BT_SYMBOLS_TOKEN"
    )
    assert code == 0, err
    assert server.requests[-1].target == f"/api/post?format=symbols&token={TOKEN}"
    assert TOKEN not in out + err

    code, out, err = cli(
        capsys,
        "upload-symbols",
        str(symbols / "nope"),
        "--url",
        "http://bt.example.com/api/post",
        "--token-env",
        "BT_SYMBOLS_TOKEN",
    )  # a token over plain http to another host: warned before anything is read or sent
    assert code == 2 and err.index("plain http") < err.index("no such file") and TOKEN not in err

    code, out, err = cli(capsys, "upload-sourcemap", str(symbols), "--url", f"{server.url}/demo/{TOKEN}/json")
    assert code == 0, err  # the error-submission URL of a project: its universe and token, the upload's format
    assert server.requests[-1].target == f"/demo/{TOKEN}/sourcemap" and TOKEN not in out + err

    code, out, err = cli(
        capsys,
        "upload-symbols",
        str(symbols),
        "--url",
        "http://127.0.0.1:9/api/post",
        "--token-env",
        "BT_SYMBOLS_TOKEN",
    )
    assert code == 2 and "refused" in out


# ---------------------------------------------------------------------------------------------- memory


def _peak_rss_kib(argv: list[str], env: dict[str, str]) -> tuple[int, int, str]:
    """Run a child and return (exit code, its own peak RSS in KiB, stderr) from wait4 (not the whole tree's)."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = [b""]
    reader = threading.Thread(target=lambda: err.__setitem__(0, proc.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    return proc.returncode, usage.ru_maxrss, err[0].decode("utf-8", "replace")


def test_512_mib_archive_streams_with_bounded_memory(server: UploadServer, tmp_path: Path) -> None:
    """A 512 MiB archive (sparse on disk) goes out in chunks: the child's peak RSS stays within 48 MiB of the
    same command sending a 1 KiB archive, and the server receives every byte (length and SHA-256)."""
    size = 512 * 1024 * 1024
    big = tmp_path / "symbols-big.tar.gz"
    header = gzip.compress(b"tar member", mtime=0)
    with open(big, "wb") as fh:
        fh.write(header)
        fh.seek(size - 5)
        fh.write(b"TAIL!")
    small = tmp_path / "symbols-small.tar.gz"
    small.write_bytes(header + b"\x00" * 1000)
    env = {**os.environ, "BT_TOKEN": TOKEN}
    argv = [
        sys.executable,
        "-m",
        "inspector",
        "upload-symbols",
        "--url",
        server.url + "/api/post",
        "--token-env",
        "BT_TOKEN",
        "--tag",
        "big",
    ]

    code, small_rss, err = _peak_rss_kib([*argv, str(small)], env)
    assert code == 0, err
    code, big_rss, err = _peak_rss_kib([*argv, str(big)], env)
    assert code == 0, err
    assert big_rss - small_rss < 48 * 1024, (small_rss, big_rss)

    rec = server.requests[-1]
    boundary = boundary_of(rec.header("content-type"))
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="upload_file"; filename="{big.name}"\r\n'
        "Content-Type: application/gzip\r\n\r\n"
    ).encode()
    tail = f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="tag"\r\n\r\nbig\r\n--{boundary}--\r\n'.encode()
    digest = hashlib.sha256(head)
    with open(big, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            digest.update(chunk)
    digest.update(tail)
    assert rec.complete and rec.body_length == len(head) + size + len(tail)
    assert rec.body_sha256 == digest.hexdigest()
    assert rec.body_end.endswith(b"TAIL!" + tail)


def test_cli_help_lists_the_upload_commands() -> None:
    out = subprocess.run([sys.executable, "-m", "inspector", "--help"], capture_output=True, text=True, cwd=REPO)
    assert "upload-symbols" in out.stdout and "upload-sourcemap" in out.stdout


def test_options_default_to_one_attempt(server: UploadServer, symbols: Path) -> None:
    target = Target("backtrace-hosted", server.url, token=TOKEN, universe="demo")
    result = upload([symbols], target, "symbols", options=SendOptions(max_attempts=1))
    assert result.exchange.attempts == 1
