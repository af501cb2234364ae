"""The public results: the finalised years of the province, for anyone."""
