"""Bundled data: questionnaire versions, service fields, factor correspondence.

:func:`factor_correspondence` reads ``factor_correspondence.json``, which pairs
the factors of the questionnaire versions one to one so that a domain whose
responses used several versions gets pooled factor and index estimates
(:mod:`surveyapp.scoring.pooled`). It is validated against the questionnaire
files on every read, so a new version or a renamed factor cannot be pooled
silently into the wrong place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

CORRESPONDENCE_FILE = "factor_correspondence.json"


def read_data(name: str) -> Any:
    """The parsed JSON file ``name`` of this package."""
    text = resources.files(__name__).joinpath(name).read_text("utf-8")
    return json.loads(text)


def questionnaire_factor_codes(version: str) -> tuple[str, ...]:
    """The factor codes of questionnaire ``version``, in questionnaire order."""
    spec = read_data(f"{version}.json")
    return tuple(str(factor["code"]) for factor in spec["factors"])


@dataclass(frozen=True)
class PooledFactor:
    """One pooled factor: its code and names, and its factor in each version."""

    code: str
    name_vi: str
    name_en: str
    members: Mapping[str, str]


@dataclass(frozen=True)
class FactorCorrespondence:
    """Factors of several questionnaire versions paired one to one.

    ``versions``: the version codes; ``factors``: the pooled factors in output
    order; ``version_factors``: each version's factor codes in questionnaire
    order (their position p is the factor ``F<p>`` of the scoring library).
    """

    versions: tuple[str, ...]
    pooled_version: str
    factors: tuple[PooledFactor, ...]
    version_factors: Mapping[str, tuple[str, ...]]

    @property
    def codes(self) -> tuple[str, ...]:
        """The pooled factor codes, in output order."""
        return tuple(factor.code for factor in self.factors)

    def members(self, version: str) -> tuple[str, ...]:
        """``version``'s factor code of each pooled factor, in output order."""
        return tuple(factor.members[version] for factor in self.factors)

    def positions(self, version: str) -> tuple[int, ...]:
        """1-based questionnaire position of ``version``'s factor of each pooled
        factor: the scoring library names that factor ``F<position>``."""
        order = self.version_factors[version]
        return tuple(order.index(code) + 1 for code in self.members(version))


def check_factor_correspondence(
    factors: Sequence[PooledFactor], version_factors: Mapping[str, Sequence[str]]
) -> None:
    """Raise ``ValueError`` unless each version's factors appear exactly once.

    ``version_factors`` maps each version to its factor codes. Pooled codes
    must be distinct too.
    """
    codes = [factor.code for factor in factors]
    if len(set(codes)) != len(codes):
        raise ValueError(f"pooled factor codes repeat: {codes}")
    for version, expected in version_factors.items():
        listed = [factor.members.get(version) for factor in factors]
        if None in listed:
            missing = codes[listed.index(None)]
            raise ValueError(f"pooled factor {missing} has no factor of {version}")
        # The same multiset as the questionnaire's (distinct) codes: each once.
        if sorted(map(str, listed)) != sorted(expected):
            raise ValueError(
                f"the factors of {version} must each appear exactly once: "
                f"listed {listed}, questionnaire has {list(expected)}"
            )
    for factor in factors:
        unknown = set(factor.members) - set(version_factors)
        if unknown:
            raise ValueError(
                f"pooled factor {factor.code} names unknown versions {sorted(unknown)}"
            )


def factor_correspondence(name: str = CORRESPONDENCE_FILE) -> FactorCorrespondence:
    """Read and validate the bundled factor correspondence.

    Raises ``ValueError`` if a version's factor is missing, repeated or not in
    its questionnaire file.
    """
    spec = read_data(name)
    versions = tuple(str(version) for version in spec["versions"])
    factors = tuple(
        PooledFactor(
            code=str(item["code"]),
            name_vi=str(item["name_vi"]),
            name_en=str(item["name_en"]),
            members={str(k): str(v) for k, v in item["members"].items()},
        )
        for item in spec["factors"]
    )
    version_factors = {v: questionnaire_factor_codes(v) for v in versions}
    check_factor_correspondence(factors, version_factors)
    pooled_version = str(spec["pooled_version"])
    if pooled_version not in versions:
        raise ValueError(f"pooled_version {pooled_version} is not among the versions")
    return FactorCorrespondence(versions, pooled_version, factors, version_factors)
