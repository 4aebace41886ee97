"""The randomised result on the group page and each member's plan lists (CONTRACT
sections 5 and 7), from the small warehouse with hand-made plans."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint

from asklab.report import load_report_data, render_reports
from asklab.report.data import PLAN_COMPARISON_SCHEMA
from asklab.report.frames.plans import arm_rates_frame, attrition_notes, needed_notes
from asklab.report.markup import esc
from tests.browser.fixtures import (
    PLAN_SCRIPT_CONTACT,
    SCRIPT_CONTACT,
    SMALL_AS_OF,
    create_table,
    small_plan_tables,
    small_warehouse_tables,
    vega_cache_in_tmp,  # noqa: F401 (autouse)
)

SPEC_SCRIPT = re.compile(r'<script type="application/json" id="(spec-[a-z0-9-]+)">(.*?)</script>')


def small_con(*, plans: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    tables = small_warehouse_tables() | (small_plan_tables() if plans else {})
    for name, frame in tables.items():
        create_table(con, name, frame)
    return con


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("reports")
    data = load_report_data(small_con(plans=True), as_of=SMALL_AS_OF, run_id="r2")
    paths = render_reports(data, root, as_of=SMALL_AS_OF)
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in paths}


# -- Reading -------------------------------------------------------------------------------


def test_arm_counts_worked_out_by_hand() -> None:
    data = load_report_data(small_con(plans=True), as_of=SMALL_AS_OF, run_id="r2")
    assert data.has_plans and (data.plans, data.plan_members) == (2, 2)
    # job: Tomasz (done), Zoe (open), Priya (done, asked for a reference), bob's (done).
    # reference: Grace and Lena (done, as planned), bob's planned-only contact (open).
    assert data.plan_arms.rows() == [("job", 2, 4, 3, 1, 2), ("reference", 2, 3, 2, 1, 2)]
    assert data.plan_comparison.height == 2


def test_member_lists_open_in_plan_order_done_newest_call_first() -> None:
    data = load_report_data(small_con(plans=True), as_of=SMALL_AS_OF, run_id="r2")
    alice, bob, carol = data.members
    assert alice.open_assignments.rows() == [
        ("p1", SMALL_AS_OF.replace(month=9, day=1), "Zoe Open", "acquaintance", "job")
    ]
    done = alice.done_assignments.select("contact", "arm", "call_date", "ask_label", "complied")
    assert [(c, a, d.isoformat(), k, ok) for c, a, d, k, ok in done.rows()] == [
        ("Tomasz Novak", "job", "2026-11-24", "job", True),
        ("Priya Natarajan", "job", "2026-10-01", "reference", False),
        ("Lena Moreau", "reference", "2026-09-15", "reference", True),
        ("Grace Okafor", "reference", "2026-09-01", "reference", True),
    ]
    assert bob.open_assignments["contact"].to_list() == [PLAN_SCRIPT_CONTACT]
    assert bob.done_assignments["contact"].to_list() == [SCRIPT_CONTACT]
    assert carol.open_assignments.height == carol.done_assignments.height == 0


def test_without_plans_the_calls_table_is_not_read() -> None:
    con = small_con(plans=False)
    load_report_data(con, as_of=SMALL_AS_OF, run_id="r2")  # builds the marts
    con.execute("DROP TABLE calls; DROP TABLE events; DROP TABLE call_outcomes")
    data = load_report_data(con, as_of=SMALL_AS_OF, run_id="r2")
    assert not data.has_plans
    assert all(m.open_assignments.height == 0 for m in data.members)


# -- The group page -------------------------------------------------------------------------


def test_group_page_opens_with_the_answer_then_the_randomised_result(pages) -> None:
    page = pages["2026-W48/group.html"]
    answer, randomised, tiles = (
        page.index('id="answer"'),
        page.index('id="randomised"'),
        page.index('class="tiles"'),
    )
    assert answer < randomised < tiles
    assert (
        '<h2 class="answer-label">The answer so far: Randomised (ask plans, whole group)</h2>'
        "<p>Reference asks got a yes 60 points more often than job asks (34 to 77). "
        "On leads there is no clear difference yet (+3 points, -35 to +40; "
        "from only 8 reference and 9 job calls).</p></section>"
    ) in page
    section = page[randomised:tiles]
    assert "<strong>This section is randomised.</strong> In 2 plans of 2 members" in section
    assert "<strong>The rest of this page is observational:</strong>" in section


def test_group_page_shows_arm_counts_comparison_attrition_and_calls_needed(pages) -> None:
    page = pages["2026-W48/group.html"]
    section = page[page.index('id="randomised"') : page.index('class="tiles"')]
    assert (
        '<th scope="row">job</th><td class="num">2</td><td class="num">4</td>'
        '<td class="num">3</td><td class="num">1</td><td class="num">2 (67%)</td>'
    ) in section
    # The arms' rates carry Wilson intervals: checked against statsmodels.
    lo, hi = proportion_confint(16, 20, method="wilson")
    ref_rate = f"80% [{lo * 100:.0f}–{hi * 100:.0f}%]"
    lo, hi = proportion_confint(5, 25, method="wilson")
    job_rate = f"20% [{lo * 100:.0f}–{hi * 100:.0f}%]"
    assert (
        f'<th scope="row">Yes rate</th><td class="num">16 / 20</td><td class="num">{ref_rate}'
        f'</td><td class="num">5 / 25</td><td class="num">{job_rate}</td>'
        '<td class="num">+60 pp [+34 to +77]</td><td class="num">&gt;99%</td>'
        '<td class="num">+55 pp [+31 to +79]</td><td class="num">2</td>'
        '<td class="num">114</td>'
    ) in section
    assert '<span class="flag">Attrition</span> Attrition warning, reference against job' in section
    assert "2 of 3 reference contacts called against 3 of 4 job contacts" in section
    assert "chi-square p = 0.031" in section
    assert (
        "Reference against job: about 114 more done calls per arm on yes answers and about "
        "132 more done calls per arm on leads to detect a 15-point difference"
    ) in section


def test_group_page_charts_the_arm_rates_with_their_table(pages) -> None:
    page = pages["2026-W48/group.html"]
    specs = {key: json.loads(text) for key, text in SPEC_SCRIPT.findall(page)}
    rows = specs["spec-plan-arms"]["datasets"]["rows"]
    assert {tuple(sorted(row)) for row in rows} == {
        ("arm", "metric", "n", "rate", "rate_hi", "rate_lo", "side", "x")
    }
    assert [(r["metric"], r["side"], r["x"], r["n"]) for r in rows] == [
        ("Yes rate", "reference", 16, 20),
        ("Yes rate", "job", 5, 25),
        ("Lead rate", "reference", 2, 8),
        ("Lead rate", "job", 2, 9),
    ]
    figure = page[page.index('id="fig-plan-arms"') :]
    assert "The numbers behind this chart" in figure[: figure.index("</figure>")]


def test_group_page_never_names_a_planned_contact(pages) -> None:
    page = pages["2026-W48/group.html"]
    plan_rows = small_plan_tables()["plan_rows"]
    for secret in {*plan_rows["contact"], *plan_rows["contact_key"], PLAN_SCRIPT_CONTACT}:
        for form in {secret, esc(secret), html.escape(secret, quote=False)}:
            assert form not in page, secret
    assert "Zoe" not in page and "alert(6)" not in page


# -- Member pages ----------------------------------------------------------------------------


def test_member_page_lists_the_to_do_list_first_then_the_done_ones(pages) -> None:
    alice = pages["2026-W48/members/alice.html"]
    plan = alice[alice.index('id="plan"') : alice.index('class="tiles"')]
    to_do = plan[plan.index("To do") : plan.index("<h3>Done")]
    assert (
        '<th scope="row">Zoe Open</th><td>acquaintance</td><td>job</td><td>p1</td>'
        "<td>2026-09-01</td>"
    ) in to_do
    done = plan[plan.index("<h3>Done") :]
    assert re.findall(r'<th scope="row">([^<]+)</th>', done) == [
        "Tomasz Novak",
        "Priya Natarajan",
        "Lena Moreau",
        "Grace Okafor",
    ]
    assert (
        '<th scope="row">Priya Natarajan</th><td>colleague</td><td>job</td><td>2026-10-01</td>'
        "<td>reference</td><td>no: another ask</td>"
    ) in done


def test_hostile_planned_contact_shows_as_text_on_its_members_page_only(pages) -> None:
    bob = pages["2026-W48/members/bob.html"]
    assert PLAN_SCRIPT_CONTACT not in bob
    assert f'<th scope="row">{esc(PLAN_SCRIPT_CONTACT)}</th>' in bob
    for name in ("alice", "carol"):
        assert esc(PLAN_SCRIPT_CONTACT) not in pages[f"2026-W48/members/{name}.html"]


def test_members_without_plan_rows_get_no_plan_section(pages) -> None:
    assert 'id="plan"' not in pages["2026-W48/members/carol.html"]


def test_without_plans_there_is_no_randomised_part(tmp_path: Path) -> None:
    data = load_report_data(small_con(plans=False), as_of=SMALL_AS_OF, run_id="r2")
    paths = render_reports(data, tmp_path, as_of=SMALL_AS_OF)
    group = paths[0].read_text(encoding="utf-8")
    assert 'id="randomised"' not in group and "Randomised and observational" not in group
    assert "The answer so far: Observational (all calls, whole group)" in group
    for path in paths[1:-1]:
        assert 'id="plan"' not in path.read_text(encoding="utf-8")


# -- The notes and the chart frame on their own ------------------------------------------------


def _comparison(**changes) -> pl.DataFrame:
    base = small_plan_tables()["plan_comparison"]
    return base.with_columns(**{k: pl.lit(v) for k, v in changes.items()}).cast(
        PLAN_COMPARISON_SCHEMA
    )


def test_attrition_warns_only_below_five_percent() -> None:
    assert [warning for _, warning in attrition_notes(_comparison(attrition_p=0.049))] == [True]
    ((text, warning),) = attrition_notes(_comparison(attrition_p=0.05))
    assert not warning and "no sign that one arm" in text and "p = 0.05" in text
    ((text, warning),) = attrition_notes(_comparison(attrition_p=None))
    assert not warning and text.endswith("not testable yet.")


def test_calls_needed_say_enough_once_both_arms_have_them() -> None:
    assert needed_notes(_comparison(n_needed_per_arm=8)) == [
        "Reference against job: enough done calls on yes answers and enough done calls on "
        "leads to detect a 15-point difference (5% level, 80% power)."
    ]


def test_job_is_one_row_unless_the_comparisons_differ_on_it() -> None:
    one = _comparison()
    two = pl.concat([one, one.with_columns(arm=pl.lit("introduction"))])
    assert arm_rates_frame(two)["side"].unique(maintain_order=True).to_list() == [
        "reference",
        "job",
        "introduction",
    ]
    differ = pl.concat(
        [one, one.with_columns(arm=pl.lit("introduction"), x_job=pl.lit(1, dtype=pl.Int64))]
    )
    assert arm_rates_frame(differ)["side"].unique(maintain_order=True).to_list() == [
        "reference",
        "job (vs reference)",
        "introduction",
        "job (vs introduction)",
    ]


def test_report_data_defaults_have_no_plans() -> None:
    from tests.browser.fixtures import small_report_data

    data = small_report_data()
    assert not data.has_plans
    assert not dataclasses.replace(data).has_plans


def test_member_without_own_comparison_gets_the_groups_randomised_answer(pages) -> None:
    # The small data has no member rows in strategy_comparison.
    alice = pages["2026-W48/members/alice.html"]
    assert alice.index('id="answer"') < alice.index('id="plan"') < alice.index('class="tiles"')
    assert "The answer so far: Randomised (ask plans, whole group)</h2>" in alice


def test_plans_without_a_comparison_yet_say_so(tmp_path: Path) -> None:
    con = small_con(plans=True)
    con.execute("DELETE FROM plan_comparison")
    data = load_report_data(con, as_of=SMALL_AS_OF, run_id="r2")
    group = render_reports(data, tmp_path, as_of=SMALL_AS_OF)[0].read_text(encoding="utf-8")
    section = group[group.index('id="randomised"') : group.index('class="tiles"')]
    assert "No comparison yet: no plan with a job arm has done calls on both sides." in section
    assert 'id="fig-plan-arms"' not in group
    # The answer then comes from all calls, and says so.
    assert "The answer so far: Observational (all calls, whole group)" in group
