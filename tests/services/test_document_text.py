"""The editor's text prepared without Qt (:mod:`inspector.services.document_text`)."""

from __future__ import annotations

import json
import subprocess
import sys

from inspector.formats import load_bytes
from inspector.formats.jsondoc import dumps
from inspector.services.document_text import BIG_DOCUMENT, PIECE, error_position, initial_text, is_minified


def _big_minified() -> bytes:
    frames = [{"filename": f"app/m{i}.py", "lineno": i, "method": "f", "code": "x = 1 # é 😀"} for i in range(40_000)]
    value = {"data": {"environment": "t", "body": {"trace": {"frames": frames, "exception": {"class": "E"}}}}}
    data = json.dumps(value, ensure_ascii=False).encode("utf-8")
    assert len(data) > max(BIG_DOCUMENT, 2 * PIECE)
    return data


def test_a_big_minified_document_is_pretty_printed_in_pieces_as_in_one_call() -> None:
    data = _big_minified()
    assert is_minified(data)
    sub = load_bytes(data, source_name="big.json")
    assert sub.document is not None
    text = initial_text(sub.document)
    assert text == dumps(sub.document.value, pretty=True).decode("utf-8")
    assert text.count("\n") > 40_000


def test_a_readable_file_is_shown_as_written() -> None:
    data = b'{\n    "data": {\n        "environment": "t",\n        "body": {"message": {"body": "hi"}}\n    }\n}\n'
    sub = load_bytes(data, source_name="x.json")
    assert sub.document is not None
    assert not is_minified(data)
    assert initial_text(sub.document) == data.decode("utf-8")


def test_error_position_reads_line_and_column() -> None:
    from inspector.formats.base import InspectorError

    assert error_position(InspectorError("bad", where="line 3 column 7")) == (3, 7)
    assert error_position(None) is None


def test_services_load_no_qt() -> None:
    code = (
        "import sys, inspector.services.document_text, inspector.services.sending, inspector.services.replay, "
        "inspector.services.symbolication; print(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
