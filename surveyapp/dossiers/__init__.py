"""Admins upload dossier counts, which drive weights and response rates."""
