"""Yearly SIPAS-style reports (XLSX, CSV, PDF), finalisation of a year, raw exports."""
