#!/usr/bin/env python3
"""Add NCHS-style Korn-Graubard intervals to an oracle output, in place.

A copy of shared/reference/add_nchs.py that skips rows without an estimate
(criteria nobody in the domain answered), which the original cannot read.

For criterion rows, from R's estimate p, standard error se, respondents n and
design df: n_eff = p(1-p)/se^2, n* = n_eff * (t_{n-1}/t_df)^2 capped at n;
n* = n where p is 0 or 1; Clopper-Pearson on x = n* p out of n* (95 %).
R's own 'beta' and 'logit' intervals are undefined where p is 0 or 1 (se = 0):
blank them there.
"""

import csv
import math
import sys

from scipy import stats


def kg(
    p: float, se: float, n: int, df: int, level: float = 0.95
) -> tuple[float, float]:
    a = 1 - level
    if p <= 0 or p >= 1 or se == 0:
        ns = float(n)
    else:
        ns = (
            p
            * (1 - p)
            / se**2
            * (stats.t.ppf(a / 2, n - 1) / stats.t.ppf(a / 2, df)) ** 2
        )
        ns = min(ns, float(n))
    x = ns * p
    lo = 0.0 if x <= 0 else stats.beta.ppf(a / 2, x, ns - x + 1)
    hi = 1.0 if x >= ns else stats.beta.ppf(1 - a / 2, x + 1, ns - x)
    return float(lo), float(hi)


def main() -> None:
    path = sys.argv[1]
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["kg_low"] = r["kg_high"] = ""
        if r["level"] != "criterion":
            continue
        if r["estimate"] == "":
            continue
        p, se, n, df = float(r["estimate"]), float(r["se"]), int(r["n"]), int(r["df"])
        lo, hi = kg(p, se, n, df)
        r["kg_low"], r["kg_high"] = repr(lo), repr(hi)
        if se == 0 or p in (0.0, 1.0) or math.isnan(se):
            for k in ("beta_low", "beta_high", "logit_low", "logit_high"):
                r[k] = ""
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} rows updated: {path}")


if __name__ == "__main__":
    main()
