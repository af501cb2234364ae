"""Glue between the web layer, the database and the scoring library."""
