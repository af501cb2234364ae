"""Domains: the groups of responses that get their own estimates.

A response may belong to several domains (its agency, every ancestor of that
agency in the agency tree, and the whole sample). A :class:`DomainSpec` stores
membership as pairs (response, domain), so nothing assumes the domains
partition the sample.

Domains are estimated by zero-weighting the rest of the sample, never by
dropping rows (see :mod:`surveyapp.scoring.variance`); the spec only says who is
in which domain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from surveyapp.scoring.data import encode_labels

WHOLE_SAMPLE = "ALL"


@dataclass(frozen=True, eq=False)
class DomainSpec:
    """Membership of responses in named domains.

    - ``names``: the D domain names, in output order.
    - ``member_response``: int64 (M,), the response of each membership pair.
    - ``member_domain``: int64 (M,), the domain (index into ``names``) of each
      pair. A (response, domain) pair appears at most once.

    Build it with :meth:`from_labels`, :meth:`from_tree`, :meth:`whole_sample`
    or, for any other membership, :meth:`from_memberships` (which checks that
    no pair repeats; the others cannot repeat one by construction).
    """

    names: tuple[str, ...]
    member_response: NDArray[np.int64]
    member_domain: NDArray[np.int64]

    def __post_init__(self) -> None:
        if self.member_response.shape != self.member_domain.shape:
            raise ValueError("member_response and member_domain differ in shape")
        if len(set(self.names)) != len(self.names):
            raise ValueError("domain names must be distinct")
        if self.member_domain.size and (
            self.member_domain.min() < 0 or self.member_domain.max() >= len(self.names)
        ):
            raise ValueError("member_domain must index names")
        if self.member_response.size and self.member_response.min() < 0:
            raise ValueError("member_response must hold response indices")

    @property
    def n_domains(self) -> int:
        """Number of domains D."""
        return len(self.names)

    def check_responses(self, n_responses: int) -> None:
        """Raise ``ValueError`` unless the pairs fit ``n_responses`` responses."""
        if self.member_response.size and self.member_response.max() >= n_responses:
            raise ValueError(
                f"domain membership names response {int(self.member_response.max())}"
                f" but the survey has {n_responses} responses"
            )

    @classmethod
    def whole_sample(cls, n_responses: int, name: str = WHOLE_SAMPLE) -> DomainSpec:
        """One domain holding every response."""
        return cls(
            names=(name,),
            member_response=np.arange(n_responses, dtype=np.int64),
            member_domain=np.zeros(n_responses, dtype=np.int64),
        )

    @classmethod
    def from_labels(
        cls,
        labels: ArrayLike,
        *,
        include_all: bool = True,
        all_name: str = WHOLE_SAMPLE,
    ) -> DomainSpec:
        """One domain per distinct label (e.g. agency), plus the whole sample.

        ``labels`` (n,): each response's label. Domains are ordered by label
        (integers numerically; text by code point, which is R's
        ``sort(unique())`` in the C locale and for ASCII codes such as
        ``AG001``; R in another locale may order accented names differently),
        then ``all_name`` last when ``include_all``.
        """
        codes, label_names = encode_labels(labels)
        n = codes.size
        if include_all and all_name in label_names:
            raise ValueError(f"a label is named {all_name!r}, the whole-sample name")
        responses = np.arange(n, dtype=np.int64)
        if not include_all:
            return cls(label_names, responses, codes)
        return cls(
            names=(*label_names, all_name),
            member_response=np.concatenate([responses, responses]),
            member_domain=np.concatenate(
                [codes, np.full(n, len(label_names), dtype=np.int64)]
            ),
        )

    @classmethod
    def from_tree(
        cls,
        labels: ArrayLike,
        parent_of: Mapping[str, str | None],
        *,
        include_all: bool = True,
        all_name: str = WHOLE_SAMPLE,
    ) -> DomainSpec:
        """Domains for every node of an agency tree that has responses below it.

        ``labels`` (n,): the agency (any node) each response was given at.
        ``parent_of`` maps each agency to its parent (``None`` or absent for a
        root). A response belongs to its agency and to every ancestor. Domains
        are ordered by name, then ``all_name`` when ``include_all``.
        """
        codes, label_names = encode_labels(labels)
        chains = [_ancestors(label, parent_of) for label in label_names]
        node_names = sorted({node for chain in chains for node in chain})
        if include_all and all_name in node_names:
            raise ValueError(f"an agency is named {all_name!r}, the whole-sample name")
        node_index = {name: i for i, name in enumerate(node_names)}
        responses = np.arange(codes.size, dtype=np.int64)
        response_parts: list[NDArray[np.int64]] = []
        domain_parts: list[NDArray[np.int64]] = []
        # Loop over tree depth, not over responses: depth is small.
        depth = max(len(chain) for chain in chains)
        for level in range(depth):
            domain_of_label = np.array(
                [node_index[c[level]] if level < len(c) else -1 for c in chains],
                dtype=np.int64,
            )
            domain = domain_of_label[codes]
            keep = domain >= 0
            response_parts.append(responses[keep])
            domain_parts.append(domain[keep])
        names: tuple[str, ...] = tuple(node_names)
        if include_all:
            names = (*names, all_name)
            response_parts.append(responses)
            domain_parts.append(np.full(codes.size, len(node_names), dtype=np.int64))
        return cls(names, np.concatenate(response_parts), np.concatenate(domain_parts))

    @classmethod
    def from_memberships(
        cls, names: Sequence[str], member_response: ArrayLike, member_domain: ArrayLike
    ) -> DomainSpec:
        """Any membership given as parallel arrays of response and domain indices.

        Raises ``ValueError`` if a (response, domain) pair is listed twice.
        """
        spec = cls(
            tuple(names),
            np.asarray(member_response, dtype=np.int64),
            np.asarray(member_domain, dtype=np.int64),
        )
        span = int(spec.member_response.max()) + 1 if spec.member_response.size else 0
        keys = np.sort(spec.member_domain * np.int64(span) + spec.member_response)
        if (keys[1:] == keys[:-1]).any():
            raise ValueError("a response is listed twice in the same domain")
        return spec


def _ancestors(label: str, parent_of: Mapping[str, str | None]) -> list[str]:
    """``label`` then its parent, grandparent... up to the root."""
    chain = [label]
    seen = {label}
    parent = parent_of.get(label)
    while parent is not None:
        if parent in seen:
            raise ValueError(f"the agency tree has a cycle through {parent!r}")
        chain.append(parent)
        seen.add(parent)
        parent = parent_of.get(parent)
    return chain
