"""How a citizen's answers become a stored response: the one part of survey/ that
the kiosk, the receipt page and the JSON API use too.

:mod:`.validation` checks raw answers (the form's and the API's alike) into a
:class:`Submission`; :mod:`.form` is the survey form around it; :mod:`.render`
issues the token every shown form carries back; :mod:`.anomalies` flags a
suspicious submission; :mod:`.store` stores it once.
"""

from surveyapp.survey.submission.anomalies import (
    Observed,
    Sending,
    flag_submission,
    submission_flags,
)
from surveyapp.survey.submission.form import SurveyFormBase, build_survey_form
from surveyapp.survey.submission.render import issue_render_token
from surveyapp.survey.submission.store import (
    ReceiptAlreadyUsed,
    find_by_idempotency_key,
    store_response,
)
from surveyapp.survey.submission.validation import (
    COMMENT_MAX_LENGTH,
    IDEMPOTENCY_PATTERN,
    RawAnswers,
    Rejected,
    Submission,
    Target,
    counter_target,
    parse_rating,
    receipt_target,
    validate_answers,
)

__all__ = [
    "COMMENT_MAX_LENGTH",
    "IDEMPOTENCY_PATTERN",
    "Observed",
    "RawAnswers",
    "ReceiptAlreadyUsed",
    "Rejected",
    "Sending",
    "Submission",
    "SurveyFormBase",
    "Target",
    "build_survey_form",
    "counter_target",
    "find_by_idempotency_key",
    "flag_submission",
    "issue_render_token",
    "parse_rating",
    "receipt_target",
    "store_response",
    "submission_flags",
    "validate_answers",
]
