"""The upload form for dossier counts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

ALLOWED_EXTENSIONS = ["csv", "xlsx"]


class DossierUploadForm(FlaskForm):  # type: ignore[misc]
    """One CSV or XLSX file of counts per agency, service field and month."""

    file = FileField(
        _l("File of dossier counts (.csv or .xlsx)"),
        validators=[
            FileRequired(message=_l("Please choose a file.")),
            FileAllowed(
                ALLOWED_EXTENSIONS,
                message=_l("Only .csv and .xlsx files are accepted."),
            ),
        ],
    )
