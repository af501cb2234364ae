"""The survey form, built from a questionnaire stored as data.

The form renders the questions and reads the browser's post; whether the answers
are valid is decided by :func:`.validation.validate_answers`, the rules the JSON
API applies too. The form only adds what is its own: the CSRF token, and one
message for questions the page did not show.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from surveyapp.core.catalogue import FieldChoices
from surveyapp.models import ServiceField
from surveyapp.survey.submission.anomalies import Sending
from surveyapp.survey.submission.items import (
    Item,
    PageWording,
    kept,
    page_wording,
    per_version,
    questionnaire_items,
)
from surveyapp.survey.submission.render import issue_render_token
from surveyapp.survey.submission.validation import (
    ANSWERS,
    NOT_APPLICABLE,
    RawAnswers,
    Rejected,
    Submission,
    Target,
    validate_answers,
)

CRITERION_PREFIX = "c_"


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

    idempotency_key = HiddenField()
    service_field = SelectField(_l("Service field"), validate_choice=False)
    # A field people never see: bots that fill every input give themselves away.
    website = StringField(_l("Leave this field empty"))
    # When and where the form was shown, signed, to tell a reading person from a
    # script (surveyapp.survey.submission.render).
    render_token = HiddenField()
    comment = TextAreaField(_l("Comments or suggestions (optional)"))

    target: Target
    language: str
    service_fields: list[ServiceField]
    wording: PageWording
    posted: Mapping[str, str]
    validated: Submission | None = None
    # Errors about the ratings as a whole ("rate at least one"): the page shows
    # them above the questions, which they speak of, rather than on one field.
    rating_errors: tuple[str, ...] = ()

    def raw_answers(self) -> RawAnswers:
        """The posted answers, as validate_answers takes them."""
        return RawAnswers(
            idempotency_key=self.idempotency_key.data,
            service_field=self.service_field.data,
            ratings={
                key.removeprefix(CRITERION_PREFIX): value
                for key, value in self.posted.items()
                if key.startswith(CRITERION_PREFIX)
            },
            comment=self.comment.data,
            language=self.language,
        )

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the CSRF token, then the answers; errors go to their fields."""
        token_valid: bool = super().validate(extra_validators=extra_validators)
        outcome = validate_answers(self.raw_answers(), self.target, self.service_fields)
        if isinstance(outcome, Rejected):
            self._show(outcome, token_valid)
            return False
        self.validated = outcome if token_valid else None
        return token_valid

    def _show(self, rejected: Rejected, token_valid: bool) -> None:
        errors = dict(rejected.errors)
        if rejected.unknown_codes:
            # A browser user cannot fix a code; reloading gets the current form.
            self.form_errors.append(
                _("The form contains unknown questions. Please reload the page.")
            )
        as_a_whole = errors.pop(ANSWERS, [])
        # "Rate at least one" is the last check: it waits for a valid token too.
        if token_valid:
            self.rating_errors = tuple(as_a_whole)
        for key, messages in errors.items():
            name = key.replace(f"{ANSWERS}.", CRITERION_PREFIX, 1)
            if name in self:  # an unknown code has no field of its own
                self[name].errors.extend(messages)

    def submission(self) -> Submission:
        """The Submission of this validated form."""
        if self.validated is None:
            raise RuntimeError("submission() is for a form that validated")
        return self.validated

    def sending(self, remote_addr: str | None) -> Sending:
        """How this form arrived, for the anomaly rules."""
        return Sending(remote_addr, self.render_token.data, self.website.data)


def build_survey_form(
    target: Target, fields: FieldChoices, language: str
) -> SurveyFormBase:
    """A form for `target`'s questionnaire, one radio group per criterion.

    It reads the request's form (and checks its CSRF token) when posted; shown
    blank, it gets a new idempotency key and render token. The class is built
    once per questionnaire version; the service fields, which depend on the
    counter, are set on each form.
    """
    form_class = kept(
        per_version("form", target.questionnaire, language),
        lambda: _form_class(questionnaire_items(target.questionnaire), language),
    )
    form = form_class()
    form.target = target
    form.language = language
    form.service_fields = fields.fields
    form.wording = page_wording(target.questionnaire)
    form.posted = request.form if request.method == "POST" else MultiDict()
    form.service_field.choices = field_choices(fields, language, form.wording)
    if not form.is_submitted():
        form.idempotency_key.data = uuid.uuid4().hex
        form.render_token.data = issue_render_token(target)
    return form


def field_choices(
    fields: FieldChoices, language: str, wording: PageWording
) -> list[SelectChoice]:
    """The service-field choices: the counter's own first, apart from the others.

    A counter tied to no field lists every field in display order, as before.
    Names come from the version's kept wording, not a query per field.
    """

    def choice(field: ServiceField, group: str | None = None) -> SelectChoice:
        return SelectChoice(
            field.code, wording.field_name(field, language), optgroup=group
        )

    prompt = [SelectChoice("", _l("— Choose a service field —"))]
    if not fields.handled:
        return prompt + [choice(f) for f in fields.fields]
    here, elsewhere = _("Fields of this counter"), _("Other fields")
    return (
        prompt
        + [choice(f, here) for f in fields.handled]
        + [choice(f, elsewhere) for f in fields.others]
    )


def _form_class(items: tuple[Item, ...], language: str) -> type[SurveyFormBase]:
    """The form class of one questionnaire version in one language."""

    class SurveyForm(SurveyFormBase):
        pass

    # Built under `language`'s locale, as the class is kept per language: the
    # labels are translated here once, not looked up for every item and choice
    # of every page rendered (96 look-ups of the locale for sipas-2023).
    scale = [SelectChoice(choice.value, str(choice.label)) for choice in scale_labels()]
    for item in items:
        rating = RadioField(item.text(language), choices=scale, validate_choice=False)
        setattr(SurveyForm, f"{CRITERION_PREFIX}{item.code}", rating)
    return SurveyForm
