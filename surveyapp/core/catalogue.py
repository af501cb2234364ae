"""Questionnaires and service fields, loaded from the JSON files in surveyapp/data."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from sqlalchemy import Select, select

from surveyapp.extensions import db
from surveyapp.models import Criterion, Factor, Questionnaire, ServiceField

QUESTIONNAIRE_CODES = ("sipas-2023", "sipas-2017")


def _read_data(name: str) -> Any:
    return json.loads(
        resources.files("surveyapp.data").joinpath(name).read_text("utf-8")
    )


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
        code=spec["code"],
        title_vi=spec["title_vi"],
        title_en=spec["title_en"],
        legal_basis=spec.get("legal_basis", ""),
    )
    for factor_position, factor_spec in enumerate(spec["factors"], start=1):
        factor = Factor(
            code=factor_spec["code"],
            position=factor_position,
            name_vi=factor_spec["name_vi"],
            name_en=factor_spec["name_en"],
        )
        for position, item in enumerate(factor_spec["criteria"], start=1):
            factor.criteria.append(
                Criterion(
                    code=item["code"],
                    position=position,
                    text_vi=item["text_vi"],
                    text_en=item["text_en"],
                )
            )
        questionnaire.factors.append(factor)
    db.session.add(questionnaire)
    return questionnaire, True


def load_builtin_questionnaires() -> list[str]:
    """Store the bundled SIPAS questionnaires; return the codes that were added."""
    added = []
    for code in QUESTIONNAIRE_CODES:
        _, created = load_questionnaire(_read_data(f"{code}.json"))
        if created:
            added.append(code)
    return added


def load_service_fields() -> list[str]:
    """Store the bundled service fields (lĩnh vực); return the codes that were added."""
    existing = set(db.session.scalars(select(ServiceField.code)))
    added = []
    for position, spec in enumerate(_read_data("service_fields.json"), start=1):
        if spec["code"] in existing:
            continue
        db.session.add(ServiceField(position=position, **spec))
        added.append(spec["code"])
    return added


def service_fields() -> list[ServiceField]:
    """All service fields, in display order."""
    return list(db.session.scalars(_service_fields_in_order()))


@functools.cache
def _service_fields_in_order() -> Select[tuple[ServiceField]]:
    """Read by every survey request: built once, so its cache key is kept."""
    return select(ServiceField).order_by(ServiceField.position)
