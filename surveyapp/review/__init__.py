"""Admins: review of responses flagged as anomalous (confirm or clear)."""
