"""The shared format core: JSON documents, envelopes and the bad inputs every command must survive."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.cli import main
from inspector.formats import InspectorError, load_bytes
from inspector.formats.envelope import MAX_INPUT_BYTES, decode, read_input, split_multipart
from inspector.formats.jsondoc import Document, Edit, dumps, join, parse_json, resolve, split


def test_pointer_escaping_round_trips() -> None:
    ptr = join("", "a/b", "c~d", 3)
    assert ptr == "/a~1b/c~0d/3"
    assert split(ptr) == ["a/b", "c~d", "3"]
    assert resolve({"a/b": {"c~d": [0, 1, 2, "x"]}}, ptr) == "x"


def test_missing_pointer_names_the_step() -> None:
    with pytest.raises(InspectorError) as exc:
        resolve({"a": {"b": 1}}, "/a/c/d")
    assert exc.value.where == "/a/c"


def test_duplicate_keys_last_wins_and_is_reported() -> None:
    value, problems = parse_json(b'{"fatal": true, "x": 1, "fatal": false}')
    assert value == {"x": 1, "fatal": False}
    assert any("'fatal' appears more than once" in p.message for p in problems)


def test_trailing_comma_names_line_and_column() -> None:
    with pytest.raises(InspectorError) as exc:
        parse_json(b'{\n  "a": 1,\n}')
    assert "trailing comma" in str(exc.value)
    assert exc.value.where == "line 2 column 9"  # the comma itself


def test_big_integers_survive() -> None:
    text = b'{"address": 123456789012345678901234567890, "n": 1}'
    value, _ = parse_json(text)
    assert value["address"] == 123456789012345678901234567890
    assert json.loads(dumps(value)) == value


def test_unmodified_document_is_byte_exact_and_edits_undo() -> None:
    raw = b'{"b": 1, "a": {"z": [1, 2]}, "c": "x"}'
    doc = Document.from_bytes(raw)
    assert doc.to_bytes() == raw
    undo_set = doc.apply(Edit("set", "/a/z/1", 5))
    undo_add = doc.apply(Edit("set", "/new", True))
    undo_ins = doc.apply(Edit("insert", "/a/z/0", 0))
    undo_rm = doc.apply(Edit("remove", "/b"))
    assert list(doc.value) == ["a", "c", "new"]
    assert doc.value["a"]["z"] == [0, 1, 5]
    for undo in (undo_rm, undo_ins, undo_add, undo_set):
        doc.apply(undo)
    assert doc.value == json.loads(raw)
    assert list(doc.value) == ["b", "a", "c"]  # the removed key is back at its old position


def test_multipart_quirks_android_boundary_and_cocoa_ending() -> None:
    body = (
        b'--*****\r\nContent-Disposition: form-data;name="upload_file";filename="upload_file"\r\n\r\n'
        b'{"a":1}\r\n--*****\r\nContent-Disposition: form-data; name="attachment_log.txt"; filename="log.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nhello\r\n--*****\r\n--"
    )
    parts, problems = split_multipart(body, "*****")
    assert [(p.name, p.data) for p in parts] == [("upload_file", b'{"a":1}'), ("attachment_log.txt", b"hello")]
    messages = " ".join(p.message for p in problems)
    assert "RFC 2046 does not allow" in messages and "does not end with" in messages


def test_gzip_http_request_is_decoded() -> None:
    payload = b'{"data": {"environment": "x"}}'
    body = gzip.compress(payload)
    raw = (
        b"POST /api/1/item/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    env = decode(raw)
    assert env.body == payload
    assert env.layers == ["http", "gzip"]


def test_truncated_http_body_is_a_clear_error() -> None:
    raw = b'POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a": 1}'
    with pytest.raises(InspectorError) as exc:
        decode(raw)
    assert "truncated" in str(exc.value)


def test_bad_gzip_is_a_clear_error() -> None:
    raw = b"POST /logs HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nabcde"
    with pytest.raises(InspectorError, match="gzip"):
        decode(raw)


BAD_INPUTS = {
    "empty.json": b"",
    "random.bin": bytes(range(256)) * 4,
    "latin1.json": b'{"a": "caf\xe9"}',
    "truncated.json": b'{"data": {"body": {"message": ',
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "whitespace.json": b"   \n\t ",
    "text.txt": b"hello, this is not a crash\n",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gives_one_clear_line_and_exit_2(name: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / name
    path.write_bytes(BAD_INPUTS[name])
    for argv in (["validate", str(path)], ["show", str(path)], ["show", "--json", str(path)]):
        assert main(argv) == 2
        out = capsys.readouterr()
        text = (out.out + out.err).strip()
        assert "Traceback" not in text
        assert len(text.splitlines()) == 1, text
        assert name in text


def test_where_is_named_for_invalid_json(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(b'{"data": {\n "level": "error",\n}}')
    assert main(["validate", str(path)]) == 2
    assert "line 2 column 18" in capsys.readouterr().out
    path.write_bytes(b'{"a": "caf\xe9"}')
    assert main(["show", str(path)]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_huge_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as fh:  # sparse: costs no disk
        fh.truncate(MAX_INPUT_BYTES + 1)
    with pytest.raises(InspectorError, match="reads files up to"):
        read_input(str(path))


def test_huge_file_cli_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as fh:
        fh.truncate(2 * 1024**3)
    assert main(["validate", str(path)]) == 2
    assert "GB" in capsys.readouterr().out


def test_missing_file_and_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["show", str(tmp_path / "nope.json")]) == 2
    assert main(["show", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "No such file" in err and "folder" in err


def test_unrecognized_json_says_what_it_found() -> None:
    with pytest.raises(InspectorError, match=r"not recognized.*keys"):
        load_bytes(b'{"hello": "world"}')


def test_console_script_has_no_traceback_on_garbage(tmp_path: Path) -> None:
    path = tmp_path / "x.dmp"
    path.write_bytes(os.urandom(4096))
    proc = subprocess.run(
        [sys.executable, "-m", "inspector", "validate", str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
