"""Typed SQLAlchemy 2 models, one module per area."""

from surveyapp.models.accounts import AuditEvent, Role, User
from surveyapp.models.core import (
    EXCLUDED_FLAG_STATES,
    Agency,
    AgencyKind,
    Answer,
    Channel,
    Comment,
    Counter,
    Criterion,
    Factor,
    Questionnaire,
    Response,
    ServiceField,
    get_by_code,
    utc_now,
)
from surveyapp.models.field import ApiKey, Kiosk, Receipt
from surveyapp.models.reporting import DossierCount, Finalisation

__all__ = [
    "EXCLUDED_FLAG_STATES",
    "Agency",
    "ApiKey",
    "AgencyKind",
    "Answer",
    "AuditEvent",
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
    "Role",
    "ServiceField",
    "User",
    "get_by_code",
    "utc_now",
]
