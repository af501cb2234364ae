"""Adding a counter, and choosing the service fields it handles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

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


class CounterFieldsForm(FlaskForm):  # type: ignore[misc]
    """The service fields a counter handles, one checkbox each; none is allowed."""

    fields = SelectMultipleField(
        _l("Service fields handled at this counter"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
