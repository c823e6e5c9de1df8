"""The main window and what belongs to it alone: tabs, menus, docks, preferences, help, the single-instance hand-off."""
