"""Composing and editing: File › New (templates), Save, drafts, Undo/Redo, the forms and attachments docks."""
