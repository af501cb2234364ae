"""Kiosks: survey tablets at the counters."""
