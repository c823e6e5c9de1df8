"""The Send panel (bottom dock): send the current document to an endpoint profile; the profiles dialog."""
