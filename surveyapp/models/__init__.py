"""Typed SQLAlchemy 2 models, one module per area."""

from surveyapp.models.accounts import AuditEvent, Role, User, check_unknown_password
from surveyapp.models.base import get_by_code, utc_now
from surveyapp.models.cells import CellUpdate, ResponseCell
from surveyapp.models.collection import ApiKey, Kiosk, Receipt
from surveyapp.models.org import (
    Agency,
    AgencyKind,
    Counter,
    counter_with_questionnaire,
)
from surveyapp.models.questionnaires import (
    Criterion,
    Factor,
    Questionnaire,
    ServiceField,
)
from surveyapp.models.reporting import DossierCount, Finalisation
from surveyapp.models.responses import (
    EXCLUDED_ANOMALY_STATES,
    AnomalyState,
    Answer,
    Channel,
    Comment,
    Response,
    answers_digest,
)

__all__ = [
    "EXCLUDED_ANOMALY_STATES",
    "Agency",
    "ApiKey",
    "AgencyKind",
    "AnomalyState",
    "Answer",
    "AuditEvent",
    "CellUpdate",
    "Channel",
    "Comment",
    "Counter",
    "Criterion",
    "DossierCount",
    "Factor",
    "Finalisation",
    "Kiosk",
    "Questionnaire",
    "Receipt",
    "Response",
    "ResponseCell",
    "Role",
    "ServiceField",
    "User",
    "answers_digest",
    "check_unknown_password",
    "counter_with_questionnaire",
    "get_by_code",
    "utc_now",
]
