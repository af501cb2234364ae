"""Adding a counter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

COUNTER_CODE_PATTERN = r"^[A-Za-z0-9-]{2,64}$"


class CounterForm(FlaskForm):  # type: ignore[misc]
    """A new desk at one of the manager's service points."""

    service_point = SelectField(
        _l("Service point"),
        validators=[DataRequired(message=_l("Please choose a service point."))],
    )
    code = StringField(
        _l("Counter code"),
        validators=[
            DataRequired(message=_l("Please enter a code.")),
            Regexp(
                COUNTER_CODE_PATTERN,
                message=_l("Use 2 to 64 letters, digits or hyphens (no spaces)."),
            ),
        ],
    )
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Please enter a name.")),
            Length(max=255),
        ],
    )
