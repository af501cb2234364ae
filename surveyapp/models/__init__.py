"""Typed SQLAlchemy 2 models, one module per area."""

from surveyapp.models.accounts import AuditEvent, Role, User
from surveyapp.models.core import (
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
from surveyapp.models.reporting import DossierCount, Finalisation

__all__ = [
    "Agency",
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
    "Questionnaire",
    "Response",
    "Role",
    "ServiceField",
    "User",
    "get_by_code",
    "utc_now",
]
