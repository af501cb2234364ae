"""The weights and strata the app uses: dossier counts -> post-stratification.

Rules, in order (they are written into every export's method sheet):

1. The weighting cell of a response is (counting unit, service field), where the
   counting unit is the nearest agency at or above the response's service point
   that has dossier counts in the period.
2. Without any dossier counts in the period, every weight is 1 and the cells are
   (service point, service field).
3. Responses with no counting unit above them, while others have one, are
   weighted at the average weight of the counted responses (reported).
4. Small cells are pooled within their agency by
   :func:`surveyapp.scoring.poststratify` (reported).
5. A counting unit whose pooled cell still has a single response cannot be a
   stratum on its own (no variance); such responses share one "small units"
   stratum, which joins the largest stratum if it is still alone (reported).
   Their weights are unchanged.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
from flask_babel import format_decimal
from flask_babel import gettext as _
from numpy.typing import NDArray
from sqlalchemy import func, select

from surveyapp.analysis.cells import CellSums
from surveyapp.core.tree import agency_tree
from surveyapp.extensions import db
from surveyapp.models import DossierCount, ServiceField
from surveyapp.scoring import poststratify
from surveyapp.scoring.weights import Collapse

SMALL_UNITS_STRATUM = "(small units)"


@dataclass(frozen=True)
class Weighting:
    """Weights and strata for n groups of responses, in the order they were given.

    A group is responses of one service point and service field (one response,
    or a cell of responses summed together). ``weights`` float64 (n,), the
    weight of each of the group's responses; ``strata`` (n,) labels;
    ``unit_of_response`` (n,) the agency id of each group's counting unit (None
    where uncounted); ``group_size`` (n,) responses per group;
    ``dossiers_by_unit`` dossiers in the period per counting unit; ``notes``
    human-readable reports of every rule that changed something.
    """

    weights: NDArray[np.float64]
    strata: list[str]
    counted: bool
    unit_of_response: list[int | None]
    group_size: NDArray[np.int64]
    dossiers_by_unit: dict[int, int]
    notes: list[str] = field(default_factory=list)

    def response_rate(self, agency_ids: set[int]) -> float | None:
        """Responses ÷ dossiers over the counting units in `agency_ids`."""
        units = [unit for unit in self.dossiers_by_unit if unit in agency_ids]
        dossiers = sum(self.dossiers_by_unit[unit] for unit in units)
        if not dossiers:
            return None
        return sum(self._responses_by_unit[unit] for unit in units) / dossiers

    @cached_property
    def _responses_by_unit(self) -> Tally[int | None]:
        # Counted once: a ranking asks for the rate of every unit in turn.
        tally: Tally[int | None] = Tally()
        for unit, size in zip(
            self.unit_of_response, self.group_size.tolist(), strict=True
        ):
            tally[unit] += size
        return tally


def service_field_codes() -> dict[int, str]:
    """Every service field's code by id (weighting cells are named by code)."""
    rows = db.session.execute(select(ServiceField.id, ServiceField.code))
    return {field_id: code for field_id, code in rows}


def weigh_cells(
    parts: Sequence[CellSums],
    start: date,
    end: date,
    monthly: MonthlyDossiers | None = None,
) -> Weighting:
    """:func:`weigh_responses` for cells: one entry per cell, of its responses,
    the parts' cells one after the other (several versions weigh together)."""
    return weigh_groups(
        np.concatenate([part.agency_id for part in parts]),
        np.concatenate([part.field_id for part in parts]),
        np.concatenate([part.n for part in parts]),
        start,
        end,
        monthly,
    )


def weigh_groups(
    agency_ids: NDArray[np.int64],
    field_ids: NDArray[np.int64],
    sizes: NDArray[np.int64],
    start: date,
    end: date,
    monthly: MonthlyDossiers | None = None,
) -> Weighting:
    """:func:`weigh_responses` for groups of `sizes` responses, each at one
    service point and field (by id)."""
    codes = service_field_codes()
    return weigh_responses(
        agency_ids.tolist(),
        [codes[f] for f in field_ids.tolist()],
        start,
        end,
        group_size=sizes.tolist(),
        monthly=monthly,
    )


