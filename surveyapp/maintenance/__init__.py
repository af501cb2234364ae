"""Periodic housekeeping, run by a timer (`flask maintenance run`), not requests."""
