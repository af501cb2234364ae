"""Scoring: SIPAS-style satisfaction estimates with design-based uncertainty.

Pure numpy/scipy; importing it never imports Flask or SQLAlchemy. One module
per idea:

- :mod:`~surveyapp.scoring.data`: :class:`SurveyData`, the validated arrays;
- :mod:`~surveyapp.scoring.domains`: :class:`DomainSpec`, who is in which
  domain (agencies, agency-tree roll-ups, ``ALL``);
- :mod:`~surveyapp.scoring.variance`: Taylor linearisation for stratified
  (optionally clustered, optionally finite-population) designs;
- :mod:`~surveyapp.scoring.totals`: :class:`CellTotals`, exact integer sums
  per (leaf, stratum, weight) cell, the sufficient statistics of everything
  below (summed by :mod:`~surveyapp.scoring.tally`);
- :mod:`~surveyapp.scoring.within`: the within-cell part of variances from
  cell totals;
- :mod:`~surveyapp.scoring.estimates`: :func:`estimate` (from responses) and
  :func:`estimate_totals` (from cell totals): shares, factor indices, the SIPAS
  index and their standard errors;
- :mod:`~surveyapp.scoring.rows`: the result rows, one rule for both;
- :mod:`~surveyapp.scoring.composites`: how factor indices and the index
  average the criteria, including those without answers in a domain;
- :mod:`~surveyapp.scoring.intervals`: Korn-Graubard, R's beta and logit,
  Wilson intervals for shares; the logit-scale composite interval for factors
  and the index;
- :mod:`~surveyapp.scoring.flags`: NCHS 2017 reliability flags, carried over
  to composites;
- :mod:`~surveyapp.scoring.pooled`: :func:`estimate_pooled_totals`, factor and
  index estimates over domains whose responses used several questionnaire
  versions (arithmetic in :mod:`~surveyapp.scoring.pooling`);
- :mod:`~surveyapp.scoring.weights`: :func:`poststratify` to dossier counts;
- :mod:`~surveyapp.scoring.ranking`: :func:`rank_intervals`, joint rank
  intervals;
- :mod:`~surveyapp.scoring.io`: CSV in and out; ``python -m surveyapp.scoring``.
"""

from surveyapp.scoring.data import SurveyData
from surveyapp.scoring.domains import WHOLE_SAMPLE, DomainSpec
from surveyapp.scoring.estimates import estimate, estimate_totals
from surveyapp.scoring.intervals import (
    COMPOSITE_METHODS,
    INTERVAL_METHODS,
    CompositeMethod,
    IntervalMethod,
)
from surveyapp.scoring.io import (
    SurveyFile,
    SurveyInputError,
    read_survey_csv,
    write_results_csv,
)
from surveyapp.scoring.pooled import (
    Correspondence,
    VersionResponses,
    estimate_pooled,
    estimate_pooled_totals,
    pooled_leaf_domains,
    pooled_leaf_labels,
)
from surveyapp.scoring.ranking import RankIntervals, rank_domains, rank_intervals
from surveyapp.scoring.results import ResultRow, Results
from surveyapp.scoring.totals import CellTotals
from surveyapp.scoring.weights import Poststratification, poststratify

__all__ = [
    "CellTotals",
    "COMPOSITE_METHODS",
    "INTERVAL_METHODS",
    "CompositeMethod",
    "Correspondence",
    "WHOLE_SAMPLE",
    "DomainSpec",
    "IntervalMethod",
    "Poststratification",
    "RankIntervals",
    "ResultRow",
    "Results",
    "SurveyData",
    "SurveyFile",
    "SurveyInputError",
    "VersionResponses",
    "estimate",
    "estimate_pooled",
    "estimate_pooled_totals",
    "estimate_totals",
    "pooled_leaf_domains",
    "pooled_leaf_labels",
    "poststratify",
    "rank_domains",
    "rank_intervals",
    "read_survey_csv",
    "write_results_csv",
]
