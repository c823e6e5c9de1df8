"""Composing and editing without Qt: templates, field tables, text locations, attachments, bundles, drafts."""
