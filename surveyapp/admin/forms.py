"""The province's logo for the posters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

LOGO_EXTENSIONS = ["png", "jpg", "jpeg"]


class LogoForm(FlaskForm):  # type: ignore[misc]
    """One PNG or JPEG image; surveyapp.core.branding checks what is inside."""

    file = FileField(
        _l("Logo image (PNG or JPEG)"),
        validators=[
            FileRequired(message=_l("Please choose a file.")),
            FileAllowed(
                LOGO_EXTENSIONS, message=_l("Only PNG and JPEG images are accepted.")
            ),
        ],
    )
