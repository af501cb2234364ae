"""Make the extra reference inputs (extra_*.csv) in this folder.

Usage: python make_extra_cases.py, then for each NAME
``Rscript oracle_available.R extra_NAME.csv extra_NAME.expected.csv &&
python add_nchs_tolerant.py extra_NAME.expected.csv`` (needs R's survey package;
the tests only read the results).
"""

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def _write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _answers(rng, n, k, p_sat, p_missing=0.06):
    satisfied = rng.random((n, k)) < p_sat
    answers = np.where(
        satisfied, rng.integers(4, 6, (n, k)), rng.integers(1, 4, (n, k))
    ).astype(object)
    answers[rng.random((n, k)) < p_missing] = ""
    return answers


def nested() -> None:
    """Strata nested in agencies; tiny agencies, p = 1, an unanswered criterion,
    a criterion with df = 0; rows shuffled."""
    rng = np.random.default_rng(11)
    criteria = ["F1.1", "F1.2", "F1.3", "F2.1", "F2.2", "F3.1", "F3.2", "F3.3", "F3.4"]
    fields = ["dat-dai", "tu-phap", "ho-tich"]
    sizes = {
        "XA01": 2,
        "XA02": 4,
        "XA03": 6,
        "XB01": 45,
        "XB02": 70,
        "XB03": 90,
        "XC01": 60,
        "XC02": 25,
    }
    rows = []
    rid = 0
    for agency, size in sizes.items():
        n_fields = 1 if size <= 2 else (2 if size < 10 else 3)
        field = np.repeat(np.arange(n_fields), size // n_fields + 1)[:size]
        answers = _answers(rng, size, len(criteria), rng.uniform(0.55, 0.95))
        if agency == "XC01":
            answers[:, :] = 5
        if agency == "XB02":
            answers[:, 8] = ""
        if agency == "XA02":
            answers[:, 3] = [5, 1, "", ""]
            field = np.array([0, 1, 0, 1])
        for i in range(size):
            rid += 1
            dossiers = {0: 300, 1: 120, 2: 45}[int(field[i])] * (1 + (agency > "XB"))
            cell_n = int((field == field[i]).sum())
            rows.append(
                [
                    f"N{rid:05d}",
                    agency,
                    f"{agency}:{fields[field[i]]}",
                    f"{dossiers / cell_n:.6f}",
                    *answers[i],
                ]
            )
    order = rng.permutation(len(rows))
    _write(
        "extra_nested.csv",
        ["response_id", "agency", "stratum", "weight", *criteria],
        [rows[i] for i in order],
    )


def crossed() -> None:
    """Strata shared by agencies, varying weights, a factor F10 after F2, a
    factor unanswered in one agency, a one-response agency."""
    rng = np.random.default_rng(12)
    criteria = ["F1.1", "F1.2", "F2.1", "F2.2", "F2.3", "F2.10", "F10.1", "F10.2"]
    fields = ["kinh-doanh", "ho-tich", "dat-dai", "lao-dong"]
    sizes = {"Q01": 3, "Q02": 8, "Q03": 30, "Q04": 55, "Q05": 70, "Q06": 40, "Q07": 1}
    rows = []
    rid = 0
    for agency, size in sizes.items():
        answers = _answers(rng, size, len(criteria), rng.uniform(0.5, 0.9), 0.1)
        if agency == "Q06":
            answers[:, 6:8] = ""
        if agency == "Q02":
            answers[:, 0] = 4
        for i in range(size):
            rid += 1
            field = fields[rng.integers(0, 4)]
            rows.append(
                [f"C{rid:05d}", agency, field, f"{rng.uniform(5, 60):.4f}", *answers[i]]
            )
    _write(
        "extra_crossed.csv",
        ["response_id", "agency", "stratum", "weight", *criteria],
        rows,
    )


def clustered() -> None:
    """Clusters (service point x day, numbered within strata) and an fpc."""
    rng = np.random.default_rng(13)
    criteria = ["F1.1", "F1.2", "F2.1", "F2.2", "F2.3", "F3.1"]
    rows = []
    rid = 0
    for agency, n_points in {"K1": 2, "K2": 3, "K3": 5, "K4": 2}.items():
        for field in ["a", "b"]:
            n_psu = n_points + (field == "b")
            population = n_psu * 4 + rng.integers(0, 5)
            for psu in range(n_psu):
                size = int(rng.integers(2, 12))
                p_sat = rng.uniform(0.4, 0.95)
                for _ in range(size):
                    rid += 1
                    answers = np.where(
                        rng.random(len(criteria)) < p_sat,
                        rng.integers(4, 6, len(criteria)),
                        rng.integers(1, 4, len(criteria)),
                    ).astype(object)
                    answers[rng.random(len(criteria)) < 0.08] = ""
                    rows.append(
                        [
                            f"P{rid:05d}",
                            agency,
                            f"{agency}:{field}",
                            f"{rng.uniform(10, 40):.4f}",
                            f"day{psu + 1}",
                            str(population),
                            *answers,
                        ]
                    )
    _write(
        "extra_clustered.csv",
        ["response_id", "agency", "stratum", "weight", "psu", "fpc", *criteria],
        rows,
    )


if __name__ == "__main__":
    nested()
    crossed()
    clustered()
