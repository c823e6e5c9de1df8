"""Hostile payloads through the window's item models: every row and column of every model, every role used.

The models read the reports lazily, so a bad value surfaces only when a row is painted; this walks every index
(bounded: big mutated documents are cut at ``ROW_LIMIT`` rows per level) and asks each role the views ask for.
"""

from __future__ import annotations

import pytest
from hypothesis import given

pytest.importorskip("PySide6")

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

from inspector.formats import load_bytes, reports, validate
from inspector.formats.base import InspectorError
from tests.fuzz.strategies import FUZZ, json_payloads, native_payloads

ROW_LIMIT = 60
ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.UserRole,
    Qt.ItemDataRole.UserRole + 1,
    Qt.ItemDataRole.UserRole + 2,
    Qt.ItemDataRole.UserRole + 3,
)


def walk(model: QAbstractItemModel, parent: QModelIndex, depth: int = 0) -> int:
    rows = model.rowCount(parent)
    assert rows >= 0
    seen = 0
    for row in range(min(rows, ROW_LIMIT)):
        for column in range(model.columnCount(parent)):
            index = model.index(row, column, parent)
            assert index.isValid()
            for role in ROLES:
                model.data(index, role)
            model.flags(index)
            seen += 1
        if depth < 4 and model.hasChildren(model.index(row, 0, parent)):
            seen += walk(model, model.index(row, 0, parent), depth + 1)
    for column in range(model.columnCount(parent)):
        model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
    return seen


def build_models(data: bytes, name: str) -> int:
    from inspector.ui.document.models.frame_text import exception_stacks, thread_stacks
    from inspector.ui.document.models.lists import AttachmentsModel, BinariesModel, ProblemsModel, TelemetryModel
    from inspector.ui.document.models.metadata_model import MetadataModel
    from inspector.ui.document.models.stacks_model import StacksModel

    try:
        submission = load_bytes(data, source_name=name)
        problems = validate(submission)
        out = reports(submission)
    except InspectorError:
        return 0
    seen = walk(ProblemsModel(problems), QModelIndex())
    for report in out:
        models = [
            StacksModel(exception_stacks(report), report.most_recent_first),
            StacksModel(thread_stacks(report), report.most_recent_first),
            BinariesModel(report.binaries),
            TelemetryModel(report.telemetry, report.summary.timestamp),
            AttachmentsModel(report.attachments),
            MetadataModel(report.metadata),
        ]
        for model in models:
            seen += walk(model, QModelIndex())
    return seen


@pytest.mark.parametrize("folder", ["backtrace", "rollbar", "appcenter", "minidump", "apple"])
def test_models_read_every_row_of_hostile_payloads(qapp: object, folder: str) -> None:
    strategy = native_payloads(folder) if folder in ("minidump", "apple") else json_payloads(folder)
    cells: list[int] = []

    @FUZZ.__class__(FUZZ, max_examples=max(10, FUZZ.max_examples // 3))
    @given(strategy)
    def check(example: tuple[bytes, str]) -> None:
        cells.append(build_models(*example))

    check()
    assert sum(cells) > 0  # at least some examples got as far as the models
