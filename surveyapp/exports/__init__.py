"""Yearly SIPAS-style exports and finalisation of a year."""
