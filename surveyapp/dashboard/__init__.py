"""Managers: scores, rankings with uncertainty, trends and comments."""
