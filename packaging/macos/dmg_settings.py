"""dmgbuild settings: the .app next to an /Applications link. Used as `dmgbuild -s dmg_settings.py -D app=PATH`."""

import os.path

app = defines.get("app", "dist/Crash Inspector.app")  # noqa: F821 (dmgbuild injects `defines`)
appname = os.path.basename(app)

format = "UDZO"
files = [app]
symlinks = {"Applications": "/Applications"}
icon_locations = {appname: (140, 120), "Applications": (500, 120)}
window_rect = ((200, 200), (640, 280))
default_view = "icon-view"
icon_size = 96
