"""Admins: the audit log."""
