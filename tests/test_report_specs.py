"""Chart specs validated once and filled per page, and the bulk table writers behind
the member pages: cost per member is string work, never an Altair validation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
from pathlib import Path

import altair as alt
import polars as pl
import pytest
from altair.utils import schemapi

from asklab.report import ReportData, load_report_data, render_reports
from asklab.report import write as report_write
from asklab.report.figures import member_charts
from asklab.report.figures.specs import SpecTemplate, json_rows, named_data, slot
from asklab.report.frames import formats as fmt
from asklab.report.frames.html_tables import Column, tables_html
from asklab.report.frames.scopes import key_slices
from asklab.report.markup import esc_expr
from tests.browser.fixtures import (
    AS_OF,
    RUN_ID,
    SMALL_AS_OF,
    build_warehouse,
    small_report_data,
    vega_cache_in_tmp,  # noqa: F401 (autouse)
)

SPEC_SCRIPT = re.compile(r'<script type="application/json" id="(spec-[a-z0-9-]+)">(.*?)</script>')


def specs_of(page: str) -> dict[str, dict]:
    return {key: json.loads(text) for key, text in SPEC_SCRIPT.findall(page)}


# -- Templates ----------------------------------------------------------------------


def test_template_fills_slots_and_rows() -> None:
    chart = alt.Chart(named_data()).mark_point().encode(x=alt.X("a:N", sort=slot("order")))
    template = SpecTemplate.from_chart(chart.properties(title="Points"), ["order"])
    filled = template.fill('[{"a":"x"}]', {"order": ["y", "x"]})
    spec = json.loads(filled.text)
    assert filled.title == "Points"
    assert spec["encoding"]["x"]["sort"] == ["y", "x"]
    assert spec["data"] == {"name": "rows"}
    assert spec["datasets"] == {"rows": [{"a": "x"}]}
    assert list(spec)[-1] == "datasets"


def test_template_needs_every_slot_and_no_other() -> None:
    chart = alt.Chart(named_data()).mark_point().encode(x=alt.X("a:N", sort=slot("order")))
    with pytest.raises(ValueError, match="template slots"):
        SpecTemplate.from_chart(chart, ["order", "colours"])
    template = SpecTemplate.from_chart(chart, ["order"])
    with pytest.raises(ValueError, match="need values"):
        template.fill("[]", {})


def test_json_rows_cannot_close_a_script_element() -> None:
    frame = pl.DataFrame({"name": ["</script><b>&"], "n": [3], "rate": [0.25]})
    (row,) = json_rows(frame)
    assert "<" not in row and ">" not in row and "&" not in row
    assert json.loads(row) == {"name": "</script><b>&", "n": 3, "rate": 0.25}


# -- Bulk tables -----------------------------------------------------------------------


def test_key_slices_of_a_sorted_frame() -> None:
    frame = pl.DataFrame({"member": ["ann", "ann", "bo"], "x": [1, 2, 3]})
    assert key_slices(frame, ["member"]) == {("ann",): slice(0, 2), ("bo",): slice(2, 3)}
    with pytest.raises(ValueError, match="not together"):
        key_slices(pl.DataFrame({"member": ["ann", "bo", "ann"]}), ["member"])


def test_tables_html_writes_each_frame_as_table_html_would() -> None:
    columns = [Column("Who"), Column("Calls", numeric=True)]
    frames = [
        pl.DataFrame({"who": ["<b>", None], "calls": [1234, 2]}),
        pl.DataFrame({"who": [], "calls": []}, schema={"who": pl.String, "calls": pl.Int64}),
        pl.DataFrame({"who": ["O'Neil & co"], "calls": [7]}),
    ]
    cells = [esc_expr(pl.col("who")), fmt.count_expr(pl.col("calls"))]
    tables = tables_html(frames, columns, cells, caption="C", empty="None yet.")
    head = (
        '<div class="table-wrap"><table class="data"><caption>C</caption><thead><tr>'
        '<th scope="col">Who</th><th scope="col" class="num">Calls</th></tr></thead><tbody>'
    )
    tail = "</tbody></table></div>"
    assert tables == [
        head + '<tr><th scope="row">&lt;b&gt;</th><td class="num">1,234</td></tr>'
        '<tr><th scope="row"></th><td class="num">2</td></tr>' + tail,
        '<p class="empty">None yet.</p>',
        head + '<tr><th scope="row">O&#x27;Neil &amp; co</th><td class="num">7</td></tr>' + tail,
    ]


# -- Member pages: validated once, however many members ----------------------------------


def many_members(count: int) -> ReportData:
    """The small group with ``count`` members: every one has alice's job rates; odd
    ones also asked for references; member i logged i + 1 job calls on 2026-11-23
    and, when odd, one reference call on 2026-11-09."""
    data = small_report_data()
    by_strategy = data.by_strategy
    job = by_strategy.filter(pl.col("member") == "alice")
    reference = by_strategy.filter(
        (pl.col("scope") == "group") & (pl.col("strategy") == "reference")
    ).with_columns(scope=pl.lit("member"))
    names = [f"member {i:02d}" for i in range(count)]
    member_rates = [
        frame.with_columns(member=pl.lit(name))
        for i, name in enumerate(names)
        for frame in ([job, reference] if i % 2 else [job])
    ]
    weekly = [
        {"scope": "member", "member": name, "week_start": dt.date(2026, 11, 23),
         "strategy": "job", "calls": i + 1}
        for i, name in enumerate(names)
    ] + [
        {"scope": "member", "member": name, "week_start": dt.date(2026, 11, 9),
         "strategy": "reference", "calls": 1}
        for i, name in enumerate(names) if i % 2
    ]  # fmt: skip
    group_weekly = data.weekly_activity.filter(pl.col("scope") == "group")
    return dataclasses.replace(
        data,
        by_strategy=pl.concat([by_strategy.filter(pl.col("scope") == "group"), *member_rates]),
        weekly_activity=pl.concat([group_weekly, pl.DataFrame(weekly, schema=group_weekly.schema)]),
        members=tuple(dataclasses.replace(data.members[0], member=name) for name in names),
    )


def validations_to_render(count: int, root: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many times Altair validates a spec while the pages of ``count`` members render."""
    member_charts.versus_template.cache_clear()
    member_charts.weekly_template.cache_clear()
    calls = []
    validate = schemapi.validate_jsonschema

    def counting(*args, **kwargs):
        calls.append(1)
        return validate(*args, **kwargs)

    monkeypatch.setattr(schemapi, "validate_jsonschema", counting)
    paths = render_reports(many_members(count), root, as_of=SMALL_AS_OF)
    monkeypatch.setattr(schemapi, "validate_jsonschema", validate)
    assert len(paths) == count + 2  # group, members, index
    return len(calls)


