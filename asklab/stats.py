"""Interval estimates and comparisons for the outcome tables (CONTRACT.md section 3).

Every function takes Python scalars or numpy arrays (anything numpy can turn
into an array, e.g. a Polars Series) and is vectorised, so the outcomes package
can call it once over thousands of groups. Scalar inputs give Python floats,
array inputs give float arrays of the broadcast shape. An interval that is
undefined (no observations) is NaN; the caller turns NaN into null.

Invalid counts (negative, fractional, missing, x > n) raise ValueError: they
can only come from a bug upstream, and a silent NaN would hide it.

One file on purpose (about 430 lines): every table that needs a statistic
takes it from here (the observational comparison, the plans, the groups), so
each formula, and its published check value in tests/test_stats*.py, exists
once. The sections: input checks, proportions, counts, Beta, stratified
(Mantel-Haenszel, Sato), time to event (Kaplan-Meier).
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

FloatOrArray: TypeAlias = float | NDArray[np.float64]

Z95 = 1.959963984540054
"""Two-sided 95% standard normal quantile pinned by the contract.

`scipy.stats.norm.isf(0.025)` is 1.9599639845400545, one ulp away, which is
why the Wilson interval below is written out with this constant instead of
calling statsmodels `proportion_confint(method="wilson")` (same formula).
"""

# prob_beta_greater sums its series in chunks of at most this many terms so that
# memory stays bounded (about a dozen float arrays of this length at a time).
_BETA_SUM_CHUNK_TERMS = 1 << 20

KAPLAN_MEIER_SCHEMA: dict[str, pl.DataType] = {
    "day": pl.Int64(),
    "at_risk": pl.Int64(),
    "events": pl.Int64(),
    "censored": pl.Int64(),
    "survival": pl.Float64(),
    "survival_lo": pl.Float64(),
    "survival_hi": pl.Float64(),
}


# -- Input checks ---------------------------------------------------------------


def _whole_numbers(values: ArrayLike, name: str, *, minimum: int) -> NDArray[np.int64]:
    """`values` as an int64 array, or ValueError naming `name` and the first bad value."""
    array = np.asarray(values)
    if array.dtype == np.bool_ or array.dtype.kind not in "iuf":
        raise ValueError(f"{name}: expected whole numbers, got dtype {array.dtype}")
    as_float = array.astype(np.float64)
    bad = ~np.isfinite(as_float) | (as_float != np.floor(as_float)) | (as_float < minimum)
    if bad.any():
        first = as_float[bad].flat[0]
        raise ValueError(f"{name}: expected whole numbers >= {minimum}, got {first!r}")
    return array.astype(np.int64)


def _counts(
    x: ArrayLike, n: ArrayLike, x_name: str = "x", n_name: str = "n"
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Successes and trials broadcast together, checked 0 <= x <= n."""
    x_arr = _whole_numbers(x, x_name, minimum=0)
    n_arr = _whole_numbers(n, n_name, minimum=0)
    x_arr, n_arr = np.broadcast_arrays(x_arr, n_arr)
    over = x_arr > n_arr
    if over.any():
        raise ValueError(
            f"{x_name} > {n_name}: {x_arr[over].flat[0]} successes out of {n_arr[over].flat[0]}"
        )
    return x_arr, n_arr


def _is_scalar(*values: ArrayLike) -> bool:
    return all(np.ndim(value) == 0 for value in values)


def _out(values: NDArray[np.float64], scalar: bool) -> FloatOrArray:
    return float(values) if scalar else values


def _proportion(x: NDArray[np.int64], n: NDArray[np.int64]) -> NDArray[np.float64]:
    """x / n, NaN where n == 0 (without a division warning)."""
    safe_n = np.where(n > 0, n, 1)
    return np.where(n > 0, x / safe_n, np.nan)


# -- Binomial proportions -------------------------------------------------------


