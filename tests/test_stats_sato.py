"""Mantel-Haenszel risk difference with Sato's variance (CONTRACT.md section 3.1)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from asklab.stats import Z95, mantel_haenszel_diff, mantel_haenszel_diff_interval

# Beitler P. J. and Landis J. R. (1985) Biometrics 41:991-1000, topical cream
# against control in eight centres, as tabulated by Agresti A. (2013)
# Categorical Data Analysis, 3rd ed., p. 226: successes / patients per centre.
CREAM_SUCCESS = [11, 16, 14, 2, 6, 1, 1, 4]
CREAM_TOTAL = [36, 20, 19, 16, 17, 11, 5, 6]
CONTROL_SUCCESS = [10, 22, 7, 1, 0, 0, 1, 6]
CONTROL_TOTAL = [37, 32, 19, 17, 12, 10, 9, 7]


def test_agresti_eight_centre_trial_matches_the_published_values() -> None:
    # The published check: mh = 0.130, SE = 0.050, 95% interval 0.031 to 0.228.
    assert sum(CREAM_TOTAL) + sum(CONTROL_TOTAL) == 273
    assert (sum(CREAM_SUCCESS), sum(CONTROL_SUCCESS)) == (55, 47)
    mh, lo, hi = mantel_haenszel_diff_interval(
        CREAM_SUCCESS, CREAM_TOTAL, CONTROL_SUCCESS, CONTROL_TOTAL
    )
    assert mh is not None and lo is not None and hi is not None
    assert round(mh, 3) == 0.130
    assert round((hi - mh) / Z95, 3) == 0.050
    assert (round(lo, 3), round(hi, 3)) == (0.031, 0.228)
    assert mh - lo == pytest.approx(hi - mh)


def test_point_estimate_is_the_existing_mantel_haenszel_diff() -> None:
    mh, _, _ = mantel_haenszel_diff_interval(
        CREAM_SUCCESS, CREAM_TOTAL, CONTROL_SUCCESS, CONTROL_TOTAL
    )
    assert mh == pytest.approx(
        mantel_haenszel_diff(CREAM_SUCCESS, CREAM_TOTAL, CONTROL_SUCCESS, CONTROL_TOTAL),
        abs=1e-15,
    )


@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)),
        min_size=1,
        max_size=12,
    )
)
def test_point_estimate_equals_mantel_haenszel_diff_on_random_strata(strata) -> None:
    # (x1, extra1, x2, extra2): n = x + extra keeps x <= n.
    x1 = [s[0] for s in strata]
    n1 = [s[0] + s[1] for s in strata]
    x2 = [s[2] for s in strata]
    n2 = [s[2] + s[3] for s in strata]
    mh, lo, hi = mantel_haenszel_diff_interval(x1, n1, x2, n2)
    expected = mantel_haenszel_diff(x1, n1, x2, n2)
    if expected is None:
        assert (mh, lo, hi) == (None, None, None)
    else:
        assert mh == pytest.approx(expected, abs=1e-12)
        assert lo <= mh <= hi


def test_sparse_strata_worked_by_hand() -> None:
    # Stratum 1: 1/1 against 0/1. N = 2, W = 1/2, numerator (1*1 - 0*1)/2 = 1/2,
    #   P = (1*0 - 1*1 + 1*1*0/2)/4 = -1/4, Q = (1*(1-0) + 0*(1-1))/(2*2) = 1/4.
    # Stratum 2: 0/1 against 0/1. W = 1/2, numerator 0, P = 0, Q = 0.
    # Stratum 3: 2/3 against nothing: left out (n0 = 0).
    # mh = (1/2) / 1 = 1/2; V = (1/2 * -1/4 + 1/4) / 1^2 = 1/8.
    mh, lo, hi = mantel_haenszel_diff_interval([1, 0, 2], [1, 1, 3], [0, 0, 0], [1, 1, 0])
    assert mh == pytest.approx(0.5)
    assert lo == pytest.approx(0.5 - Z95 * math.sqrt(1 / 8))
    assert hi == pytest.approx(0.5 + Z95 * math.sqrt(1 / 8))


def test_variance_is_floored_at_zero() -> None:
    # Every treated succeeds and no control does: P = -1/4, Q = 1/4 per stratum,
    # so V = (1 * -1/2 + 1/2) / 1 = 0 (up to rounding, floored at 0).
    mh, lo, hi = mantel_haenszel_diff_interval([1, 1], [1, 1], [0, 0], [1, 1])
    assert mh == pytest.approx(1.0)
    assert lo == pytest.approx(1.0) and hi == pytest.approx(1.0)
    assert lo <= mh <= hi


def test_none_without_a_stratum_that_has_both_sides() -> None:
    assert mantel_haenszel_diff_interval([1, 0], [3, 0], [0, 2], [0, 5]) == (None, None, None)
    assert mantel_haenszel_diff_interval([], [], [], []) == (None, None, None)


def test_rejects_bad_counts_and_shapes() -> None:
    with pytest.raises(ValueError):
        mantel_haenszel_diff_interval([4], [3], [1], [3])
    with pytest.raises(ValueError):
        mantel_haenszel_diff_interval([1, 2], [3, 4], [1], [3])


def _wald(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float, float]:
    p1, p2 = x1 / n1, x2 / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return p1 - p2, p1 - p2 - Z95 * se, p1 - p2 + Z95 * se


def test_one_stratum_gives_the_unstratified_wald_interval() -> None:
    # Sato's variance reduces to p1 q1 / n1 + p0 q0 / n0 for a single table.
    got = mantel_haenszel_diff_interval([30], [100], [20], [90])
    assert got == pytest.approx(_wald(30, 100, 20, 90))


def test_alike_strata_shrink_to_the_pooled_interval() -> None:
    # Five identical strata pool to one table of five times the size: same estimate,
    # and the interval is the pooled table's (not five times too wide or narrow).
    got = mantel_haenszel_diff_interval([30] * 5, [100] * 5, [20] * 5, [90] * 5)
    assert got == pytest.approx(_wald(150, 500, 100, 450))
    # Nearly alike strata stay close to the pooled table's interval.
    rng = np.random.default_rng(7)
    n1 = rng.integers(180, 220, size=10)
    n2 = rng.integers(180, 220, size=10)
    x1 = rng.binomial(n1, 0.4)
    x2 = rng.binomial(n2, 0.3)
    mh, lo, hi = mantel_haenszel_diff_interval(x1, n1, x2, n2)
    pooled = _wald(int(x1.sum()), int(n1.sum()), int(x2.sum()), int(n2.sum()))
    assert mh == pytest.approx(pooled[0], abs=0.01)
    assert hi - lo == pytest.approx(pooled[2] - pooled[1], rel=0.05)
