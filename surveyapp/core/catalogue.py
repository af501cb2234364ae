"""Questionnaires and service fields, loaded from the JSON files in surveyapp/data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from surveyapp.extensions import db
from surveyapp.models import (
    Criterion,
    Factor,
    Questionnaire,
    ServiceField,
    counter_service_fields,
)

QUESTIONNAIRE_CODES = ("sipas-2023", "sipas-2017")


def _read_data(name: str) -> Any:
    return json.loads(
        resources.files("surveyapp.data").joinpath(name).read_text("utf-8")
    )


def _texts(spec: dict[str, Any], field: str) -> dict[str, str]:
    """`field` in every language of a data file's entry: "text_vi" -> {"vi": ...}."""
    prefix = f"{field}_"
    return {
        key.removeprefix(prefix): str(value)
        for key, value in spec.items()
        if key.startswith(prefix)
    }


def load_questionnaire(spec: dict[str, Any]) -> tuple[Questionnaire, bool]:
    """Store a questionnaire version unless its code exists; return it and if new.

    A stored version is never rewritten: responses refer to its criteria, so a change
    of wording is a new version code.
    """
    existing = db.session.scalars(
        select(Questionnaire).where(Questionnaire.code == spec["code"])
    ).first()
    if existing is not None:
        return existing, False
    questionnaire = Questionnaire(
        code=spec["code"], legal_basis=spec.get("legal_basis", "")
    )
    for factor_position, factor_spec in enumerate(spec["factors"], start=1):
        factor = Factor(code=factor_spec["code"], position=factor_position)
        for position, item in enumerate(factor_spec["criteria"], start=1):
            factor.criteria.append(Criterion(code=item["code"], position=position))
        questionnaire.factors.append(factor)
    db.session.add(questionnaire)
    db.session.flush()  # the ids the wording refers to
    questionnaire.add_wording("title", _texts(spec, "title"))
    for factor, factor_spec in zip(questionnaire.factors, spec["factors"], strict=True):
        factor.add_wording("name", _texts(factor_spec, "name"))
        for criterion, item in zip(
            factor.criteria, factor_spec["criteria"], strict=True
        ):
            criterion.add_wording("text", _texts(item, "text"))
    return questionnaire, True


def load_builtin_questionnaires() -> list[str]:
    """Store the bundled SIPAS questionnaires; return the codes that were added."""
    added = []
    for code in QUESTIONNAIRE_CODES:
        _, created = load_questionnaire(_read_data(f"{code}.json"))
        if created:
            added.append(code)
    return added


def bundled_field_codes() -> list[str]:
    """The codes of the bundled service fields, which `load_service_fields` stores."""
    return [spec["code"] for spec in _read_data("service_fields.json")]


def load_service_fields() -> list[str]:
    """Store the bundled service fields (lĩnh vực); return the codes that were added."""
    existing = set(db.session.scalars(select(ServiceField.code)))
    new = {
        ServiceField(code=spec["code"], position=position): spec
        for position, spec in enumerate(_read_data("service_fields.json"), start=1)
        if spec["code"] not in existing
    }
    db.session.add_all(new)
    db.session.flush()  # the ids the wording refers to
    for field, spec in new.items():
        field.add_wording("name", _texts(spec, "name"))
    return [field.code for field in new]


def service_fields() -> list[ServiceField]:
    """All service fields, in display order, their names loaded in one statement
    (a page listing them would otherwise read each field's names on its own)."""
    return list(
        db.session.scalars(
            select(ServiceField)
            .order_by(ServiceField.position)
            .options(selectinload(ServiceField.translations))
        )
    )


@dataclass(frozen=True)
class FieldChoices:
    """The service fields a survey at one counter offers, and the counter's own.

    `fields` are all of them in display order; `handled` those the counter is
    tied to, in the same order (none: the counter was not tied to any).
    """

    fields: list[ServiceField]
    handled: list[ServiceField]

    @property
    def others(self) -> list[ServiceField]:
        """The fields the counter does not handle, in display order."""
        return [field for field in self.fields if field not in self.handled]

    def known(self, receipt_field_id: int | None = None) -> ServiceField | None:
        """The field the citizen need not be asked about, if any.

        A receipt's field names the dossier's own; otherwise a counter tied to
        one field serves only that one. A counter of several fields leaves the
        choice to the citizen, who may be at the wrong counter.
        """
        if receipt_field_id is not None:
            return next((f for f in self.fields if f.id == receipt_field_id), None)
        return self.handled[0] if len(self.handled) == 1 else None


def fields_at(counter_id: int) -> FieldChoices:
    """The service fields offered at counter `counter_id`, in one statement.

    Every survey submission asks, so the counter's own fields come with the
    list of all fields instead of in a query of their own.
    """
    link = counter_service_fields.c
    rows = db.session.execute(
        select(ServiceField, link.counter_id)
        .outerjoin(
            counter_service_fields,
            and_(
                link.service_field_id == ServiceField.id,
                link.counter_id == counter_id,
            ),
        )
        .order_by(ServiceField.position)
    ).all()
    return FieldChoices(
        fields=[field for field, _ in rows],
        handled=[field for field, handled in rows if handled is not None],
    )
