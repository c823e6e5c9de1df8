"""Preview of one attachment: highlighted text/JSON, an image, or a hex dump."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from inspector.report import Attachment
from inspector.ui import style
from inspector.ui.document.highlight import PygmentsHighlighter
from inspector.ui.document.highlight_spans import json_lexer, lexer_for
from inspector.ui.document.models.hexdump import hex_dump, looks_binary
from inspector.ui.document.models.pretty import pretty_text

#: Text shown at most in the preview.
TEXT_LIMIT = 2 * 1024 * 1024
#: Bytes shown at most as hex.
HEX_LIMIT = 64 * 1024
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF")


class AttachmentPreview(QWidget):
    """Shows the selected attachment; ``kind`` says which page is up (empty, text, image, hex, error)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentPreview")
        self.caption = QLabel()
        self.stack = QStackedWidget()
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(style.mono_font())
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.highlighter = PygmentsHighlighter(self.text.document(), lexer_for(None), lazy=True)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidget(self.image)
        scroll.setWidgetResizable(True)
        for widget in (self.message, self.text, scroll):
            self.stack.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.stack)
        self.kind = "empty"
        self.text.verticalScrollBar().valueChanged.connect(lambda _v: self._colour_visible())
        self.show_message("Select an attachment to preview it.")

    def show_message(self, text: str) -> None:
        self.kind = "empty"
        self.caption.setText("")
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def show_attachment(self, attachment: Attachment) -> None:
        self.caption.setText(f"<b>{attachment.name}</b> — {attachment.content_type or 'no type'}, {attachment.size} B")
        try:
            data = attachment.data()
        except Exception as exc:  # a broken base64 attachment must show why, not crash the view
            self.kind = "error"
            self.message.setText(f"This attachment cannot be decoded: {exc}")
            self.stack.setCurrentWidget(self.message)
            return
        ctype = (attachment.content_type or "").lower()
        if ctype.startswith("image/") or data.startswith(_IMAGE_MAGIC):
            image = QImage.fromData(data)
            if not image.isNull():
                self.kind = "image"
                self.image.setPixmap(QPixmap.fromImage(image))
                self.stack.setCurrentIndex(2)
                return
        if looks_binary(data):
            self.kind = "hex"
            self._set_text(hex_dump(data, HEX_LIMIT), None)
            return
        text = data[:TEXT_LIMIT].decode("utf-8", "replace")
        is_json = "json" in ctype or attachment.name.lower().endswith(".json") or text.lstrip()[:1] in ("{", "[")
        if is_json:
            try:
                import orjson

                text = pretty_text(orjson.loads(data)) if len(data) <= TEXT_LIMIT else text
            except orjson.JSONDecodeError:
                is_json = False
        self.kind = "text"
        self._set_text(text, json_lexer() if is_json else lexer_for(attachment.name))

    def _set_text(self, text: str, lexer) -> None:
        self.highlighter.setDocument(None)
        self.text.setPlainText(text)
        if lexer is not None:
            self.highlighter = PygmentsHighlighter(self.text.document(), lexer, lazy=True)
            self._colour_visible()
        self.stack.setCurrentWidget(self.text)

    def _colour_visible(self) -> None:
        if self.highlighter.document() is None:
            return
        first = self.text.firstVisibleBlock().blockNumber()
        self.highlighter.want_blocks(first - 5, first + 120)
