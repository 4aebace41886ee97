"""Tests for asklab.stats against published tables and hand-worked values."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import integrate
from scipy.stats import beta, norm
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from asklab import stats
from asklab.stats import (
    Z95,
    garwood_interval,
    kaplan_meier,
    mantel_haenszel_diff,
    newcombe_diff_interval,
    prob_beta_greater,
    wilson_interval,
)

# -- Z95 ------------------------------------------------------------------------


def test_z95_is_the_975_normal_quantile() -> None:
    assert Z95 == 1.959963984540054
    assert norm.cdf(Z95) == pytest.approx(0.975, abs=1e-15)


# -- Wilson ---------------------------------------------------------------------

# Newcombe R. G. (1998) "Two-sided confidence intervals for the single proportion:
# comparison of seven methods", Stat Med 17:857-872, Table I, method 3 (score).
NEWCOMBE_1998A_WILSON = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("x", "n", "lo", "hi"), NEWCOMBE_1998A_WILSON)
def test_wilson_matches_newcombe_1998a(x: int, n: int, lo: float, hi: float) -> None:
    got_lo, got_hi = wilson_interval(x, n)
    assert isinstance(got_lo, float) and isinstance(got_hi, float)
    assert got_lo == pytest.approx(lo, abs=5e-5)
    assert got_hi == pytest.approx(hi, abs=5e-5)


def test_wilson_hand_worked_zero_and_all() -> None:
    # x = 0: centre = half width, so lo = 0 and hi = (z^2/n) / (1 + z^2/n).
    # n = 10: z^2 = 3.841458820694124, hi = 0.3841458820694124 / 1.3841458820694124
    # = 0.27753279986...; x = n mirrors it: lo = 1 - 0.27753279986.
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0
    assert hi == pytest.approx(0.2775327999, abs=1e-10)
    lo, hi = wilson_interval(10, 10)
    assert hi == 1.0
    assert lo == pytest.approx(1 - 0.2775327999, abs=1e-10)


def test_wilson_boundaries_are_exact_for_many_n() -> None:
    n = np.arange(1, 2001)
    lo_zero, _ = wilson_interval(np.zeros_like(n), n)
    _, hi_all = wilson_interval(n, n)
    assert np.all(lo_zero == 0.0)
    assert np.all(hi_all == 1.0)


def test_wilson_empty_is_nan_and_vectorised() -> None:
    lo, hi = wilson_interval(np.array([0, 81, 3]), np.array([0, 263, 3]))
    assert isinstance(lo, np.ndarray) and lo.shape == (3,)
    assert math.isnan(lo[0]) and math.isnan(hi[0])
    assert lo[1] == pytest.approx(0.2553, abs=5e-5) and hi[1] == pytest.approx(0.3662, abs=5e-5)
    assert hi[2] == 1.0
    scalar_lo, scalar_hi = wilson_interval(0, 0)
    assert math.isnan(scalar_lo) and math.isnan(scalar_hi)


def test_wilson_agrees_with_statsmodels() -> None:
    # statsmodels uses norm.isf(0.025), one ulp away from Z95: agreement to 1e-12.
    x = np.array([1, 5, 17, 250, 9_999])
    n = np.array([3, 40, 17, 1_000, 200_000])
    lo, hi = wilson_interval(x, n)
    sm_lo, sm_hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(lo, sm_lo, rtol=0, atol=1e-12)
    np.testing.assert_allclose(hi, sm_hi, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("x", "n"), [(5, 4), (-1, 4), (1.5, 4), (1, -2), (np.nan, 3)])
def test_wilson_rejects_impossible_counts(x: float, n: float) -> None:
    with pytest.raises(ValueError):
        wilson_interval(x, n)


# -- Newcombe -------------------------------------------------------------------

# Newcombe R. G. (1998) "Interval estimation for the difference between independent
# proportions: comparison of eleven methods", Stat Med 17:873-890, Table II,
# method 10 (score, no continuity correction), examples (a)-(h).
NEWCOMBE_1998B_METHOD10 = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (0, 10, 0, 10, -0.2775, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
    (10, 10, 0, 10, 0.6075, 1.0000),
]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "lo", "hi"), NEWCOMBE_1998B_METHOD10)
def test_newcombe_matches_table_ii(
    x1: int, n1: int, x2: int, n2: int, lo: float, hi: float
) -> None:
    diff, got_lo, got_hi = newcombe_diff_interval(x1, n1, x2, n2)
    assert diff == pytest.approx(x1 / n1 - x2 / n2, abs=1e-15)
    assert got_lo == pytest.approx(lo, abs=5e-5)
    assert got_hi == pytest.approx(hi, abs=5e-5)


def test_newcombe_vectorised_matches_table_and_statsmodels() -> None:
    x1, n1, x2, n2, lo, hi = (np.array(col) for col in zip(*NEWCOMBE_1998B_METHOD10, strict=True))
    diff, got_lo, got_hi = newcombe_diff_interval(x1, n1, x2, n2)
    np.testing.assert_allclose(diff, x1 / n1 - x2 / n2, rtol=0, atol=1e-15)
    assert isinstance(got_lo, np.ndarray) and got_lo.shape == (8,)
    np.testing.assert_allclose(got_lo, lo, atol=5e-5)
    np.testing.assert_allclose(got_hi, hi, atol=5e-5)
    sm_lo, sm_hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    np.testing.assert_allclose(got_lo, sm_lo, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got_hi, sm_hi, rtol=0, atol=1e-12)


def test_newcombe_is_nan_when_a_side_is_empty() -> None:
    diff, lo, hi = newcombe_diff_interval(np.array([0, 3, 2]), [0, 5, 4], [1, 0, 1], [2, 0, 4])
    assert np.isnan(diff[:2]).all() and np.isnan(lo[:2]).all() and np.isnan(hi[:2]).all()
    assert diff[2] == 0.25
    scalar = newcombe_diff_interval(1, 2, 0, 0)
    assert all(math.isnan(value) for value in scalar)


# -- Garwood --------------------------------------------------------------------


def test_garwood_published_values() -> None:
    # Exact Poisson 95% limits, e.g. Ulm K. (1990) Am J Epidemiol 131:373-375.
    lo, hi = garwood_interval(0)
    assert lo == 0.0 and hi == pytest.approx(3.6889, abs=5e-5)
    lo, hi = garwood_interval(10)
    assert lo == pytest.approx(4.7954, abs=5e-5) and hi == pytest.approx(18.3904, abs=5e-5)


def test_garwood_hand_worked_k1_and_vectorised() -> None:
    # k = 1: lo solves P(N >= 1) = 0.025, i.e. 1 - exp(-lo) = 0.025, lo = -ln(0.975)
    # = 0.0253178080; hi for k = 0 solves exp(-hi) = 0.025, hi = ln(40) = 3.6888794541.
    lo, hi = garwood_interval(np.array([0, 1, 10]))
    assert isinstance(lo, np.ndarray)
    np.testing.assert_allclose(lo, [0.0, 0.0253178080, 4.7954], atol=5e-5)
    assert lo[1] == pytest.approx(0.0253178080, abs=1e-10)
    assert hi[0] == pytest.approx(3.6888794541, abs=1e-10)
    assert hi[2] == pytest.approx(18.3904, abs=5e-5)


def test_garwood_rejects_negative_or_fractional() -> None:
    with pytest.raises(ValueError):
        garwood_interval(-1)
    with pytest.raises(ValueError):
        garwood_interval(2.5)


# -- P(X > Y) for two Beta posteriors -------------------------------------------


def _integral_prob_greater(a1: int, b1: int, a2: int, b2: int) -> float:
    """P(X > Y) = integral of f_X(t) F_Y(t) dt, by adaptive quadrature with tight tolerances."""
    x, y = beta(a1, b1), beta(a2, b2)
    # X has mass < 2e-16 outside these limits; the peak is split at the mean.
    lo, hi = x.ppf(1e-16), x.isf(1e-16)
    value, _ = integrate.quad(
        lambda t: x.pdf(t) * y.cdf(t),
        lo,
        hi,
        points=[x.mean()],
        epsabs=1e-13,
        epsrel=1e-12,
        limit=2000,
    )
    return value


def test_prob_beta_greater_hand_worked() -> None:
    # Beta(2,1) has density 2t, Beta(1,1) cdf t: integral 2t^2 = 2/3.
    assert prob_beta_greater(2, 1, 1, 1) == pytest.approx(2 / 3, abs=1e-14)
    # Beta(1,2) density 2(1-t): integral 2(1-t)t = 1/3.
    assert prob_beta_greater(1, 2, 1, 1) == pytest.approx(1 / 3, abs=1e-14)
    # Beta(2,1) vs Beta(1,2) (cdf 2t - t^2): integral 2t(2t - t^2) = 4/3 - 1/2 = 5/6.
    assert prob_beta_greater(2, 1, 1, 2) == pytest.approx(5 / 6, abs=1e-14)
    assert isinstance(prob_beta_greater(2, 1, 1, 2), float)


@pytest.mark.parametrize("params", [(1, 1), (7, 3), (250, 900), (100_001, 100_001)])
def test_prob_beta_greater_equal_parameters_is_half(params: tuple[int, int]) -> None:
    a, b = params
    # betaln rounding grows with the counts (about 6e-10 at 100 001); the contract asks 1e-6.
    assert prob_beta_greater(a, b, a, b) == pytest.approx(0.5, abs=1e-8)


# Chosen so each of the four equivalent series (over a1, a2, b2, b1) is the shortest once.
BETA_CASES = [
    (2, 50, 30, 40),
    (30, 40, 2, 50),
    (30, 40, 50, 2),
    (30, 2, 50, 40),
    (13, 9, 20, 11),
    (4001, 6001, 3901, 6101),
    (100_401, 99_601, 100_001, 100_001),
]


@pytest.mark.parametrize(("a1", "b1", "a2", "b2"), BETA_CASES)
def test_prob_beta_greater_agrees_with_numerical_integral(
    a1: int, b1: int, a2: int, b2: int
) -> None:
    expected = _integral_prob_greater(a1, b1, a2, b2)
    assert prob_beta_greater(a1, b1, a2, b2) == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize(("a1", "b1", "a2", "b2"), BETA_CASES)
def test_prob_beta_greater_sums_to_one_with_reverse(a1: int, b1: int, a2: int, b2: int) -> None:
    forward = prob_beta_greater(a1, b1, a2, b2)
    backward = prob_beta_greater(a2, b2, a1, b1)
    assert forward + backward == pytest.approx(1.0, abs=1e-9)


def test_prob_beta_greater_vectorised_and_chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    a1, b1, a2, b2 = (np.array(col) for col in zip(*BETA_CASES[:6], strict=True))
    together = prob_beta_greater(a1, b1, a2, b2)
    assert isinstance(together, np.ndarray) and together.shape == (6,)
    one_by_one = [prob_beta_greater(*case) for case in BETA_CASES[:6]]
    np.testing.assert_allclose(together, one_by_one, rtol=0, atol=1e-14)
    # Tiny chunks force series to be split across chunks boundaries element by element.
    monkeypatch.setattr(stats, "_BETA_SUM_CHUNK_TERMS", 7)
    np.testing.assert_allclose(prob_beta_greater(a1, b1, a2, b2), together, rtol=0, atol=1e-14)
    # Broadcasting a scalar against a 2-D array keeps the shape.
    grid = prob_beta_greater(np.array([[2, 1], [1, 2]]), 1, 1, 1)
    np.testing.assert_allclose(grid, [[2 / 3, 0.5], [0.5, 2 / 3]], atol=1e-14)


def test_empty_arrays_give_empty_results() -> None:
    empty = np.empty(0)
    assert all(part.shape == (0,) for part in wilson_interval(empty, empty))
    assert all(part.shape == (0,) for part in newcombe_diff_interval(empty, empty, empty, empty))
    assert all(part.shape == (0,) for part in garwood_interval(empty))
    assert prob_beta_greater(empty, empty, empty, empty).shape == (0,)


def test_prob_beta_greater_rejects_non_integer_or_zero() -> None:
    with pytest.raises(ValueError):
        prob_beta_greater(0, 1, 1, 1)
    with pytest.raises(ValueError):
        prob_beta_greater(1.5, 1, 1, 1)


# -- Mantel-Haenszel risk difference ----------------------------------------------


def test_mantel_haenszel_two_strata_by_hand() -> None:
    # Stratum A: 3/4 vs 1/4, d = 1/2, w = 4*4/8 = 2.
    # Stratum B: 1/2 vs 2/6, d = 1/2 - 1/3 = 1/6, w = 2*6/8 = 3/2.
    # Stratum C: 5/5 vs 0/0 has no comparison side and is left out.
    # MH = (2 * 1/2 + 3/2 * 1/6) / (2 + 3/2) = (1 + 1/4) / (7/2) = 5/14.
    got = mantel_haenszel_diff([3, 1, 5], [4, 2, 5], [1, 2, 0], [4, 6, 0])
    assert got == pytest.approx(5 / 14, abs=1e-15)


def test_mantel_haenszel_reverses_simpsons_paradox() -> None:
    # Kidney stones (Charig et al. 1986, BMJ 292:879): treatment A vs B.
    # Pooled: 273/350 - 289/350 = -16/350 = -0.0457 (B looks better).
    # Small stones: 81/87 - 234/270 = 28/435, w = 87*270/357 = 7830/119.
    # Large stones: 192/263 - 55/80 = 179/4208, w = 263*80/343 = 21040/343.
    # MH = (7830/119 * 28/435 + 21040/343 * 179/4208) / (7830/119 + 21040/343)
    #    = 39911/741350 = 0.0538355702... (A better in both strata).
    x_a, n_a, x_b, n_b = [81, 192], [87, 263], [234, 55], [270, 80]
    pooled = sum(x_a) / sum(n_a) - sum(x_b) / sum(n_b)
    got = mantel_haenszel_diff(x_a, n_a, x_b, n_b)
    assert got == pytest.approx(39911 / 741350, abs=1e-15)
    assert pooled < 0 < got


def test_mantel_haenszel_none_without_comparable_strata() -> None:
    assert mantel_haenszel_diff([1, 0], [3, 0], [0, 2], [0, 5]) is None
    assert mantel_haenszel_diff([], [], [], []) is None


def test_mantel_haenszel_rejects_mismatched_strata() -> None:
    with pytest.raises(ValueError):
        mantel_haenszel_diff([1, 2], [3, 4], [1], [3])


# -- Kaplan-Meier ------------------------------------------------------------------


def test_kaplan_meier_six_subjects_by_hand() -> None:
    # Days 1, 2+, 3, 3, 4+, 5 (+ = censored).
    #   day 1: 6 at risk, 1 event: S = 5/6;        Greenwood sum 1/(6*5) = 1/30
    #   day 2: 5 at risk, 1 censored: S = 5/6
    #   day 3: 4 at risk, 2 events: S = 5/6 * 2/4 = 5/12; sum 1/30 + 2/(4*2) = 17/60
    #   day 4: 2 at risk, 1 censored: S = 5/12
    #   day 5: 1 at risk, 1 event: S = 0 (band undefined)
    # Log-log band: sigma = sqrt(sum) / |ln S|, limits S^exp(+-1.959964 sigma).
    #   S = 5/6:  sigma = 0.1825742 / 0.1823216 = 1.0013856; lo = 0.2731228, hi = 0.9747124
    #   S = 5/12: sigma = 0.5322906 / 0.8754687 = 0.6080065; lo = 0.0559919, hi = 0.7665222
    curve = kaplan_meier(
        np.array([1, 2, 3, 3, 4, 5]), np.array([True, False, True, True, False, True])
    )
    assert curve.schema == pl.Schema(stats.KAPLAN_MEIER_SCHEMA)
    assert curve["day"].to_list() == [0, 1, 2, 3, 4, 5]
    assert curve["at_risk"].to_list() == [6, 6, 5, 4, 2, 1]
    assert curve["events"].to_list() == [0, 1, 0, 2, 0, 1]
    assert curve["censored"].to_list() == [0, 0, 1, 0, 1, 0]
    np.testing.assert_allclose(
        curve["survival"].to_numpy(), [1, 5 / 6, 5 / 6, 5 / 12, 5 / 12, 0], atol=1e-15
    )
    lo, hi = curve["survival_lo"].to_list(), curve["survival_hi"].to_list()
    assert lo[0] is None and hi[0] is None and lo[5] is None and hi[5] is None
    np.testing.assert_allclose(lo[1:5], [0.2731228, 0.2731228, 0.0559919, 0.0559919], atol=1e-7)
    np.testing.assert_allclose(hi[1:5], [0.9747124, 0.9747124, 0.7665222, 0.7665222], atol=1e-7)


def test_kaplan_meier_agrees_with_statsmodels_greenwood() -> None:
    days = np.array([0, 0, 2, 5, 5, 5, 9, 12, 12, 30, 31, 40])
    seen = np.array([1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0], dtype=bool)
    curve = kaplan_meier(days, seen).slice(1)  # drop the day-0 anchor row
    with_events = curve.filter(pl.col("events") > 0)
    reference = SurvfuncRight(days, seen.astype(float))
    np.testing.assert_array_equal(with_events["day"].to_numpy(), reference.surv_times)
    np.testing.assert_allclose(with_events["survival"].to_numpy(), reference.surv_prob, atol=1e-14)
    # Rebuild the log-log band from statsmodels' Greenwood standard error of S.
    s, se = reference.surv_prob, reference.surv_prob_se
    inside = (s > 0) & (s < 1)
    sigma = se[inside] / s[inside] / np.abs(np.log(s[inside]))
    lo = with_events["survival_lo"].to_numpy()[inside]
    np.testing.assert_allclose(lo, s[inside] ** np.exp(Z95 * sigma), atol=1e-12)


def test_kaplan_meier_events_on_day_zero_keep_the_anchor_row() -> None:
    # Days 0, 0+, 2: anchor (day 0, S = 1), then day 0 after its event
    # (3 at risk, 1 event, 1 censored: S = 2/3), then day 2 (1 at risk, 1 event: S = 0).
    curve = kaplan_meier([0, 0, 2], [True, False, True])
    assert curve.select("day", "at_risk", "events", "censored").rows() == [
        (0, 3, 0, 0),
        (0, 3, 1, 1),
        (2, 1, 1, 0),
    ]
    np.testing.assert_allclose(curve["survival"].to_numpy(), [1.0, 2 / 3, 0.0], atol=1e-15)
    assert curve["survival_lo"].to_list()[::2] == [None, None]
    # S = 2/3 after one event among 3: sum 1/(3*2) = 1/6, sigma = 0.4082483 / 0.4054651
    # = 1.0068644; lo = (2/3)^exp(1.973418) = 0.05409, hi = (2/3)^exp(-1.973418) = 0.94521.
    assert curve["survival_lo"][1] == pytest.approx(0.05409, abs=5e-5)
    assert curve["survival_hi"][1] == pytest.approx(0.94521, abs=5e-5)


def test_kaplan_meier_only_censored_stays_at_one() -> None:
    curve = kaplan_meier([4, 1, 4], [False, False, False])
    assert curve["day"].to_list() == [0, 1, 4]
    assert curve["at_risk"].to_list() == [3, 3, 2]
    assert curve["survival"].to_list() == [1.0, 1.0, 1.0]
    assert curve["survival_lo"].null_count() == 3 and curve["survival_hi"].null_count() == 3


def test_kaplan_meier_empty_input_has_the_schema() -> None:
    curve = kaplan_meier(np.array([], dtype=np.int64), np.array([], dtype=bool))
    assert curve.height == 0
    assert curve.schema == pl.Schema(stats.KAPLAN_MEIER_SCHEMA)


@pytest.mark.parametrize(
    ("time", "observed"),
    [([1, -2], [True, True]), ([1.5], [True]), ([1, 2], [True]), ([1], ["yes"])],
)
def test_kaplan_meier_rejects_bad_input(time: list[object], observed: list[object]) -> None:
    with pytest.raises(ValueError):
        kaplan_meier(time, observed)
