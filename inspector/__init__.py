"""Crash Inspector: load, validate, compose and send crash payloads for Backtrace, Rollbar and App Center."""

__version__ = "0.1.0"
