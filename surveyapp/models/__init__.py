"""Typed SQLAlchemy 2 models, one module per area."""

from surveyapp.models.accounts import AuditEvent, Role, User, check_unknown_password
from surveyapp.models.assets import SiteImage
from surveyapp.models.base import get_by_code, utc_now
from surveyapp.models.cells import CellUpdate, ResponseCell
from surveyapp.models.collection import ApiKey, Kiosk, Receipt
from surveyapp.models.org import (
    Agency,
    AgencyKind,
    Counter,
    counter_service_fields,
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
from surveyapp.models.translations import SOURCE_LANGUAGE, Translation

__all__ = [
    "EXCLUDED_ANOMALY_STATES",
    "SOURCE_LANGUAGE",
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
    "SiteImage",
    "Translation",
    "User",
    "answers_digest",
    "check_unknown_password",
    "counter_service_fields",
    "counter_with_questionnaire",
    "get_by_code",
    "utc_now",
]
