"""Emoji in crash messages render as glyphs, not boxes (issue 17): scripts/setup.sh installs an emoji-capable
font (fonts-noto-color-emoji) that Qt falls back to through fontconfig; macOS and Windows ship their own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel

ROLLBAR = Path(__file__).parent.parent / "corpus" / "rollbar"


def _colored_pixels(image: QImage) -> int:
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            color = QColor(image.pixel(x, y))
            if color.hsvSaturation() > 80 and color.value() > 60:
                count += 1
    return count


def test_an_emoji_is_drawn_in_colour(qtbot) -> None:
    plain, emoji = QLabel("Checkout failed"), QLabel("Checkout failed \U0001f4a5\U0001f525\U0001f680")
    for label in (plain, emoji):
        qtbot.addWidget(label)
        label.resize(400, 40)
    # a box (tofu) is drawn in the text colour: only a colour glyph has saturated pixels
    assert _colored_pixels(plain.grab().toImage()) == 0
    assert _colored_pixels(emoji.grab().toImage()) > 30


def test_the_window_header_shows_emoji_of_a_real_message(tmp_path: Path) -> None:
    # a real pyrollbar 1.5.0 capture, as is: "ValueError: Card declined 💳❌ for Zoë 🧑‍💻" (a ZWJ sequence too)
    path = ROLLBAR / "pyrollbar-1.5.0_trace_emoji-message.json"
    out = tmp_path / "shot.png"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "inspector",
            "shot",
            str(path),
            "--view",
            "summary",
            "--out",
            str(out),
            "--size",
            "1280x800",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    header = QImage(str(out)).copy(0, 80, 300, 30)  # the title line under the read-only banner, before the badge
    assert _colored_pixels(header) > 30
