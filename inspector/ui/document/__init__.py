"""One open payload document (:mod:`.open_document`) and everything that shows or edits it: the document view, the
raw view, the editor, the forms, the item models."""
