"""The answer in plain words, above everything on the group and member pages.

One line per compared ask, two sentences each: the yes rate, then leads, as
a difference in percentage points with its 95% interval, built from the same
numbers as the tables ("Reference asks got a yes 58 points more often than
job asks (46 to 66). On leads there is no clear difference yet (+1 point,
-14 to +15)."). An interval that holds 0 is "no clear difference yet"; a
side with fewer than ``SMALL_SAMPLE_N`` calls is named; a metric without
calls on both sides has "nothing to compare yet".

The answer is **randomised** when it comes from the ask plans
(``plan_comparison``) and **observational** otherwise (``strategy_comparison``).
``answer_line`` is pure, so its wording is tested on hand-made numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from asklab.metrics import JOB, KEY_METRICS, REFERENCE, SMALL_SAMPLE_N
from asklab.report.frames.formats import signed_int
from asklab.report.frames.formats import whole_points as points
from asklab.report.frames.scopes import metric_row

# What an ask achieved, per metric, and what the metric counts.
METRIC_VERBS: dict[str, str] = {
    "yes_rate": "got a yes",
    "intro_rate": "brought an introduction",
    "lead_rate": "brought a job lead",
    "reached_out_rate": "had the contact reach out later",
}
METRIC_NOUNS: dict[str, str] = {
    "yes_rate": "yes answers",
    "intro_rate": "introductions",
    "lead_rate": "leads",
    "reached_out_rate": "contacts reaching out",
}

# Arms compared against job in a plan, in canonical order (CONTRACT section 7.4).
PLAN_ARMS: tuple[str, ...] = (REFERENCE, "introduction")


@dataclass(frozen=True)
class Contrast:
    """One metric's difference (arm minus base, as a share) with its 95% interval."""

    diff: float
    lo: float
    hi: float
    n_arm: int
    n_base: int


@dataclass(frozen=True)
class Answer:
    """The answer of one page: where it comes from and its lines (one per compared ask)."""

    randomised: bool
    scope: str  # what it covers: "ask plans, whole group", "your calls", ...
    lines: tuple[str, ...]

    @property
    def label(self) -> str:
        kind = "Randomised" if self.randomised else "Observational"
        return f"{kind} ({self.scope})"


def _point_word(value: int) -> str:
    return "point" if abs(value) == 1 else "points"


def _few_calls(contrast: Contrast, arm: str, base: str) -> str:
    if min(contrast.n_arm, contrast.n_base) >= SMALL_SAMPLE_N:
        return ""
    return f"; from only {contrast.n_arm} {arm} and {contrast.n_base} {base} calls"


def metric_sentence(
    metric: str, contrast: Contrast | None, *, arm: str, base: str = JOB, first: bool = False
) -> str:
    """One sentence on one metric: a clear difference, none yet, or nothing to compare.

    A clear difference names both asks. The ``first`` sentence of a line names
    them in the other cases too; a later one leans on it ("On leads ...").
    """
    noun = METRIC_NOUNS[metric]
    between = f"Between {arm} and {base} asks there is"
    if contrast is None:
        if first:
            return f"{between} nothing to compare on {noun} yet."
        return f"On {noun} there is nothing to compare yet."
    diff, lo, hi = points(contrast.diff), points(contrast.lo), points(contrast.hi)
    few = _few_calls(contrast, arm, base)
    if contrast.lo <= 0 <= contrast.hi:
        numbers = (
            f"({signed_int(diff)} {_point_word(diff)}, {signed_int(lo)} to {signed_int(hi)}{few})"
        )
        if first:
            return f"{between} no clear difference in {noun} yet {numbers}."
        return f"On {noun} there is no clear difference yet {numbers}."
    direction = "more" if contrast.diff > 0 else "less"
    near, far = sorted((abs(lo), abs(hi)))
    size = f"{abs(diff)} {_point_word(diff)}" if diff else "less than 1 point"
    return (
        f"{arm.capitalize()} asks {METRIC_VERBS[metric]} {size} {direction} often "
        f"than {base} asks ({near} to {far}{few})."
    )


def answer_line(
    contrasts: Mapping[str, Contrast | None],
    *,
    arm: str,
    base: str = JOB,
    metrics: Sequence[str] = KEY_METRICS,
) -> str:
    """The sentences of one compared ask, ``metrics`` in order (yes rate, then leads)."""
    if all(contrasts.get(metric) is None for metric in metrics):
        return f"There is nothing to compare yet: no {arm} and {base} asks with results."
    return " ".join(
        metric_sentence(metric, contrasts.get(metric), arm=arm, base=base, first=index == 0)
        for index, metric in enumerate(metrics)
    )


def _contrast(row: dict | None, n_arm: str, n_base: str) -> Contrast | None:
    if row is None or row["diff"] is None or row["diff_lo"] is None or row["diff_hi"] is None:
        return None
    return Contrast(row["diff"], row["diff_lo"], row["diff_hi"], row[n_arm], row[n_base])


def plan_answer(plan_comparison: Sequence[dict]) -> Answer | None:
    """The randomised answer from ``plan_comparison`` rows; None without a key metric row."""
    lines = []
    for arm in PLAN_ARMS:
        rows = [row for row in plan_comparison if row["arm"] == arm]
        contrasts = {m: _contrast(metric_row(rows, m), "n_arm", "n_job") for m in KEY_METRICS}
        if any(contrasts.values()):
            lines.append(answer_line(contrasts, arm=arm))
    if not lines:
        return None
    return Answer(randomised=True, scope="ask plans, whole group", lines=tuple(lines))


def strategy_answer(comparison: Sequence[dict], *, scope: str) -> Answer:
    """The observational answer from one scope's ``strategy_comparison`` rows."""
    contrasts = {m: _contrast(metric_row(comparison, m), "n_ref", "n_job") for m in KEY_METRICS}
    return Answer(randomised=False, scope=scope, lines=(answer_line(contrasts, arm=REFERENCE),))


GROUP_SCOPE = "all calls, whole group"
MEMBER_SCOPE = "your calls"


def group_answer(plan_comparison: Sequence[dict], group_comparison: Sequence[dict]) -> Answer:
    """Randomised when the plans have a result on a key metric, else observational."""
    return plan_answer(plan_comparison) or strategy_answer(group_comparison, scope=GROUP_SCOPE)


def member_answer(member_comparison: Sequence[dict], group: Answer) -> Answer:
    """The member's own (observational) result where they have one on a key metric,
    else the group's answer, which says it covers the whole group."""
    if any(metric_row(member_comparison, m) is not None for m in KEY_METRICS):
        return strategy_answer(member_comparison, scope=MEMBER_SCOPE)
    return group
