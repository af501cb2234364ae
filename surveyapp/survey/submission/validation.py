"""A citizen's answers, checked: raw values in, a Submission or the errors out.

No request, no writes, no anomaly rules: the questionnaire's criteria are read
once per version (:mod:`.items`), the fields offered by one statement
(:func:`counter_target`, :func:`receipt_target`). The survey form (:mod:`.form`) and
the JSON API both call :func:`validate_answers`, so a rule or its message cannot
differ between the two. Messages are in the current locale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _

from surveyapp.core.catalogue import FieldChoices, fields_at
from surveyapp.models import Channel, Counter, Questionnaire, Receipt, ServiceField
from surveyapp.survey.submission.items import questionnaire_items

NOT_APPLICABLE = "na"
SCALE = ("1", "2", "3", "4", "5")
COMMENT_MAX_LENGTH = 2000
IDEMPOTENCY_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
#: The error key of a rule about the answers as a whole; one criterion's is
#: "answers.<code>".
ANSWERS = "answers"


@dataclass(frozen=True)
class Target:
    """Where a response goes: a counter's questionnaire, through one channel.

    `service_field` is the field already known (the receipt's, or the counter's
    only one): the response gets it whatever field is sent.
    """

    counter: Counter
    questionnaire: Questionnaire
    channel: Channel = Channel.COUNTER
    receipt_id: int | None = None
    dossier_code: str | None = None
    kiosk_id: int | None = None
    service_field: ServiceField | None = None


def counter_target(
    counter: Counter,
    questionnaire: Questionnaire,
    *,
    channel: Channel = Channel.COUNTER,
    kiosk_id: int | None = None,
) -> tuple[Target, FieldChoices]:
    """A survey at `counter` (its QR link or its kiosk) and the fields offered."""
    fields = fields_at(counter.id)
    target = Target(
        counter,
        questionnaire,
        channel=channel,
        kiosk_id=kiosk_id,
        service_field=fields.known(),
    )
    return target, fields


def receipt_target(
    receipt: Receipt, questionnaire: Questionnaire
) -> tuple[Target, FieldChoices]:
    """The survey of one dossier's receipt and the fields offered at its counter."""
    fields = fields_at(receipt.counter_id)
    target = Target(
        receipt.counter,
        questionnaire,
        channel=Channel.RECEIPT,
        receipt_id=receipt.id,
        dossier_code=receipt.dossier_code,
        service_field=fields.known(receipt.service_field_id),
    )
    return target, fields


@dataclass(frozen=True)
class RawAnswers:
    """The answers as sent, nothing checked yet.

    `ratings` maps a criterion code to what was sent for it: "1".."5" or 1..5,
    "na" (no opinion), or an empty string or None (not answered).
    """

    idempotency_key: str | None
    service_field: str | None
    ratings: Mapping[str, object]
    comment: str | None = None
    language: str = "vi"


@dataclass(frozen=True)
class Submission:
    """A validated response, ready for the anomaly rules and the store."""

    counter: Counter
    questionnaire: Questionnaire
    service_field: ServiceField
    answers: dict[int, int | None]  # criterion id -> 1..5, or None for no opinion
    comment: str
    idempotency_key: str
    language: str
    channel: Channel = Channel.COUNTER
    receipt_id: int | None = None
    dossier_code: str | None = None
    kiosk_id: int | None = None
    fill_seconds: int | None = None
    network_hash: str | None = None
    render_nonce: str | None = None
    answers_hash: str | None = None  # the answers' digest, once the rules read it
    anomaly_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejected:
    """Why answers cannot be stored: error key -> messages.

    Keys: "idempotency_key", "service_field", "comment", "answers.<code>" (a bad
    rating, or a code the questionnaire does not have: those are also listed in
    `unknown_codes`) and "answers" (no question rated).
    """

    errors: dict[str, list[str]]
    unknown_codes: tuple[str, ...] = field(default=())


def parse_rating(value: object) -> int | None:
    """1..5 from a sent rating; None for no opinion or no answer.

    Raises ValueError for anything else: 0, 6, 4.5, True, " 4", a list.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"not a rating: {value!r}")
    text = str(value)
    if not text.strip() or text == NOT_APPLICABLE:
        return None
    if text not in SCALE:
        raise ValueError(f"not a rating: {value!r}")
    return int(text)


def validate_answers(
    raw: RawAnswers, target: Target, fields: Sequence[ServiceField]
) -> Submission | Rejected:
    """`raw` as a Submission to `target`, or every reason it cannot be one.

    Every criterion of the questionnaire gets an answer (None when not rated); at
    least one must be rated, which is only checked when nothing else is wrong.
    """
    errors: dict[str, list[str]] = {}
    key = raw.idempotency_key or ""
    if not re.fullmatch(IDEMPOTENCY_PATTERN, key):
        errors["idempotency_key"] = [_("This form has expired. Please send it again.")]
    # A known field is not the citizen's to change: a field sent anyway (a stale
    # offline copy, an edited form) is ignored rather than refused, so that the
    # answers are kept and the field stays the one the server knows.
    service_field = target.service_field or {f.code: f for f in fields}.get(
        raw.service_field or ""
    )
    if service_field is None:
        errors["service_field"] = [_("Please choose the service field you used.")]
    comment = raw.comment or ""
    if comment.strip() and len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = [
            _(
                "Please keep your comment under %(max)d characters.",
                max=COMMENT_MAX_LENGTH,
            )
        ]
    answers, unknown = _answers(raw.ratings, target.questionnaire, errors)
    if not errors and all(value is None for value in answers.values()):
        errors[ANSWERS] = [_("Please rate at least one question.")]
    if errors or service_field is None:
        return Rejected(errors, unknown)
    return Submission(
        counter=target.counter,
        questionnaire=target.questionnaire,
        service_field=service_field,
        answers=answers,
        comment=comment,
        idempotency_key=key,
        language=raw.language,
        channel=target.channel,
        receipt_id=target.receipt_id,
        dossier_code=target.dossier_code,
        kiosk_id=target.kiosk_id,
    )


def _answers(
    ratings: Mapping[str, object],
    questionnaire: Questionnaire,
    errors: dict[str, list[str]],
) -> tuple[dict[int, int | None], tuple[str, ...]]:
    """Criterion id -> rating for every criterion, and the unknown codes sent.

    Adds an "answers.<code>" error to `errors` for each bad rating or unknown code.
    """
    criteria = {item.code: item for item in questionnaire_items(questionnaire)}
    answers: dict[int, int | None] = {c.id: None for c in criteria.values()}
    unknown: list[str] = []
    for code, value in ratings.items():
        criterion = criteria.get(code)
        if criterion is None:
            unknown.append(code)
            errors[f"{ANSWERS}.{code}"] = [_("Unknown criterion code.")]
            continue
        try:
            answers[criterion.id] = parse_rating(value)
        except ValueError:
            errors[f"{ANSWERS}.{code}"] = [_("Please choose a rating from 1 to 5.")]
    return answers, tuple(unknown)
