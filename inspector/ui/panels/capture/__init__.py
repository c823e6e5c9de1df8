"""The Capture panel: a local receiver that records what SDKs send, and resending captured requests."""
