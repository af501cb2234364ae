"""Forms of the receipt pages: API keys and batch files."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class ApiKeyForm(FlaskForm):  # type: ignore[misc]
    """A new API key for the one-stop software of an agency subtree."""

    agency = SelectField(
        _l("Agency"),
        validators=[DataRequired(message=_l("Please choose an agency."))],
    )
    name = StringField(
        _l("Name (which software, which office)"),
        validators=[
            DataRequired(message=_l("Please enter a name.")),
            Length(max=255),
        ],
    )


class ReceiptBatchForm(FlaskForm):  # type: ignore[misc]
    """A CSV (or XLSX) file of counter codes and dossier codes."""

    file = FileField(
        _l("File of dossiers (.csv or .xlsx)"),
        validators=[
            FileRequired(message=_l("Please choose a file.")),
            FileAllowed(
                ["csv", "xlsx"],
                message=_l("Only .csv and .xlsx files are accepted."),
            ),
        ],
    )
