"""Sign-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

MIN_PASSWORD_LENGTH = 10


class LoginForm(FlaskForm):  # type: ignore[misc]
    """Email and password."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(message=_l("Please enter your email."))]
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please enter your password."))],
    )


class ChangePasswordForm(FlaskForm):  # type: ignore[misc]
    """The current password, and the new one twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Please enter your password."))],
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("Please enter a new password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("The password must have at least %(min)d characters."),
            ),
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new_password", message=_l("The two passwords differ."))],
    )


class DigestForm(FlaskForm):  # type: ignore[misc]
    """Whether to receive the weekly digest, and in which language."""

    digest_enabled = BooleanField(_l("Send me the weekly digest by email"))
    language = SelectField(
        _l("Language of emails"),
        choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")],
    )
