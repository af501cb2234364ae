"""Managers manage the counters of their subtree and print their QR codes."""
