"""The method sheet of the yearly report: what was estimated, how, and its status.

Shared by the XLSX method sheet and the PDF's method page; the finalisation status
lines also head the PDF."""

from __future__ import annotations

from flask_babel import gettext as _

from surveyapp.reports.report import Report
from surveyapp.reports.tables import Column, Table, finalised_text
from surveyapp.web.language import percent

INTERVAL_NAMES = {"kg": "Korn–Graubard (NCHS 2017)"}


def status_lines(report: Report) -> list[tuple[str, str]]:
    """The finalisation status as (label, text) pairs."""
    info = report.finalised
    if info is None:
        return [
            (
                _("Status"),
                _("Not finalised: recomputed from the current responses."),
            )
        ]
    return [
        (_("Status"), _("Finalised %(when)s", when=finalised_text(info))),
        (_("Responses in the finalised results"), str(info.response_count)),
        (_("Responses after finalisation"), str(info.late_responses)),
        (_("Hash of the inputs (SHA-256)"), info.input_hash),
    ]


def _subject_lines(report: Report) -> list[tuple[str, str]]:
    """What the report covers: agency, year, status, questionnaire, overall index."""
    overall = report.overall
    return [
        (_("Report"), _("SIPAS-style service satisfaction — not the official SIPAS")),
        (_("Agency"), f"{report.name} ({report.agency})"),
        (_("Year"), str(report.year)),
        *status_lines(report),
        (
            _("Questionnaire"),
            " — ".join(
                p
                for p in (
                    report.questionnaire,
                    report.questionnaire_title,
                    report.legal_basis,
                )
                if p
            ),
        ),
        (_("Responses"), str(report.response_count)),
        (
            _("Overall index"),
            f"{percent(overall['estimate'])} ({percent(overall['ci_low'])} – "
            f"{percent(overall['ci_high'])})"
            if overall and overall["estimate"] is not None
            else "—",
        ),
    ]


def _estimation_lines(report: Report) -> list[tuple[str, str]]:
    """How the indices are computed and weighted."""
    weighting = report.weighting
    return [
        (
            _("Criterion index"),
            _("Share of valid answers that are 4 or 5 (weighted)."),
        ),
        (
            _("Factor and overall index"),
            _(
                "Factor index: mean of its criterion indices; overall index: mean "
                "of the factor indices."
            ),
        ),
        (
            _("Weighting"),
            _(
                "Post-stratified to the dossiers handled per agency and service "
                "field (weight = dossiers ÷ responses in the cell)."
            )
            if weighting["counted"]
            else _("No dossier counts for the year: every weight is 1."),
        ),
        (
            _("Weighting cells and strata"),
            _(
                "%(cells)s cells, %(strata)s strata after pooling small cells",
                cells=weighting["cells"],
                strata=weighting["strata"],
            ),
        ),
        *((_("Weighting note"), note) for note in weighting["notes"]),
        *(
            [(_("All questionnaire versions"), _pooling_text(report))]
            if report.pooled_versions
            else []
        ),
    ]


def _pooling_text(report: Report) -> str:
    """The pooled estimator (scoring.pooled), as the method sheet states it."""
    text: str = _(
        "Responses used several versions (%(versions)s), so factor indices are "
        "also pooled across versions: each version's factor index weighted by "
        "its share of the domain's weighted responses (all versions weighted "
        "together), among the versions that answered the factor; the overall "
        "index is the mean of the pooled factors. Criteria are not pooled. "
        "Standard errors: Taylor linearisation of this function of survey "
        "totals; intervals and reliability rules as for factors.",
        versions=", ".join(report.pooled_versions),
    )
    return text


def _precision_lines(report: Report) -> list[tuple[str, str]]:
    """How uncertain the estimates are: errors, intervals, reliability, ranks."""
    return [
        (
            _("Standard errors"),
            _("Design-based, Taylor linearisation, strata = weighting cells."),
        ),
        (
            _("Interval method"),
            _(
                "Criterion shares: %(method)s, confidence level %(level)s.",
                method=INTERVAL_NAMES.get(report.method, report.method),
                level=percent(report.level, 0),
            ),
        ),
        (_("Interval of factors and the index"), _composite_text(report)),
        (
            _("Reliability (NCHS 2017)"),
            _(
                "Suppress when fewer than 30 responses or effective sample size "
                "below 30, or the interval is 30 points wide or more; review when "
                "the relative width is large, the degrees of freedom are below 8 "
                "or a share is 0 or 1."
            ),
        ),
        (
            _("Reliability of factors and the index"),
            _(
                "Suppress when fewer than 30 responses, an effective sample size "
                "below 30, an interval 30 points wide or more, or 4 or more wide "
                "on the logit scale; review when the degrees of freedom are below "
                "8, the index is 0 or 1 or some criteria had no answers."
            ),
        ),
        (
            _("Coverage study"),
            _(
                "In simulated SIPAS-like communes and departments (15 to 300 "
                "responses, %(low)s to %(high)s satisfied), factor and index "
                "intervals contained the true value at least %(floor)s of the time "
                "and criterion intervals %(kg_low)s to %(kg_high)s. High criterion "
                "shares left unmarked by the NCHS rules cover less often: the rule "
                "that marks them picks the samples that overestimated.",
                low=percent(0.80, 0),
                high=percent(0.97, 0),
                floor=percent(0.94, 0),
                kg_low=percent(0.96, 0),
                kg_high=percent(0.99, 0),
            ),
        ),
        (
            _("Rank intervals"),
            _(
                "Joint rank intervals (Klein, Wright & Wieczorek 2020) within each "
                "tree level; suppressed units and units without data are not "
                "ranked."
            ),
        ),
    ]


def _composite_text(report: Report) -> str:
    """How the factor and index intervals of `report` were built."""
    if report.composite_method == "logit":
        return str(
            _(
                "t interval on the logit scale, mapped back to shares, with "
                "degrees of freedom at most the effective number of dissatisfied "
                "answers (Korn & Graubard 1999); Clopper–Pearson on the number of "
                "responses where the index is 0 or 1 or its standard error is 0."
            )
        )
    return str(_("Symmetric t interval on the design's degrees of freedom."))


def method_table(report: Report) -> Table:
    """The method sheet: what was estimated, how, and the finalisation status."""
    lines = [
        *_subject_lines(report),
        *_estimation_lines(report),
        *_precision_lines(report),
        (_("Application version"), report.app_version),
    ]
    return Table(
        _("Method"),
        [Column(_("Item"), width=34), Column(_("Value"), width=110)],
        [[label, text] for label, text in lines],
    )
