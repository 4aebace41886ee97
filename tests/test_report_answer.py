"""The answer in plain words: sentences built from hand-made numbers."""

from __future__ import annotations

from asklab.report.frames.answer import (
    Answer,
    Contrast,
    answer_line,
    group_answer,
    member_answer,
    metric_sentence,
    points,
)


def line(yes: Contrast | None, leads: Contrast | None, arm: str = "reference") -> str:
    return answer_line({"yes_rate": yes, "lead_rate": leads}, arm=arm)


def test_the_issue_example_word_for_word() -> None:
    assert line(Contrast(0.58, 0.46, 0.66, 40, 40), Contrast(0.01, -0.14, 0.15, 40, 40)) == (
        "Reference asks got a yes 58 points more often than job asks (46 to 66). "
        "On leads there is no clear difference yet (+1 point, -14 to +15)."
    )


def test_a_clear_negative_difference_says_less_often_with_magnitudes() -> None:
    sentence = metric_sentence(
        "yes_rate", Contrast(-0.304, -0.451, -0.126, 30, 30), arm="reference", first=True
    )
    assert sentence == "Reference asks got a yes 30 points less often than job asks (13 to 45)."
    leads = metric_sentence("lead_rate", Contrast(0.2, 0.051, 0.34, 50, 60), arm="introduction")
    assert (
        leads
        == "Introduction asks brought a job lead 20 points more often than job asks (5 to 34)."
    )


def test_rounding_to_whole_points() -> None:
    assert [points(v) for v in (0.0149, 0.0151, -0.0149, -0.0151, 0.584)] == [1, 2, -1, -2, 58]
    one = metric_sentence("yes_rate", Contrast(0.0149, 0.004, 0.03, 500, 500), arm="reference")
    assert one == "Reference asks got a yes 1 point more often than job asks (0 to 3)."
    tiny = metric_sentence("yes_rate", Contrast(0.004, 0.001, 0.008, 9000, 9000), arm="reference")
    assert tiny == "Reference asks got a yes less than 1 point more often than job asks (0 to 1)."


def test_an_interval_that_holds_zero_is_no_clear_difference() -> None:
    first = metric_sentence(
        "yes_rate", Contrast(0.02, -0.1, 0.14, 12, 15), arm="reference", first=True
    )
    assert first == (
        "Between reference and job asks there is no clear difference in yes answers yet "
        "(+2 points, -10 to +14)."
    )
    # An end exactly at 0 does not rule 0 out.
    edge = metric_sentence("lead_rate", Contrast(0.12, 0.0, 0.24, 40, 40), arm="reference")
    assert edge == "On leads there is no clear difference yet (+12 points, 0 to +24)."
    none = metric_sentence("lead_rate", Contrast(0.0, -0.1, 0.1, 40, 40), arm="reference")
    assert none == "On leads there is no clear difference yet (0 points, -10 to +10)."


def test_small_samples_are_named() -> None:
    assert line(Contrast(0.5, 0.1, 0.8, 6, 9), Contrast(-0.05, -0.4, 0.3, 4, 12)) == (
        "Reference asks got a yes 50 points more often than job asks "
        "(10 to 80; from only 6 reference and 9 job calls). "
        "On leads there is no clear difference yet (-5 points, -40 to +30; "
        "from only 4 reference and 12 job calls)."
    )


def test_missing_metrics_have_nothing_to_compare() -> None:
    assert line(Contrast(0.3, 0.1, 0.5, 40, 40), None) == (
        "Reference asks got a yes 30 points more often than job asks (10 to 50). "
        "On leads there is nothing to compare yet."
    )
    assert line(None, Contrast(0.3, 0.1, 0.5, 40, 40)) == (
        "Between reference and job asks there is nothing to compare on yes answers yet. "
        "Reference asks brought a job lead 30 points more often than job asks (10 to 50)."
    )
    assert line(None, None) == (
        "There is nothing to compare yet: no reference and job asks with results."
    )


def _plan_row(arm: str, metric: str, diff: float, lo: float, hi: float) -> dict:
    return {"arm": arm, "metric": metric, "diff": diff, "diff_lo": lo, "diff_hi": hi}


def _n(row: dict, n_arm: int, n_job: int, arm_key: str = "n_arm") -> dict:
    return row | {arm_key: n_arm, "n_job": n_job}


def test_group_answer_is_randomised_when_the_plans_have_a_key_metric() -> None:
    plans = [
        _n(_plan_row("reference", "yes_rate", 0.58, 0.46, 0.66), 40, 40),
        _n(_plan_row("introduction", "lead_rate", -0.2, -0.3, -0.1), 30, 30),
    ]
    observed = [_n(_plan_row("", "yes_rate", 0.1, 0.05, 0.15), 99, 99, "n_ref")]
    answer = group_answer(plans, observed)
    assert answer.randomised and answer.label == "Randomised (ask plans, whole group)"
    assert answer.lines == (
        "Reference asks got a yes 58 points more often than job asks (46 to 66). "
        "On leads there is nothing to compare yet.",
        "Between introduction and job asks there is nothing to compare on yes answers yet. "
        "Introduction asks brought a job lead 20 points less often than job asks (10 to 30).",
    )


def test_group_answer_is_observational_without_a_plan_result() -> None:
    only_intro = [_n(_plan_row("reference", "intro_rate", 0.5, 0.4, 0.6), 40, 40)]
    observed = [_n(_plan_row("", "yes_rate", 0.1, 0.05, 0.15), 99, 99, "n_ref")]
    answer = group_answer(only_intro, observed)
    assert not answer.randomised
    assert answer.label == "Observational (all calls, whole group)"
    assert answer.lines == (
        "Reference asks got a yes 10 points more often than job asks (5 to 15). "
        "On leads there is nothing to compare yet.",
    )
    assert group_answer([], []).lines == (
        "There is nothing to compare yet: no reference and job asks with results.",
    )


def test_member_answer_uses_their_own_rows_else_the_groups() -> None:
    group = Answer(randomised=True, scope="ask plans, whole group", lines=("group line",))
    own = [_n(_plan_row("", "lead_rate", -0.1, -0.3, 0.1), 8, 12, "n_ref")]
    mine = member_answer(own, group)
    assert mine.label == "Observational (your calls)"
    assert mine.lines == (
        "Between reference and job asks there is nothing to compare on yes answers yet. "
        "On leads there is no clear difference yet (-10 points, -30 to +10; "
        "from only 8 reference and 12 job calls).",
    )
    # Only a metric outside the answer: the group's answer, which says it is the group's.
    assert member_answer([_plan_row("", "intro_rate", 0.1, 0, 0.2)], group) is group
