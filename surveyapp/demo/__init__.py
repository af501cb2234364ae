"""Demonstration data for a fictional province (development only)."""
