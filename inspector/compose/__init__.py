"""Composing and editing submissions without Qt: templates, field tables, text locations, attachments, bundles, drafts."""
