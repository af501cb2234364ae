"""The survey form, built from a questionnaire stored as data."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from surveyapp.core.network import network_hash
from surveyapp.models import Counter, Criterion, Questionnaire, ServiceField
from surveyapp.survey.anomalies import flag_submission
from surveyapp.survey.submission import Submission, seconds_since_render

NOT_APPLICABLE = "na"
SCALE = ("1", "2", "3", "4", "5")
CRITERION_PREFIX = "c_"
COMMENT_MAX_LENGTH = 2000
IDEMPOTENCY_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


def scale_labels() -> list[SelectChoice]:
    """The five points of the SIPAS scale and the no-opinion choice, translated."""
    return [
        SelectChoice("1", _l("Very dissatisfied")),
        SelectChoice("2", _l("Dissatisfied")),
        SelectChoice("3", _l("Neutral")),
        SelectChoice("4", _l("Satisfied")),
        SelectChoice("5", _l("Very satisfied")),
        SelectChoice(NOT_APPLICABLE, _l("No opinion / not applicable")),
    ]


class SurveyFormBase(FlaskForm):  # type: ignore[misc]
    """Fields every survey has; criteria are added per questionnaire."""

    idempotency_key = HiddenField(
        validators=[
            DataRequired(message=_l("This form has expired. Please send it again.")),
            Regexp(
                IDEMPOTENCY_PATTERN,
                message=_l("This form has expired. Please send it again."),
            ),
        ]
    )
    service_field = SelectField(
        _l("Service field"),
        validators=[
            DataRequired(message=_l("Please choose the service field you used."))
        ],
        validate_choice=True,
    )
    # A field people never see: bots that fill every input give themselves away.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
    # When the form was shown, signed, to tell a reading person from a script.
    rendered_at = HiddenField()
    comment = TextAreaField(
        _l("Comments or suggestions (optional)"),
        validators=[
            Optional(),
            Length(
                max=COMMENT_MAX_LENGTH,
                message=_l("Please keep your comment under %(max)d characters."),
            ),
        ],
    )

    criterion_fields: list[tuple[Criterion, str]]
    unknown_fields: list[str]

    def validate_service_field(self, field: Field) -> None:
        """Accept only a listed service field (the placeholder is not one)."""
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(str(_l("Please choose the service field you used.")))

    def rating_fields(self) -> list[Field]:
        """The criterion fields, in questionnaire order."""
        return [self[name] for _, name in self.criterion_fields]

    def answers(self) -> dict[int, int | None]:
        """Criterion id -> 1..5 or None, for a validated form."""
        result: dict[int, int | None] = {}
        for criterion, name in self.criterion_fields:
            value = self[name].data
            result[criterion.id] = int(value) if value in SCALE else None
        return result

    def submission(
        self,
        counter: Counter,
        questionnaire: Questionnaire,
        fields: list[ServiceField],
        language: str,
        remote_addr: str | None,
        **target: Any,
    ) -> Submission:
        """This validated form as a Submission, flagged by the anomaly rules.

        `target` adds what depends on the link: channel, receipt or kiosk.
        """
        field_by_code = {field.code: field for field in fields}
        submission = Submission(
            counter=counter,
            questionnaire=questionnaire,
            service_field=field_by_code[self.service_field.data],
            answers=self.answers(),
            comment=self.comment.data or "",
            idempotency_key=self.idempotency_key.data,
            language=language,
            fill_seconds=seconds_since_render(self.rendered_at.data),
            network_hash=network_hash(remote_addr),
            **target,
        )
        return flag_submission(submission, honeypot=self.website.data)

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate fields, then the rules that span them."""
        valid: bool = super().validate(extra_validators=extra_validators)
        if self.unknown_fields:
            self.form_errors.append(
                str(_l("The form contains unknown questions. Please reload the page."))
            )
            valid = False
        rated = [f for f in self.rating_fields() if f.data in SCALE]
        if valid and not rated:
            self.form_errors.append(str(_l("Please rate at least one question.")))
            valid = False
        return valid


def _rating_field(criterion: Criterion, language: str) -> RadioField:
    def check_choice(form: FlaskForm, field: Field) -> None:
        if field.raw_data and field.raw_data[0] not in (*SCALE, NOT_APPLICABLE):
            raise ValidationError(str(_l("Please choose a rating from 1 to 5.")))

    return RadioField(
        criterion.text(language),
        choices=scale_labels(),
        validators=[Optional(), check_choice],
        validate_choice=False,
    )


def build_survey_form(
    questionnaire: Questionnaire,
    fields: list[ServiceField],
    language: str,
    formdata: MultiDict[str, str] | None = None,
) -> SurveyFormBase:
    """A form for `questionnaire`, with one radio group per criterion.

    Without `formdata` the form reads the request's form (and checks its CSRF
    token); with it, as for the JSON API, it validates that data and no token.
    """

    class SurveyForm(SurveyFormBase):
        pass

    criterion_fields = []
    for criterion in questionnaire.criteria():
        name = f"{CRITERION_PREFIX}{criterion.code}"
        setattr(SurveyForm, name, _rating_field(criterion, language))
        criterion_fields.append((criterion, name))
    if formdata is None:
        form = SurveyForm()
        submitted: Any = request.form if request.method == "POST" else {}
    else:
        form = SurveyForm(formdata=formdata, meta={"csrf": False})
        submitted = formdata
    form.criterion_fields = criterion_fields
    form.service_field.choices = [
        SelectChoice("", _l("— Choose a service field —"))
    ] + [SelectChoice(field.code, field.name(language)) for field in fields]
    known = {name for _, name in criterion_fields}
    form.unknown_fields = sorted(
        key
        for key in submitted
        if key.startswith(CRITERION_PREFIX) and key not in known
    )
    return form