def months_between(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) pairs of the months that start in [start, end)."""
    months = []
    year, month = start.year, start.month
    if start.day != 1:
        month += 1
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    while date(year, month, 1) < end:
        months.append((year, month))
        year, month = year + month // 12, month % 12 + 1
    return months


#: Dossiers per (agency id, service field code), by month as YYYYMM.
MonthlyDossiers = dict[int, dict[tuple[int, str], int]]


def monthly_dossiers(start: date, end: date) -> MonthlyDossiers:
    """Dossier counts of the months that start in [start, end), month by month."""
    months = months_between(start, end)
    if not months:
        return {}
    first, last = months[0], months[-1]
    month_key = DossierCount.year * 100 + DossierCount.month
    rows = db.session.execute(
        select(
            month_key,
            DossierCount.agency_id,
            ServiceField.code,
            func.sum(DossierCount.dossiers),
        )
        .join(ServiceField, DossierCount.service_field_id == ServiceField.id)
        .where(month_key.between(first[0] * 100 + first[1], last[0] * 100 + last[1]))
        .group_by(month_key, DossierCount.agency_id, ServiceField.code)
    )
    by_month: MonthlyDossiers = {}
    for month, agency_id, code, total in rows:
        by_month.setdefault(int(month), {})[(agency_id, code)] = int(total)
    return by_month


def dossier_totals(
    start: date, end: date, monthly: MonthlyDossiers | None = None
) -> dict[tuple[int, str], int]:
    """Dossiers per (agency id, service field code) over the months in the period.

    From `monthly` when given (it must hold those months), else read.
    """
    if monthly is None:
        monthly = monthly_dossiers(start, end)
    totals: dict[tuple[int, str], int] = {}
    for year, month in months_between(start, end):
        for key, dossiers in monthly.get(year * 100 + month, {}).items():
            totals[key] = totals.get(key, 0) + dossiers
    return totals


@dataclass
class _Cells:
    """Each response's cell label, and the dossier counts of every cell."""

    labels: list[str]
    agencies: list[str] = field(default_factory=list)
    field_codes: list[str] = field(default_factory=list)
    dossiers: list[int] = field(default_factory=list)

    def add(self, agency: str, field_code: str, dossiers: int) -> None:
        self.agencies.append(agency)
        self.field_codes.append(field_code)
        self.dossiers.append(dossiers)


def _tally(
    keys: Sequence[tuple[str, str]], sizes: Sequence[int]
) -> Tally[tuple[str, str]]:
    """Responses per key, each key standing for a group of `sizes` responses."""
    tally: Tally[tuple[str, str]] = Tally()
    for key, size in zip(keys, sizes, strict=True):
        tally[key] += size
    return tally


def _unweighted_cells(
    labels: list[str], field_codes: Sequence[str], sizes: list[int]
) -> _Cells:
    """Rule 2: dossiers = responses per cell gives weight 1 and the same pooling."""
    cells = _Cells(labels)
    for (agency, code), responses in _tally(
        list(zip(labels, field_codes, strict=True)), sizes
    ).items():
        cells.add(agency, code, responses)
    return cells


def _counted_cells(
    labels: list[str],
    field_codes: Sequence[str],
    units: list[int | None],
    sizes: list[int],
    totals: dict[tuple[int, str], int],
    notes: list[str],
) -> _Cells:
    """Rules 1 and 3: cells of counting units; uncounted ones at the average weight."""
    tree = agency_tree()
    cells = _Cells(labels)
    for (agency_id, code), dossiers in totals.items():
        cells.add(tree.code(agency_id), code, dossiers)
    uncounted = [i for i, unit in enumerate(units) if unit is None]
    if not uncounted:
        return cells
    responding_units = {unit for unit in units if unit is not None}
    counted_responses = sum(sizes) - sum(sizes[i] for i in uncounted)
    average = sum(
        total for (unit, _), total in totals.items() if unit in responding_units
    ) / max(counted_responses, 1)
    extra = _tally(
        [(labels[i], field_codes[i]) for i in uncounted], [sizes[i] for i in uncounted]
    )
    for (agency, code), responses in extra.items():
        cells.add(agency, code, max(round(responses * average), responses))
    notes.append(
        _(
            "No dossier counts for %(agencies)s: their responses are weighted"
            " at the average weight (%(weight)s).",
            agencies=", ".join(sorted({labels[i] for i in uncounted})),
            weight=format_decimal(average, format="0.00"),
        )
    )
    return cells


