"""Support-staff toolkit: convert between the three APIs, redact, diff two reports, export a summary or bundle.

Pure Python (no Qt). Every conversion reads the normalized :class:`inspector.report.Report`, never a vendor's
raw document, so a new format module is convertible as soon as it produces Reports.
"""