def test_member_pages_do_not_validate_a_chart_per_member(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    thirty = validations_to_render(30, tmp_path / "30", monkeypatch)
    sixty = validations_to_render(60, tmp_path / "60", monkeypatch)
    assert thirty > 0
    assert sixty == thirty


def test_each_member_chart_gets_that_members_rows(tmp_path: Path) -> None:
    render_reports(many_members(4), tmp_path, as_of=SMALL_AS_OF)
    members = tmp_path / "2026-W48" / "members"
    even = specs_of((members / "member-00.html").read_text())
    odd = specs_of((members / "member-03.html").read_text())
    assert even["spec-versus"]["title"]["text"] == "Your rates against the group's"
    assert even["spec-versus"]["spec"]["layer"][0]["encoding"]["y"]["sort"] == ["job"]
    assert odd["spec-versus"]["spec"]["layer"][0]["encoding"]["y"]["sort"] == ["job", "reference"]
    # Member 0 logged one job call in one week; member 3 four job calls on 2026-11-23
    # and one reference call two weeks before, the week between filled with zeros.
    assert even["spec-weekly"]["datasets"]["rows"] == [
        {"week_start": "2026-11-23", "strategy": "job", "calls": 1}
    ]
    assert odd["spec-weekly"]["datasets"]["rows"] == [
        {"week_start": "2026-11-09", "strategy": "job", "calls": 0},
        {"week_start": "2026-11-09", "strategy": "reference", "calls": 1},
        {"week_start": "2026-11-16", "strategy": "job", "calls": 0},
        {"week_start": "2026-11-16", "strategy": "reference", "calls": 0},
        {"week_start": "2026-11-23", "strategy": "job", "calls": 4},
        {"week_start": "2026-11-23", "strategy": "reference", "calls": 0},
    ]
    weekly_x = odd["spec-weekly"]["encoding"]["x"]
    assert weekly_x["axis"]["values"] == [
        {"date": day, "month": 11, "utc": True, "year": 2026} for day in (9, 16, 23)
    ]
    assert odd["spec-weekly"]["encoding"]["color"]["scale"] == {
        "domain": ["job", "reference"],
        "range": ["#08306b", "#d95f02"],
    }


# -- Writing ------------------------------------------------------------------------------


def test_an_unchanged_page_is_left_alone_and_a_changed_one_rewritten(tmp_path: Path) -> None:
    data = small_report_data()
    render_reports(data, tmp_path, as_of=SMALL_AS_OF)
    alice = tmp_path / "2026-W48" / "members" / "alice.html"
    first = alice.stat().st_ino
    render_reports(data, tmp_path, as_of=SMALL_AS_OF)
    assert alice.stat().st_ino == first
    busier = dataclasses.replace(data.members[0], calls_total=8)
    render_reports(dataclasses.replace(data, members=(busier, *data.members[1:])), tmp_path,
                   as_of=SMALL_AS_OF)  # fmt: skip
    assert alice.stat().st_ino != first
    assert '<dt>Your calls in total</dt><dd><span class="value">8</span>' in alice.read_text()
    assert not list(alice.parent.glob(".*.partial"))


def versus_table_cells(page: str) -> list[list[str]]:
    section = page[page.index('<section id="versus">') : page.index('<section id="your-results">')]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", section)
    return [[html.unescape(c) for c in re.split(r"</t[hd]><td[^>]*>", row[: -len("</td>")])]
            for row in rows]  # fmt: skip


def test_versus_table_rows_worked_out_by_hand(tmp_path: Path) -> None:
    # Alice: job calls only (yes 1 of 2, nothing mature) and, here, the same numbers
    # under "mixed", which the group never used.
    data = small_report_data()
    alice_job = data.by_strategy.filter(pl.col("member") == "alice")
    data = dataclasses.replace(
        data,
        by_strategy=pl.concat([data.by_strategy, alice_job.with_columns(strategy=pl.lit("mixed"))]),
    )
    render_reports(data, tmp_path, as_of=SMALL_AS_OF)
    page = (tmp_path / "2026-W48" / "members" / "alice.html").read_text()
    assert versus_table_cells(page) == [
        ["Yes rate", "job", "1 / 2", "50% [9–91%]", "4 / 10", "40% [17–69%]"],
        ["Yes rate", "mixed", "1 / 2", "50% [9–91%]", "–", "no calls"],
        ["Introduction rate", "job", "0 / 0", "–", "1 / 10", "10% [2–40%]"],
        ["Introduction rate", "mixed", "0 / 0", "–", "–", "no calls"],
        ["Lead rate", "job", "0 / 0", "–", "5 / 10", "50% [24–76%]"],
        ["Lead rate", "mixed", "0 / 0", "–", "–", "no calls"],
        ["Reached-out rate", "job", "0 / 0", "–", "2 / 10", "20% [6–51%]"],
        ["Reached-out rate", "mixed", "0 / 0", "–", "–", "no calls"],
        ["Leads per call", "job", "0 calls", "–", "10 calls", "0.80 [0.40–1.40]"],
        ["Leads per call", "mixed", "0 calls", "–", "–", "no calls"],
    ]
    # Bob has no rates at all: the table says so instead of a chart.
    bob = (tmp_path / "2026-W48" / "members" / "bob.html").read_text()
    assert (
        '<section id="versus"><h2>Your numbers against the group&#x27;s</h2>'
        '<p class="empty">You have no calls yet.</p>' in bob
    )


def test_pages_made_in_parts_equal_pages_made_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five members with their own rates, weeks, lists and plans: a part of two members
    # (the last part has one) must give every page byte for byte as one part does.
    fixture = build_warehouse(plans=True)
    data = load_report_data(fixture.con, as_of=AS_OF, run_id=RUN_ID)
    assert all(m.open_assignments.height for m in data.members)
    monkeypatch.setattr(report_write, "MEMBERS_PER_PART", 2)
    in_parts = render_reports(data, tmp_path / "parts", as_of=AS_OF)
    monkeypatch.setattr(report_write, "MEMBERS_PER_PART", 1000)
    at_once = render_reports(data, tmp_path / "once", as_of=AS_OF)
    names = [p.relative_to(tmp_path / "parts").as_posix() for p in in_parts]
    assert names == [p.relative_to(tmp_path / "once").as_posix() for p in at_once]
    # The group page is listed first and the index last, the members in between.
    assert names[0] == "2026-W48/group.html" and names[-1] == "index.html"
    assert len(names) == len(fixture.members) + 2
    for one, other in zip(in_parts, at_once, strict=True):
        assert one.read_bytes() == other.read_bytes(), one.name
