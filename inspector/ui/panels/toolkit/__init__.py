"""The support toolkit: Tools › Convert to…, Redact…, Compare Reports; File › Export (Markdown, HTML, zip)."""
