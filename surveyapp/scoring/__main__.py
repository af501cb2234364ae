"""Command line: ``python -m surveyapp.scoring INPUT.csv [options]``.

Reads a survey CSV (format in :mod:`surveyapp.scoring.io`), estimates every
criterion, factor and the SIPAS index for each agency and for ``ALL``, and
writes the results as CSV to standard output (or ``-o OUT.csv``). Invalid input
gets a one-line ``error:`` message on standard error and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, cast

from surveyapp.scoring.domains import DomainSpec
from surveyapp.scoring.estimates import estimate
from surveyapp.scoring.intervals import (
    COMPOSITE_METHODS,
    INTERVAL_METHODS,
    CompositeMethod,
    IntervalMethod,
)
from surveyapp.scoring.io import SurveyInputError, read_survey_csv, write_results_csv

EXIT_BAD_INPUT = 2


def _level(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 1")
    return value


class _OneLineParser(argparse.ArgumentParser):
    """argparse prints the whole usage on errors; keep errors to one line."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {message} (see --help)", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    parser = _OneLineParser(
        prog="python -m surveyapp.scoring",
        description=(
            "SIPAS-style satisfaction estimates with design-based standard errors "
            "and confidence intervals, per agency and for ALL."
        ),
    )
    parser.add_argument("input", metavar="INPUT.csv", help="survey responses (CSV)")
    parser.add_argument(
        "--ci",
        choices=INTERVAL_METHODS,
        default="kg",
        help="interval for criterion shares (default: kg, NCHS Korn-Graubard)",
    )
    parser.add_argument(
        "--composite-ci",
        choices=COMPOSITE_METHODS,
        default="logit",
        help=(
            "interval for factor and index rows (default: logit, the logit-scale "
            "t interval with df capped by the effective events)"
        ),
    )
    parser.add_argument(
        "--level", type=_level, default=0.95, help="confidence level (default 0.95)"
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT.csv", help="write here instead of stdout"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    arguments = build_parser().parse_args(argv)
    try:
        survey = read_survey_csv(arguments.input)
        results = estimate(
            survey.data,
            DomainSpec.from_labels(survey.agencies),
            method=cast(IntervalMethod, arguments.ci),
            level=arguments.level,
            composite_method=cast(CompositeMethod, arguments.composite_ci),
        )
    except SurveyInputError as error:
        print(f"error: {arguments.input}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as error:  # the estimators' own validation
        print(f"error: {arguments.input}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if arguments.output is None:
        try:
            write_results_csv(results, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader went away (``| head``): not an error; silence the
            # interpreter's own flush of stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    else:
        try:
            write_results_csv(results, arguments.output)
        except OSError as error:
            print(f"error: {arguments.output}: {error.strerror}", file=sys.stderr)
            return EXIT_BAD_INPUT
    return 0


if __name__ == "__main__":
    sys.exit(main())
