"""Make pooled_case.csv: a synthetic survey that mixes questionnaire versions.

Usage: python make_pooled_case.py, then ``Rscript pooled_oracle.R pooled_case.csv
pooled_case.expected.csv`` (needs R's survey package; the tests only read the
results). Reproducible: a fixed seed and the bundled questionnaires.

Three provinces of communes (leaves); strata are the weighting cells
(province x service field), weights the cell's dossiers over its responses.
Each response used one version: its own criteria hold 1..5 or blank (not
answered), the other version's are blank.

- P1 mixes versions across communes: X01 (sipas-2017), X02 and X03
  (sipas-2023). Nobody in X01 answered factor V, so P1's pooled factor E
  comes from sipas-2023 alone; nobody in X03 answered B2.
- P2 is sipas-2017 only (X04, X05); every answer of X05 to factor II is 5.
- P3 mixes versions inside a commune (X07) and across communes (X06, X08);
  nobody in X08 answered factor E, so X08 has no pooled factor E.
"""

import csv
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
QUESTIONNAIRES = HERE.parents[2] / "surveyapp" / "data"
VERSIONS = ("sipas-2017", "sipas-2023")
FIELDS = ("dat-dai", "ho-tich", "chung-thuc")
# (province, commune): responses per version
COMMUNES = {
    ("P1", "X01"): {"sipas-2017": 50},
    ("P1", "X02"): {"sipas-2023": 45},
    ("P1", "X03"): {"sipas-2023": 30},
    ("P2", "X04"): {"sipas-2017": 40},
    ("P2", "X05"): {"sipas-2017": 35},
    ("P3", "X06"): {"sipas-2023": 60},
    ("P3", "X07"): {"sipas-2017": 25, "sipas-2023": 30},
    ("P3", "X08"): {"sipas-2023": 12},
}
DOSSIERS = {"dat-dai": 900, "ho-tich": 400, "chung-thuc": 250}


def criteria(version: str) -> dict[str, list[str]]:
    """Factor code -> its criterion codes, in questionnaire order."""
    spec = json.loads((QUESTIONNAIRES / f"{version}.json").read_text("utf-8"))
    return {
        factor["code"]: [item["code"] for item in factor["criteria"]]
        for factor in spec["factors"]
    }


def answers(rng, n: int, codes: list[str], p_sat: float) -> np.ndarray:
    satisfied = rng.random((n, len(codes))) < p_sat
    values = np.where(
        satisfied,
        rng.integers(4, 6, (n, len(codes))),
        rng.integers(1, 4, satisfied.shape),
    ).astype(object)
    values[rng.random(values.shape) < 0.08] = ""
    return values


def main() -> None:
    rng = np.random.default_rng(2017_2023)
    factors = {version: criteria(version) for version in VERSIONS}
    columns = [c for v in VERSIONS for codes in factors[v].values() for c in codes]
    rows = []
    for (province, commune), sizes in COMMUNES.items():
        for version, size in sizes.items():
            codes = [c for cs in factors[version].values() for c in cs]
            block = answers(rng, size, codes, rng.uniform(0.6, 0.92))
            index = {code: j for j, code in enumerate(codes)}
            for code in codes:
                column = block[:, index[code]]
                if (commune, code[:-1]) in {("X01", "V"), ("X08", "E")}:
                    column[:] = ""
                if (commune, code) == ("X03", "B2"):
                    column[:] = ""
                if commune == "X05" and code.startswith("II"):
                    column[:] = 5
            field = rng.choice(len(FIELDS), size, p=[0.5, 0.3, 0.2])
            for i in range(size):
                values = dict.fromkeys(columns, "")
                values.update(zip(codes, block[i], strict=True))
                rows.append(
                    {
                        "province": province,
                        "commune": commune,
                        "version": version,
                        "stratum": f"{province}:{FIELDS[field[i]]}",
                        **values,
                    }
                )
    responses: dict[str, int] = {}
    for row in rows:
        responses[row["stratum"]] = responses.get(row["stratum"], 0) + 1
    assert min(responses.values()) >= 2, responses
    order = rng.permutation(len(rows))
    header = ["response_id", "province", "commune", "version", "stratum", "weight"]
    with open(HERE / "pooled_case.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header + columns)
        for number, i in enumerate(order, start=1):
            row = rows[i]
            field = row["stratum"].split(":")[1]
            weight = DOSSIERS[field] * (1 + (row["province"] == "P2"))
            weight /= responses[row["stratum"]]
            writer.writerow(
                [f"R{number:04d}", *(row[k] for k in header[1:5]), f"{weight:.6f}"]
                + [row[c] for c in columns]
            )


if __name__ == "__main__":
    main()
