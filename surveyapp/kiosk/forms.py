"""Registering a kiosk."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class KioskForm(FlaskForm):  # type: ignore[misc]
    """A new tablet, bound to one active counter."""

    counter = SelectField(
        _l("Counter"),
        validators=[DataRequired(message=_l("Please choose a counter."))],
    )
    name = StringField(
        _l("Name of the tablet"),
        validators=[
            DataRequired(message=_l("Please enter a name.")),
            Length(max=255, message=_l("Please use at most %(max)d characters.")),
        ],
    )
