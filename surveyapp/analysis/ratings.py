"""What makes a response "low-rated", for every page and message that counts them.

A response is low-rated when its lowest answer is at most :data:`LOW_RATING`
(one criterion rated "dissatisfied" or worse is worth reading about).
"""

from __future__ import annotations

from sqlalchemy import ScalarSelect, func, select

from surveyapp.models import Answer, Response

LOW_RATING = 2


def lowest_rating() -> ScalarSelect[int | None]:
    """The lowest answer of the response in the enclosing query.

    Correlated, so the database reads the answers of the responses it returns
    (or filters), not a grouped pass over every answer ever given.
    """
    return (
        select(func.min(Answer.value))
        .where(Answer.response_id == Response.id)
        .correlate(Response)
        .scalar_subquery()
    )


def mean_rating() -> ScalarSelect[float | None]:
    """The mean answer (1..5, "no opinion" left out) of the response in the
    enclosing query; correlated like :func:`lowest_rating`."""
    return (
        select(func.avg(Answer.value))
        .where(Answer.response_id == Response.id)
        .correlate(Response)
        .scalar_subquery()
    )
