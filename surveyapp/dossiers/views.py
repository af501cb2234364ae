"""Dossier counts: upload, template, listing (admins only)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dossiers", __name__, url_prefix="/quan-ly/ho-so")
