"""Render resources/icons/crash-inspector.svg into every size the platforms need.

Writes resources/icons/crash-inspector-{16..1024}.png, crash-inspector.ico (Windows: 16-256) and
crash-inspector.icns (macOS: 16-1024, PNG-encoded entries). Uses Qt's own SVG renderer and image writers, so it
needs nothing beyond PySide6. Run: python packaging/make_icons.py
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns entry types holding PNG data, by pixel size (Apple's icns format: ic04..ic10).
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}


def render(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico whose entries are PNG images (supported since Vista)."""
    entries = [(s, pngs[s]) for s in ICO_SIZES]
    header = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    directory, blobs = b"", b""
    for size, png in entries:
        dim = 0 if size >= 256 else size
        directory += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    return header + directory + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(kind + struct.pack(">I", len(pngs[s]) + 8) + pngs[s] for s, kind in ICNS_TYPES.items())
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "crash-inspector.svg"))
    if not renderer.isValid():
        print("make_icons: the SVG does not render", file=sys.stderr)
        return 1
    pngs = {size: render(renderer, size) for size in PNG_SIZES}
    for size, png in pngs.items():
        (ICONS / f"crash-inspector-{size}.png").write_bytes(png)
    (ICONS / "crash-inspector.ico").write_bytes(ico(pngs))
    (ICONS / "crash-inspector.icns").write_bytes(icns(pngs))
    print(f"make_icons: wrote {len(pngs)} PNGs, .ico and .icns to {ICONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