def weigh_responses(
    agency_ids: Sequence[int],
    field_codes: Sequence[str],
    start: date,
    end: date,
    group_size: Sequence[int] | None = None,
    monthly: MonthlyDossiers | None = None,
) -> Weighting:
    """Weights and strata for responses given at `agency_ids` in `field_codes`.

    Each entry is one response, or a group of `group_size` responses. Dossier
    counts come from `monthly` when given, else are read.
    """
    tree = agency_tree()
    sizes = [1] * len(agency_ids) if group_size is None else list(group_size)
    totals = dossier_totals(start, end, monthly)
    counted_units = {agency_id for agency_id, _ in totals}
    notes: list[str] = []
    units = [tree.nearest(a, counted_units) for a in agency_ids]
    if not totals:
        cells = _unweighted_cells(
            [tree.code(a) for a in agency_ids], field_codes, sizes
        )
        notes.append(_("No dossier counts for the period: every weight is 1."))
    else:
        labels = [
            tree.code(unit if unit is not None else agency_ids[i])
            for i, unit in enumerate(units)
        ]
        cells = _counted_cells(labels, field_codes, units, sizes, totals, notes)
    present_agencies = set(cells.labels)
    keep = [i for i, agency in enumerate(cells.agencies) if agency in present_agencies]
    result = poststratify(
        np.array(cells.labels, dtype=object),
        np.array(list(field_codes), dtype=object),
        np.array([cells.agencies[i] for i in keep], dtype=object),
        np.array([cells.field_codes[i] for i in keep], dtype=object),
        np.array([cells.dossiers[i] for i in keep], dtype=np.int64),
        response_count=np.array(sizes, dtype=np.int64),
    )
    notes.extend(_pooling_notes(result.collapsed))
    strata = [str(label) for label in result.stratum_labels()]
    strata = _merge_lonely_strata(strata, sizes, notes)
    return Weighting(
        weights=result.weights,
        strata=strata,
        counted=bool(totals),
        unit_of_response=units,
        group_size=np.array(sizes, dtype=np.int64),
        dossiers_by_unit=_dossiers_by_unit(totals),
        notes=notes,
    )


def _pooling_notes(collapsed: Sequence[Collapse]) -> list[str]:
    """Rule 4, as the dashboard and the method sheet say it.

    Translated once, then filled in: a national month pools thousands of cells,
    and a translation lookup per note took seconds.
    """
    if not collapsed:
        return []
    template = _(
        "Cell %(cell)s (%(responses)s responses, %(dossiers)s dossiers) is"
        " pooled into %(into)s: %(reason)s."
    )
    reasons = {
        "no responses": _("dossiers but no responses"),
        "no dossiers": _("responses but no dossiers"),
        "few": _("fewer than 2 responses"),
    }
    return [
        template
        % {
            "cell": f"{collapse.agency}:{collapse.field}",
            "responses": collapse.responses,
            "dossiers": collapse.dossiers,
            "into": collapse.into,
            "reason": reasons[_pooling_reason(collapse.responses, collapse.dossiers)],
        }
        for collapse in collapsed
    ]


def _pooling_reason(responses: int, dossiers: int) -> str:
    if responses == 0:
        return "no responses"
    if dossiers == 0:
        return "no dossiers"
    return "few"


def _dossiers_by_unit(totals: dict[tuple[int, str], int]) -> dict[int, int]:
    by_unit: dict[int, int] = {}
    for (agency_id, _field), dossiers in totals.items():
        by_unit[agency_id] = by_unit.get(agency_id, 0) + dossiers
    return by_unit


def _merge_lonely_strata(
    strata: list[str], group_size: list[int], notes: list[str]
) -> list[str]:
    """Give single-response strata a shared stratum, so every stratum has a variance."""
    sizes: Tally[str] = Tally()
    for label, size in zip(strata, group_size, strict=True):
        sizes[label] += size
    lonely = {label for label, size in sizes.items() if size < 2}
    if not lonely or sum(group_size) < 2:
        return strata
    target = SMALL_UNITS_STRATUM
    if len(lonely) < 2:
        target = max((s for s in sizes if s not in lonely), key=lambda s: (sizes[s], s))
    notes.append(
        _(
            "Single-response strata %(strata)s share the stratum %(target)s.",
            strata=", ".join(sorted(lonely)),
            target=target,
        )
    )
    return [target if label in lonely else label for label in strata]
