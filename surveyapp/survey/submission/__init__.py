"""How a citizen's answers become a stored response: the one part of survey/ that
the kiosk, the receipt page and the JSON API use too.

:mod:`.validation` checks raw answers (the form's and the API's alike) into a
:class:`Submission`; :mod:`.form` is the survey form around it; :mod:`.anomalies`
flags a suspicious submission; :mod:`.store` stores it once.
"""

from surveyapp.survey.submission.anomalies import (
    Sending,
    flag_submission,
    submission_flags,
)
from surveyapp.survey.submission.form import SurveyFormBase, build_survey_form
from surveyapp.survey.submission.store import (
    ReceiptAlreadyUsed,
    find_by_idempotency_key,
    seconds_since_render,
    signed_render_time,
    store_response,
)
from surveyapp.survey.submission.validation import (
    COMMENT_MAX_LENGTH,
    IDEMPOTENCY_PATTERN,
    RawAnswers,
    Rejected,
    Submission,
    Target,
    parse_rating,
    validate_answers,
)

__all__ = [
    "COMMENT_MAX_LENGTH",
    "IDEMPOTENCY_PATTERN",
    "RawAnswers",
    "ReceiptAlreadyUsed",
    "Rejected",
    "Sending",
    "Submission",
    "SurveyFormBase",
    "Target",
    "build_survey_form",
    "find_by_idempotency_key",
    "flag_submission",
    "parse_rating",
    "seconds_since_render",
    "signed_render_time",
    "store_response",
    "submission_flags",
    "validate_answers",
]
