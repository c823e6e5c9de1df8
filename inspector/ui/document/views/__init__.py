"""Widgets that make up a DocumentView (summary, attachments preview, tree helpers)."""
