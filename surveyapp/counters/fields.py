"""The service fields a counter handles, set from its page or the command line."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from surveyapp.core.audit import record
from surveyapp.extensions import db
from surveyapp.models import Counter, ServiceField


class UnknownFields(ValueError):
    """Some codes name no service field; `codes` lists them."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes


def fields_by_code(codes: Iterable[str]) -> list[ServiceField]:
    """The fields these codes name, in display order; UnknownFields otherwise."""
    wanted = set(codes)
    found = list(
        db.session.scalars(
            select(ServiceField)
            .where(ServiceField.code.in_(wanted))
            .order_by(ServiceField.position)
        )
    )
    unknown = sorted(wanted - {field.code for field in found})
    if unknown:
        raise UnknownFields(unknown)
    return found


def set_counter_fields(counter: Counter, fields: list[ServiceField]) -> bool:
    """Tie `counter` to exactly `fields` (audited); False when nothing changes.

    The caller commits, with the audit event.
    """
    before = [field.code for field in counter.service_fields]
    after = sorted(fields, key=lambda field: field.position)
    if before == [field.code for field in after]:
        return False
    counter.service_fields = after
    record(
        "counter_fields",
        target=counter.code,
        details={"before": before, "after": [field.code for field in after]},
    )
    return True
