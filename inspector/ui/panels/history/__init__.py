"""The History panel: what was sent, with the responses; resend from history."""