def _wilson_arrays(
    x: NDArray[np.int64], n: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    p = _proportion(x, n)
    safe_n = np.where(n > 0, n, 1).astype(np.float64)
    z2 = Z95 * Z95
    denominator = 1.0 + z2 / safe_n
    centre = (p + z2 / (2.0 * safe_n)) / denominator
    half_width = Z95 * np.sqrt(p * (1.0 - p) / safe_n + z2 / (4.0 * safe_n**2)) / denominator
    # At x = 0 and x = n the limit is 0 or 1 mathematically; pin it so float
    # fuzz never shows as a lower limit of 1e-17 or an upper one of 0.9999999.
    lo = np.where(x == 0, 0.0, np.clip(centre - half_width, 0.0, 1.0))
    hi = np.where(x == n, 1.0, np.clip(centre + half_width, 0.0, 1.0))
    undefined = n == 0
    return np.where(undefined, np.nan, lo), np.where(undefined, np.nan, hi)


def wilson_interval(x: ArrayLike, n: ArrayLike) -> tuple[FloatOrArray, FloatOrArray]:
    """Wilson score 95% interval for a binomial proportion x/n.

    Wilson E. B. (1927) "Probable inference, the law of succession, and
    statistical inference", JASA 22:209-212; the same closed form as
    statsmodels `proportion_confint(method="wilson")`, written out here so that
    z is exactly the contract's `Z95`. Returns (lo, hi); both NaN where n == 0.
    The lower limit is exactly 0.0 when x == 0 and the upper exactly 1.0 when
    x == n.
    """
    x_arr, n_arr = _counts(x, n)
    lo, hi = _wilson_arrays(x_arr, n_arr)
    scalar = _is_scalar(x, n)
    return _out(lo, scalar), _out(hi, scalar)


def newcombe_diff_interval(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike
) -> tuple[FloatOrArray, FloatOrArray, FloatOrArray]:
    """Newcombe's hybrid score 95% interval for the difference p1 - p2 of two proportions.

    Method 10 of Newcombe R. G. (1998) "Interval estimation for the difference
    between independent proportions: comparison of eleven methods", Stat Med
    17:873-890: with Wilson limits (l1, u1) and (l2, u2),
    lo = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), hi = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    This is what statsmodels `confint_proportions_2indep(method="newcomb")`
    computes; it is built here over `wilson_interval` so that z is `Z95` and the
    n == 0 case needs no warnings. Returns (diff, lo, hi); all NaN where either
    n is 0.
    """
    x1_arr, n1_arr = _counts(x1, n1, "x1", "n1")
    x2_arr, n2_arr = _counts(x2, n2, "x2", "n2")
    p1, p2 = _proportion(x1_arr, n1_arr), _proportion(x2_arr, n2_arr)
    lo1, hi1 = _wilson_arrays(x1_arr, n1_arr)
    lo2, hi2 = _wilson_arrays(x2_arr, n2_arr)
    diff = p1 - p2
    lo = diff - np.sqrt((p1 - lo1) ** 2 + (hi2 - p2) ** 2)
    hi = diff + np.sqrt((hi1 - p1) ** 2 + (p2 - lo2) ** 2)
    # NaN propagates from an empty side; clip only guards float fuzz at +-1.
    lo, hi = np.clip(lo, -1.0, 1.0), np.clip(hi, -1.0, 1.0)
    scalar = _is_scalar(x1, n1, x2, n2)
    return _out(diff, scalar), _out(lo, scalar), _out(hi, scalar)


# -- Poisson counts -------------------------------------------------------------


def garwood_interval(count: ArrayLike) -> tuple[FloatOrArray, FloatOrArray]:
    """Exact (Garwood) 95% interval for the mean of a Poisson count k.

    Garwood F. (1936) "Fiducial limits for the Poisson distribution",
    Biometrika 28:437-442: lo = chi2.ppf(0.025, 2k) / 2 (0 when k = 0) and
    hi = chi2.ppf(0.975, 2k + 2) / 2, using scipy's chi-square quantiles.
    Divide both by the exposure (e.g. mature calls) for a rate interval.
    """
    from scipy.stats import chi2  # here, not at the top: scipy.stats takes 0.5 s to import

    k = _whole_numbers(count, "count", minimum=0)
    # chi2 with 0 degrees of freedom is undefined; k = 0 has lower limit 0.
    lo = np.where(k > 0, chi2.ppf(0.025, 2 * np.maximum(k, 1)) / 2.0, 0.0)
    hi = chi2.ppf(0.975, 2 * k + 2) / 2.0
    scalar = _is_scalar(count)
    return _out(np.asarray(lo, dtype=np.float64), scalar), _out(
        np.asarray(hi, dtype=np.float64), scalar
    )


# -- Bayesian comparison of two proportions -------------------------------------


def _miller_series(
    a: NDArray[np.int64], b: NDArray[np.int64], c: NDArray[np.int64], d: NDArray[np.int64]
) -> NDArray[np.float64]:
    """P(Beta(a, b) > Beta(c, d)) by Miller's series of `a` terms per element, all vectorised.

    Term i (0 <= i < a) is B(c + i, b + d) / ((b + i) B(1 + i, b) B(c, d)), taken
    through log-Beta functions so that counts in the hundreds of thousands
    neither overflow nor underflow. The ragged series of all elements are laid
    end to end and summed per element with `np.add.reduceat`.
    """
    from scipy import special  # here, not at the top: only comparisons need it

    result = np.empty(a.shape, dtype=np.float64)
    ends = np.cumsum(a)
    start_element = 0
    while start_element < a.size:
        # Take elements until the chunk holds _BETA_SUM_CHUNK_TERMS terms (at least one element).
        base = ends[start_element - 1] if start_element > 0 else 0
        stop_element = int(np.searchsorted(ends, base + _BETA_SUM_CHUNK_TERMS, side="right"))
        stop_element = max(stop_element, start_element + 1)
        chunk = slice(start_element, stop_element)
        terms_per_element = a[chunk]
        element = np.repeat(np.arange(terms_per_element.size), terms_per_element)
        first_term = np.cumsum(terms_per_element) - terms_per_element
        i = (np.arange(element.size) - first_term[element]).astype(np.float64)
        b_e = b[chunk][element].astype(np.float64)
        c_e = c[chunk][element].astype(np.float64)
        d_e = d[chunk][element].astype(np.float64)
        log_terms = (
            special.betaln(c_e + i, b_e + d_e)
            - np.log(b_e + i)
            - special.betaln(1.0 + i, b_e)
            - special.betaln(c_e, d_e)
        )
        result[chunk] = np.add.reduceat(np.exp(log_terms), first_term)
        start_element = stop_element
    return result


def prob_beta_greater(a1: ArrayLike, b1: ArrayLike, a2: ArrayLike, b2: ArrayLike) -> FloatOrArray:
    """P(X > Y) for independent X ~ Beta(a1, b1) and Y ~ Beta(a2, b2), exactly.

    Closed-form finite sum for integer parameters from Miller E. (2015)
    "Formulas for Bayesian A/B testing" (evanmiller.org/bayesian-ab-testing.html),
    derived in Cook J. D. (2005) "Exact calculation of beta inequalities",
    UT MD Anderson Cancer Center technical report: P = sum over i < a1 of
    B(a2 + i, b1 + b2) / ((b1 + i) B(1 + i, b1) B(a2, b2)). By the symmetries
    P(X > Y) = 1 - P(Y > X) and X > Y <=> 1 - Y > 1 - X the same series can run
    over a1, a2, b1 or b2 terms; the shortest is used. Terms are computed in log
    space with scipy.special.betaln (absolute error about 1e-9 at counts of
    200 000 from betaln rounding, far inside the contract's 1e-6). Parameters
    must be whole numbers >= 1 (the caller passes Beta(1 + x, 1 + n - x)
    posteriors); no sampling is involved.
    """
    p1 = _whole_numbers(a1, "a1", minimum=1)
    q1 = _whole_numbers(b1, "b1", minimum=1)
    p2 = _whole_numbers(a2, "a2", minimum=1)
    q2 = _whole_numbers(b2, "b2", minimum=1)
    p1, q1, p2, q2 = (arr.ravel() for arr in np.broadcast_arrays(p1, q1, p2, q2))
    shape = np.broadcast_shapes(np.shape(a1), np.shape(b1), np.shape(a2), np.shape(b2))

    # Four equivalent forms (A, B, C, D, complement): P = h(A, B, C, D) or 1 - h(...),
    # where h(A, B, C, D) = P(Beta(A, B) > Beta(C, D)) sums A terms.
    forms = np.stack(
        [
            np.stack([p1, q1, p2, q2]),  # h(a1, b1, a2, b2)
            np.stack([p2, q2, p1, q1]),  # 1 - P(Y > X)
            np.stack([q2, p2, q1, p1]),  # P(1 - Y > 1 - X)
            np.stack([q1, p1, q2, p2]),  # 1 - P(1 - X > 1 - Y)
        ]
    )
    complement = np.array([False, True, False, True])
    choice = np.argmin(forms[:, 0, :], axis=0)
    element = np.arange(p1.size)
    chosen = forms[choice, :, element]  # (elements, 4)
    series = _miller_series(chosen[:, 0], chosen[:, 1], chosen[:, 2], chosen[:, 3])
    probability = np.where(complement[choice], 1.0 - series, series)
    probability = np.clip(probability, 0.0, 1.0).reshape(shape)
    return _out(probability, _is_scalar(a1, b1, a2, b2))


# -- Stratified comparison ------------------------------------------------------


def mantel_haenszel_diff(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike
) -> float | None:
    """Mantel-Haenszel risk difference p1 - p2 pooled over strata (one array element each).

    Weights w_k = n1k n2k / (n1k + n2k) over the strata where both n1k > 0 and
    n2k > 0; the estimate is sum w_k (p1k - p2k) / sum w_k (Greenland S. and
    Robins J. M. (1985) "Estimation of a common effect parameter from sparse
    follow-up data", Biometrics 41:55-68; Rothman, Greenland and Lash, Modern
    Epidemiology, 3rd ed., ch. 15). None when no stratum qualifies.
    statsmodels' StratifiedTable covers odds ratios only, hence the formula.
    """
    strata = _usable_strata(x1, n1, x2, n2, "mantel_haenszel_diff")
    if strata is None:
        return None
    return _mh_estimate(*strata)


def stratified_comparison(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike
) -> dict[str, float | int | None]:
    """Side 1 against side 2 over strata (one array element each): the sums
    (``x1``, ``n1``, ``x2``, ``n2``), their difference with Newcombe's interval
    (``diff``, ``diff_lo``, ``diff_hi``), P(p1 > p2) under Beta(1 + x, 1 + n - x)
    posteriors (``prob_better``), and the Mantel-Haenszel difference with Sato's
    interval (``mh_diff``, ``mh_diff_lo``, ``mh_diff_hi``). An undefined value is
    None. The pooled comparison of the plans (plans as strata) and of the groups
    (groups as strata) both take it from here.
    """
    arrays = [np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (x1, n1, x2, n2)]
    sx1, sn1, sx2, sn2 = (int(a.sum()) for a in arrays)
    diff, lo, hi = newcombe_diff_interval(sx1, sn1, sx2, sn2)
    prob = prob_beta_greater(1 + sx1, 1 + sn1 - sx1, 1 + sx2, 1 + sn2 - sx2)
    mh, mh_lo, mh_hi = mantel_haenszel_diff_interval(*arrays)
    values = {
        "diff": diff,
        "diff_lo": lo,
        "diff_hi": hi,
        "prob_better": prob,
        "mh_diff": mh,
        "mh_diff_lo": mh_lo,
        "mh_diff_hi": mh_hi,
    }
    defined = {k: None if v is None or np.isnan(v) else float(v) for k, v in values.items()}
    return {"x1": sx1, "n1": sn1, "x2": sx2, "n2": sn2, **defined}


def _usable_strata(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, caller: str
) -> tuple[NDArray[np.float64], ...] | None:
    """The strata with both sides n > 0, as float arrays (x1, n1, x2, n2); None
    when there is none. Bad counts or shapes raise ValueError naming ``caller``."""
    x1_arr, n1_arr = _counts(np.atleast_1d(x1), np.atleast_1d(n1), "x1", "n1")
    x2_arr, n2_arr = _counts(np.atleast_1d(x2), np.atleast_1d(n2), "x2", "n2")
    if x1_arr.ndim != 1 or x1_arr.shape != x2_arr.shape:
        raise ValueError(
            f"{caller}: expected four 1-D arrays of equal length, got shapes "
            f"{x1_arr.shape} and {x2_arr.shape}"
        )
    both = (n1_arr > 0) & (n2_arr > 0)
    if not both.any():
        return None
    return tuple(arr[both].astype(np.float64) for arr in (x1_arr, n1_arr, x2_arr, n2_arr))


def _mh_estimate(
    x1_k: NDArray[np.float64],
    n1_k: NDArray[np.float64],
    x2_k: NDArray[np.float64],
    n2_k: NDArray[np.float64],
) -> float:
    weights = n1_k * n2_k / (n1_k + n2_k)
    return float(np.sum(weights * (x1_k / n1_k - x2_k / n2_k)) / np.sum(weights))


# -- Time to event --------------------------------------------------------------


def _booleans(values: ArrayLike, name: str) -> NDArray[np.bool_]:
    array = np.asarray(values)
    if array.dtype == np.bool_:
        return array
    if array.dtype.kind in "iuf" and np.isin(array, (0, 1)).all():
        return array.astype(np.bool_)
    raise ValueError(f"{name}: expected booleans, got dtype {array.dtype}")


def log_log_band(
    survival: ArrayLike, greenwood: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The 95% log-log band of Kaplan-Meier survival values, from their Greenwood sums.

    Limits S^exp(+z sigma) (lower) and S^exp(-z sigma) (upper) with
    sigma = sqrt(greenwood) / |log S|, where ``greenwood`` is the running sum
    of d / (n (n - d)) up to that day (Kalbfleisch and Prentice (2002), section
    1.4; R survival's conf.type = "log-log"). NaN where S is 0 or 1, where the
    band is undefined. Element by element, so :func:`kaplan_meier` and the
    outcomes' curves of many groups at once share it.
    """
    s = np.asarray(survival, dtype=np.float64)
    sums = np.asarray(greenwood, dtype=np.float64)
    defined = (s > 0.0) & (s < 1.0)
    # log S is 0 or -inf outside `defined`: 0.5 stands in there, and its limit is dropped.
    log_survival = np.log(np.where(defined, s, 0.5))
    sigma = np.sqrt(sums) / np.abs(log_survival)
    lo = np.where(defined, s ** np.exp(Z95 * sigma), np.nan)
    hi = np.where(defined, s ** np.exp(-Z95 * sigma), np.nan)
    return lo, hi


def kaplan_meier(time: ArrayLike, observed: ArrayLike) -> pl.DataFrame:
    """Kaplan-Meier survival curve with a 95% log-log Greenwood band.

    Kaplan E. L. and Meier P. (1958) JASA 53:457-481; variance by Greenwood's
    formula, band on the log(-log S) scale (Kalbfleisch and Prentice (2002)
    The Statistical Analysis of Failure Time Data, 2nd ed., section 1.4;
    R survival's conf.type = "log-log"; see `log_log_band`). `time` are whole days >= 0,
    `observed` is True for an event (first lead) on that day and False for
    censoring on that day; a subject censored on an event day counts as at
    risk for it. One row per distinct day with an event or censoring,
    ascending, after a first row day 0 with survival 1 (so a day with events
    at day 0 appears twice: before and after them; order by day, then
    survival descending). survival_lo/hi are null where the band is undefined
    (survival 1 or 0). Empty input gives an empty frame of the same schema.
    """
    days_in = _whole_numbers(np.atleast_1d(time), "time", minimum=0)
    observed_in = _booleans(np.atleast_1d(observed), "observed")
    if days_in.ndim != 1 or days_in.shape != observed_in.shape:
        raise ValueError(
            "kaplan_meier: time and observed must be 1-D of equal length, got shapes "
            f"{days_in.shape} and {observed_in.shape}"
        )
    if days_in.size == 0:
        return pl.DataFrame(schema=KAPLAN_MEIER_SCHEMA)

    days, day_index = np.unique(days_in, return_inverse=True)
    subjects = np.bincount(day_index, minlength=days.size)
    events = np.bincount(day_index, weights=observed_in, minlength=days.size).astype(np.int64)
    censored = subjects - events
    at_risk = days_in.size - (np.cumsum(subjects) - subjects)
    survival = np.cumprod(1.0 - events / at_risk)

    with np.errstate(divide="ignore"):
        # Greenwood's sum; infinite once everyone at risk has had the event (S = 0).
        greenwood = np.cumsum(
            np.where(at_risk > events, events / (at_risk * (at_risk - events)), np.inf)
        )
    lo, hi = log_log_band(survival, greenwood)

    return pl.DataFrame(
        {
            "day": np.concatenate([[0], days]),
            "at_risk": np.concatenate([[days_in.size], at_risk]),
            "events": np.concatenate([[0], events]),
            "censored": np.concatenate([[0], censored]),
            "survival": np.concatenate([[1.0], survival]),
            "survival_lo": np.concatenate([[np.nan], lo]),
            "survival_hi": np.concatenate([[np.nan], hi]),
        },
        schema=KAPLAN_MEIER_SCHEMA,
    ).with_columns(pl.col("survival_lo", "survival_hi").fill_nan(None))


# -- Stratified comparison with an interval (v2) -----------------------------------


def mantel_haenszel_diff_interval(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike
) -> tuple[float | None, float | None, float | None]:
    """Mantel-Haenszel risk difference with its 95% interval (CONTRACT.md section 3.1).

    Side 1 is treated (a_k of n1_k), side 2 control (c_k of n0_k), one array
    element per stratum, strata used only where both sides have n > 0. The
    variance is Sato's (Sato T. (1989) "On the variance estimator for the
    Mantel-Haenszel risk difference", Biometrics 45:1323-1324; Greenland S.
    (1989) ibid. 1325), which stays consistent both for many sparse strata and
    for few large ones, unlike the classical Greenland-Robins form. Returns
    (mh, lo, hi) with lo/hi = mh -/+ Z95 sqrt(V), V floored at 0; all None when
    no stratum qualifies.
    """
    strata = _usable_strata(x1, n1, x2, n2, "mantel_haenszel_diff_interval")
    if strata is None:
        return None, None, None
    a, t1, c, t0 = strata
    total = t1 + t0
    weight_sum = float(np.sum(t1 * t0 / total))
    # The point estimate is mantel_haenszel_diff's, to the last bit.
    mh = _mh_estimate(a, t1, c, t0)
    p_sum = float(np.sum((t1**2 * c - t0**2 * a + t1 * t0 * (t0 - t1) / 2.0) / total**2))
    q_sum = float(np.sum((a * (t0 - c) + c * (t1 - a)) / (2.0 * total)))
    # Rounding can push a zero variance (e.g. every stratum all-or-none) below 0.
    variance = max(0.0, (mh * p_sum + q_sum) / weight_sum**2)
    half_width = Z95 * float(np.sqrt(variance))
    return mh, mh - half_width, mh + half_width
