"""The outcomes' Kaplan-Meier curves (all groups at once) against stats.kaplan_meier.

``time_to_first_lead`` computes every (scope, member, strategy) curve in one
vectorised pass; each must be the curve ``asklab.stats.kaplan_meier`` gives
for that group's calls alone, band included. Both paths take the band from
``stats.log_log_band``, so the band is also rebuilt here from its formula,
written out, so that a wrong term in the shared helper fails too.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import polars as pl
from polars.testing import assert_frame_equal

from asklab import stats
from asklab.outcomes import time_to_first_lead
from tests.test_outcomes import make_outcomes

D = dt.date
WINDOW = 60
AS_OF = D(2026, 6, 1)
KEYS = ["scope", "member", "strategy"]


def _calls(seed: int) -> list[dict]:
    """Calls with ties, day-0 leads, censoring on event days and young calls."""
    rng = random.Random(seed)
    rows = []
    for i in range(120):
        age = rng.choice([5, 12, 30, 45, 60, 61, 90, 200])  # days before AS_OF
        lead = rng.choice([None, None, 0, 3, 5, 12, 30, 60])
        rows.append(
            {
                "call_id": f"c{i:03d}",
                "member": rng.choice(["alice", "bob", "carol"]),
                "strategy": rng.choice(["job", "reference", "mixed"]),
                "call_date": AS_OF - dt.timedelta(days=age),
                # A lead is only ever seen within the call's age.
                "days_to_first_lead": lead if lead is not None and lead <= age else None,
            }
        )
    # Dora's job calls all led somewhere (the curve reaches 0, the band ends);
    # her reference calls never did (the curve stays at 1, no band at all).
    for i, lead in enumerate([0, 2, 2, 7]):
        rows.append(
            {"call_id": f"d{i}", "member": "dora", "strategy": "job",
             "call_date": D(2026, 1, 1), "days_to_first_lead": lead}
        )  # fmt: skip
    for i in range(3):
        rows.append(
            {"call_id": f"r{i}", "member": "dora", "strategy": "reference",
             "call_date": AS_OF - dt.timedelta(days=10 * i + 5), "days_to_first_lead": None}
        )  # fmt: skip
    return rows


def _expected_curves(rows: list[dict]) -> pl.DataFrame:
    """stats.kaplan_meier per (scope, member, strategy), times worked out here."""
    groups: dict[tuple, list[tuple[int, bool]]] = {}
    for row in rows:
        lead = row["days_to_first_lead"]
        observed = lead is not None and lead <= WINDOW
        time = lead if observed else min((AS_OF - row["call_date"]).days, WINDOW)
        for key in (("group", None, row["strategy"]), ("member", row["member"], row["strategy"])):
            groups.setdefault(key, []).append((time, observed))
    curves = []
    for (scope, member, strategy), subjects in groups.items():
        times, observed = zip(*subjects, strict=True)
        curve = stats.kaplan_meier(list(times), list(observed))
        curves.append(
            curve.select(
                pl.lit(scope).alias("scope"),
                pl.lit(member, dtype=pl.String).alias("member"),
                pl.lit(strategy).alias("strategy"),
                *curve.columns,
            )
        )
    return pl.concat(curves)


def _band_by_formula(curve: pl.DataFrame) -> list[tuple[float | None, float | None]]:
    """Per row, S^exp(+z sigma) and S^exp(-z sigma) with sigma = sqrt(sum d/(n(n-d))) / |ln S|."""
    limits, greenwood, key = [], 0.0, None
    for row in curve.iter_rows(named=True):
        if (row["scope"], row["member"], row["strategy"]) != key:
            key, greenwood = (row["scope"], row["member"], row["strategy"]), 0.0
        n, d, s = row["at_risk"], row["events"], row["survival"]
        greenwood = greenwood + d / (n * (n - d)) if n > d else math.inf
        if 0.0 < s < 1.0:
            sigma = math.sqrt(greenwood) / abs(math.log(s))
            limits.append((s ** math.exp(stats.Z95 * sigma), s ** math.exp(-stats.Z95 * sigma)))
        else:
            limits.append((None, None))
    return limits


def test_time_to_first_lead_is_stats_kaplan_meier_per_group_band_included() -> None:
    rows = _calls(seed=5)
    order = [*KEYS, "day", "survival", "events", "censored"]
    descending = [False, False, False, False, True, False, False]
    curves = time_to_first_lead(make_outcomes(rows), as_of=AS_OF, window=WINDOW)
    expected = _expected_curves(rows).sort(order, descending=descending, nulls_last=False)
    assert_frame_equal(curves, expected, check_exact=False, rel_tol=1e-12, abs_tol=1e-15)

    # The band itself, from its formula (the check above cannot see an error
    # in stats.log_log_band, which both paths use).
    band = _band_by_formula(curves)
    lo, hi = curves["survival_lo"].to_list(), curves["survival_hi"].to_list()
    for (want_lo, want_hi), got_lo, got_hi in zip(band, lo, hi, strict=True):
        if want_lo is None:
            assert (got_lo, got_hi) == (None, None)
        else:
            assert math.isclose(got_lo, want_lo, rel_tol=1e-12)
            assert math.isclose(got_hi, want_hi, rel_tol=1e-12)

    # The data reach every case: a band, a curve at 0 and one that stays at 1.
    assert curves["survival_lo"].drop_nulls().len() > 10
    dora = curves.filter(scope="member", member="dora")
    assert dora.filter(strategy="job")["survival"].min() == 0.0
    assert dora.filter(strategy="reference")["survival"].to_list() == [1.0] * 4
