"""Structured forms for the fields QA edit most; every change goes through ``OpenDocument.apply_edits``."""

from inspector.ui.document.forms.form import FormsWidget

__all__ = ["FormsWidget"]
