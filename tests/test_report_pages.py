"""render_reports from hand-made ReportData: files, tables, privacy, escaping, charts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import itertools
import json
import re
from pathlib import Path

import pytest

from asklab.keys import member_slug
from asklab.report import render_reports
from asklab.report.figures.group_charts import TIMING_COLOURS
from asklab.report.figures.style import STRATEGY_COLOURS
from asklab.report.frames.group_tables import member_mix_rows
from asklab.report.frames.headline import Side, headline_rows, metric_flags
from asklab.report.frames.scopes import scope_rows
from asklab.report.markup import esc
from asklab.report.pages.shell import iso_week_label
from tests.browser.fixtures import (
    IMG_CONTACT,
    SCRIPT_CONTACT,
    SCRIPT_VALUE,
    SMALL_AS_OF,
    SMALL_NOTES,
    small_calls,
    small_report_data,
    vega_cache_in_tmp,  # noqa: F401 (autouse)
)

SPEC_SCRIPT = re.compile(r'<script type="application/json" id="(spec-[a-z0-9-]+)">(.*?)</script>')
EXTERNAL_LINK = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The pages rendered once for the module's read-only checks."""
    root = tmp_path_factory.mktemp("reports")
    paths = render_reports(small_report_data(), root, as_of=SMALL_AS_OF)
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in paths}


def specs_of(page: str) -> dict[str, dict]:
    return {key: json.loads(text) for key, text in SPEC_SCRIPT.findall(page)}


def dataset_rows(spec: dict) -> list[dict]:
    rows = []
    for values in spec.get("datasets", {}).values():
        rows.extend(values)
    return rows


# -- Files ------------------------------------------------------------------------------


def test_iso_week_label_uses_the_iso_year() -> None:
    assert iso_week_label(dt.date(2026, 11, 26)) == "2026-W48"
    assert iso_week_label(dt.date(2027, 1, 1)) == "2026-W53"
    assert iso_week_label(dt.date(2025, 12, 29)) == "2026-W01"


def test_member_slug_follows_the_contract() -> None:
    assert member_slug("chen wei") == "chen-wei"
    assert member_slug("o'brien & co") == "o-brien-co"
    assert member_slug("--ann--") == "ann"
    assert member_slug("zoë 2") == "zoe-2"


def test_writes_group_member_and_index_pages(written: dict[str, str]) -> None:
    assert list(written) == [
        "2026-W48/group.html",
        "2026-W48/members/alice.html",
        "2026-W48/members/bob.html",
        "2026-W48/members/carol.html",
        "index.html",
    ]


def test_index_lists_every_week_newest_first(tmp_path: Path) -> None:
    old = tmp_path / "2026-W40"
    (old / "members").mkdir(parents=True)
    (old / "group.html").write_text("old")
    (old / "members" / "dave.html").write_text("old")
    (tmp_path / "assets").mkdir()  # not a week: not listed
    (tmp_path / "2027-W02" / "members").mkdir(parents=True)  # empty week: not listed
    render_reports(small_report_data(), tmp_path, as_of=SMALL_AS_OF)
    index = (tmp_path / "index.html").read_text()
    assert re.findall(r'href="([^"]+)"', index) == [
        "#main",
        "2026-W48/group.html",
        "2026-W48/members/alice.html",
        "2026-W48/members/bob.html",
        "2026-W48/members/carol.html",
        "2026-W40/group.html",
        "2026-W40/members/dave.html",
    ]


def test_rerun_removes_pages_of_members_gone_from_the_data(tmp_path: Path) -> None:
    data = small_report_data()
    render_reports(data, tmp_path, as_of=SMALL_AS_OF)
    fewer = dataclasses.replace(data, members=data.members[:2])
    render_reports(fewer, tmp_path, as_of=SMALL_AS_OF)
    members = sorted(p.name for p in (tmp_path / "2026-W48" / "members").iterdir())
    assert members == ["alice.html", "bob.html"]


def test_members_with_one_slug_or_none_get_hashed_page_names(tmp_path: Path) -> None:
    # CONTRACT section 1: no member name fails a run; a shared or empty slug
    # becomes "<slug cut to 40>-<first 8 hex of sha256(key)>".
    data = small_report_data()
    twin = dataclasses.replace(data.members[0], member="alice!")
    nameless = dataclasses.replace(data.members[0], member="дмитрий")
    pages = render_reports(
        dataclasses.replace(data, members=(*data.members, twin, nameless)),
        tmp_path,
        as_of=SMALL_AS_OF,
    )
    names = {p.name for p in pages if p.parent.name == "members"}

    def hashed(base: str, key: str) -> str:
        return f"{base}-{hashlib.sha256(key.encode()).hexdigest()[:8]}.html"

    assert hashed("alice", "alice") in names
    assert hashed("alice", "alice!") in names
    assert hashed("member", "дмитрий") in names
    assert "alice.html" not in names and "bob.html" in names


# -- Group page numbers ---------------------------------------------------------------------


def test_headline_rows_worked_out_by_hand() -> None:
    data = small_report_data()
    rows = headline_rows(
        scope_rows(data.by_strategy, None), scope_rows(data.comparison, None), with_mh=True
    )
    plain = [[str(cell) for cell in row[:-1]] for row in rows]
    assert plain == [
        ["Yes rate", "4 / 10", "40% [17–69%]", "6 / 10", "60% [31–83%]",
         "+20 pp [-19 to +50]", "80%", "+15 pp [+2 to +28]"],
        ["Introduction rate", "1 / 10", "10% [2–40%]", "2 / 8", "25% [7–59%]",
         "+15 pp [-16 to +47]", "85%", "+10 pp [-5 to +25]"],
        ["Lead rate", "5 / 10", "50% [24–76%]", "2 / 8", "25% [7–59%]",
         "-25 pp [-58 to +16]", "12%", "-20 pp [-41 to +1]"],
        ["Reached-out rate", "2 / 10", "20% [6–51%]", "4 / 8", "50% [22–78%]",
         "+30 pp [-12 to +62]", "90%", "–"],
        ["Leads per call", "10 calls", "0.80 [0.40–1.40]", "8 calls", "0.25 [0.03–0.90]",
         "-0.55", "–", "–"],
    ]  # fmt: skip
    flags = [str(row[-1]) for row in rows]
    # Yes rate: job 12 calls, 10 with a yes/no -> 2 advice-only; reference 10 of 10.
    assert flags[0] == '<span class="flag">2 advice-only calls excluded</span>'
    # Mature metrics: (12 - 10) + (10 - 8) = 4 immature; reference n = 8 < 10.
    assert flags[2] == (
        '<span class="flag">small sample (n &lt; 10 on a side)</span> '
        '<span class="flag">4 immature calls excluded</span>'
    )


def test_flags_say_which_side_has_nothing_to_count() -> None:
    young_job = Side(x=0, n=0, rate=None, lo=None, hi=None, calls=3, excluded=3)
    young_ref = Side(x=0, n=0, rate=None, lo=None, hi=None, calls=1, excluded=1)
    assert metric_flags("lead_rate", young_job, young_ref, None) == [
        "no mature job calls yet",
        "no mature reference calls yet",
        "4 immature calls excluded",
    ]
    one_advice = Side(x=2, n=12, rate=2 / 12, lo=0.05, hi=0.45, calls=13, excluded=1)
    assert metric_flags("yes_rate", one_advice, None, None) == [
        "no reference calls",
        "1 advice-only call excluded",
    ]
    both = Side(x=2, n=12, rate=2 / 12, lo=0.05, hi=0.45, calls=12, excluded=0)
    few = Side(x=1, n=9, rate=1 / 9, lo=0.02, hi=0.43, calls=9, excluded=0)
    assert metric_flags("yes_rate", both, few, None) == ["small sample (n < 10 on a side)"]
    assert metric_flags("yes_rate", both, both, None) == []
    # The comparison table's own small_sample flag wins when present.
    assert metric_flags("yes_rate", both, few, {"small_sample": False}) == []


def test_member_mix_rows_pool_the_group_last() -> None:
    rows = member_mix_rows(small_report_data())
    assert rows == [
        ["alice", "2", "0", "0", "0", "50% / –", "–", "– / –", "–"],
        ["All members, pooled", "12", "10", "0", "0", "40% / 60%", "+20 pp [-19 to +50]",
         "50% / 25%", "-25 pp [-58 to +16]"],
    ]  # fmt: skip


def test_group_page_shows_kpis_and_data_quality(written: dict[str, str]) -> None:
    page = written["2026-W48/group.html"]
    tiles = re.findall(r'<dt>([^<]+)</dt><dd><span class="value">([^<]+)</span>', page)
    assert tiles == [
        ("Calls this week", "2"),
        ("Calls in total", "10"),
        ("Active members", "2"),
        ("Mature calls", "3"),
        ("Rows rejected this run", "2"),
    ]
    quality = page[page.index('id="data-quality"') :]
    assert (
        '<th scope="row">(member not known)</th><td class="num">1</td><td class="num">1</td>'
        in quality
    )
    assert '<th scope="row">alice</th><td class="num">1</td><td class="num">2</td>' in quality


# -- Privacy and escaping ---------------------------------------------------------------------


def test_group_page_has_no_contact_names_keys_or_notes(written: dict[str, str]) -> None:
    page = written["2026-W48/group.html"]
    calls = small_calls()
    secrets = {*calls["contact"], *calls["contact_key"], *SMALL_NOTES, SCRIPT_VALUE}
    for secret in secrets:
        for form in {secret, esc(secret), html.escape(secret, quote=False)}:
            assert form not in page, secret
    lowered = page.lower()
    for name in ("grace", "okafor", "tomasz", "haddad", "moreau", "natarajan", "brennan"):
        assert name not in lowered


def test_no_page_links_or_loads_from_another_host(written: dict[str, str]) -> None:
    for name, page in written.items():
        assert EXTERNAL_LINK.search(page) is None, name
        assert "<link" not in page and "<iframe" not in page and "@import" not in page, name


def test_member_page_shows_hostile_text_escaped(written: dict[str, str]) -> None:
    page = written["2026-W48/members/bob.html"]
    for text in (SCRIPT_CONTACT, IMG_CONTACT, SCRIPT_VALUE):
        assert text not in page
        assert esc(text) in page
    # Only the page's own scripts (bundle and embed when it has charts) and chart data.
    specs = specs_of(page)
    assert page.count("<script") == len(specs) + (2 if specs else 0)
    assert "<img" not in page


def test_member_page_shows_only_that_members_contacts(written: dict[str, str]) -> None:
    alice = written["2026-W48/members/alice.html"]
    assert "Grace Okafor" in alice and "Ines Haddad" in alice
    assert esc(SCRIPT_CONTACT) not in alice and esc(IMG_CONTACT) not in alice
    assert "Maeve Brennan" not in alice  # carol's contact
    # Kwame (29 days) is not due yet; Priya said no.
    follow_ups = alice[alice.index("References to call back") : alice.index("Contacts who")]
    assert "Kwame" not in follow_ups and "Priya" not in follow_ups
    assert (
        '<th scope="row">Grace Okafor</th><td>2026-09-01</td><td>2026-09-01</td>'
        '<td class="num">86</td>' in follow_ups
    )


def test_member_page_lists_rejected_cells_with_file_and_line(written: dict[str, str]) -> None:
    alice = written["2026-W48/members/alice.html"]
    rejected = alice[alice.index('id="rejected"') :]
    assert (
        '<th scope="row">alice/calls.csv</th><td>–</td><td class="num">9</td>'
        "<td>call_date</td><td>31/31/2026</td><td>not a date</td>" in rejected
    )
    bob = written["2026-W48/members/bob.html"]
    assert (
        '<th scope="row">bob/calls.xlsx</th><td>Calls</td><td class="num">4</td>'
        f"<td>ask_type</td><td>{esc(SCRIPT_VALUE)}</td>" in bob
    )


# -- Charts ----------------------------------------------------------------------------------


ALLOWED_CHART_FIELDS = {
    "spec-rates": {"metric", "strategy", "rate", "rate_lo", "rate_hi", "x", "n"},
    "spec-time-to-lead": {"strategy", "day", "with_lead"},
    "spec-lead-timing": {
        "strategy", "timing", "timing_order", "leads_per_call", "leads", "mature_calls",
    },
    "spec-relationship": {"metric", "relationship", "strategy", "rate", "n", "label"},
    "spec-weekly": {"week_start", "strategy", "calls"},
    "spec-members-comparison": {
        "metric", "row", "row_order", "kind", "diff", "diff_lo", "diff_hi",
    },
}  # fmt: skip


def test_group_charts_get_only_their_aggregated_fields(written: dict[str, str]) -> None:
    specs = specs_of(written["2026-W48/group.html"])
    assert set(specs) == set(ALLOWED_CHART_FIELDS)
    for key, spec in specs.items():
        rows = dataset_rows(spec)
        assert rows, key
        fields = set().union(*(row.keys() for row in rows))
        assert fields <= ALLOWED_CHART_FIELDS[key], (key, fields)


def test_weekly_chart_fills_missing_weeks_with_zero(written: dict[str, str]) -> None:
    rows = dataset_rows(specs_of(written["2026-W48/group.html"])["spec-weekly"])
    assert rows == [
        {"week_start": "2026-11-09", "strategy": "job", "calls": 3},
        {"week_start": "2026-11-09", "strategy": "reference", "calls": 0},
        {"week_start": "2026-11-16", "strategy": "job", "calls": 0},
        {"week_start": "2026-11-16", "strategy": "reference", "calls": 0},
        {"week_start": "2026-11-23", "strategy": "job", "calls": 0},
        {"week_start": "2026-11-23", "strategy": "reference", "calls": 2},
    ]


def test_time_to_lead_chart_reads_the_curve_daily(written: dict[str, str]) -> None:
    # job: S = 1 then 2/3 on day 0, 5/9 from day 14; reference: 1, then 7/9 from day 21.
    rows = dataset_rows(specs_of(written["2026-W48/group.html"])["spec-time-to-lead"])
    job = [(r["day"], round(r["with_lead"], 6)) for r in rows if r["strategy"] == "job"]
    assert job == [(day, round(1 / 3, 6)) for day in range(14)] + [(14, round(4 / 9, 6))]
    reference = [(r["day"], round(r["with_lead"], 6)) for r in rows if r["strategy"] == "reference"]
    assert reference == [(day, 0.0) for day in range(21)] + [(21, round(2 / 9, 6))]
    assert {r["strategy"] for r in rows} == {"job", "reference"}


def test_time_to_lead_table_reads_milestone_days(written: dict[str, str]) -> None:
    page = written["2026-W48/group.html"]
    figure = page[page.index('id="fig-time-to-lead"') : page.index('id="fig-lead-timing"')]
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', figure)
    assert headers == ["Strategy", "Calls", "By day 0", "By day 7", "By day 14", "By day 21"]
    assert (
        '<th scope="row">job</th><td class="num">12</td><td class="num">33% [14–66%]</td>'
        '<td class="num">33% [14–66%]</td><td class="num">44% [22–75%]</td>'
        '<td class="num">–</td>' in figure
    )
    assert (
        '<th scope="row">reference</th><td class="num">10</td><td class="num">0%</td>'
        '<td class="num">0%</td><td class="num">0%</td><td class="num">22% [6–64%]</td>' in figure
    )


def test_every_chart_has_title_description_caption_and_table(written: dict[str, str]) -> None:
    for name, page in written.items():
        specs = specs_of(page)
        assert page.count("data-vega-spec=") == len(specs), name
        assert page.count("<figcaption") == len(specs), name
        assert page.count("The numbers behind this chart") == len(specs), name
        for key, spec in specs.items():
            assert spec["title"]["text"] and spec["description"], (name, key)
        assert (len(specs) > 0) == ("window.vegaEmbed" in page), name


def test_every_header_cell_has_a_scope(written: dict[str, str]) -> None:
    for name, page in written.items():
        assert re.search(r"<th(?=[\s>])(?![^>]*scope=)[^>]*>", page) is None, name


def test_member_page_charts_carry_no_contacts(written: dict[str, str]) -> None:
    for name in ("alice", "bob"):
        page = written[f"2026-W48/members/{name}.html"]
        text = json.dumps(list(specs_of(page).values()))
        for contact in small_calls()["contact"]:
            assert contact not in text


def _lightness(colour: str) -> float:
    """CIELAB L* of an sRGB hex colour (D65)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else 24389 / 27 * y


def test_colours_stay_distinct_in_grey_scale() -> None:
    for palette in (list(STRATEGY_COLOURS.values()), list(TIMING_COLOURS)):
        lightness = sorted(_lightness(c) for c in palette)
        gaps = [b - a for a, b in itertools.pairwise(lightness)]
        assert min(gaps) >= 12, (palette, lightness)


def test_empty_data_renders_pages_without_charts(tmp_path: Path) -> None:
    data = small_report_data()
    empty = dataclasses.replace(
        data,
        by_strategy=data.by_strategy.clear(),
        comparison=data.comparison.clear(),
        by_relationship=data.by_relationship.clear(),
        time_to_first_lead=data.time_to_first_lead.clear(),
        lead_timing=data.lead_timing.clear(),
        weekly_activity=data.weekly_activity.clear(),
        members=(),
    )
    paths = render_reports(empty, tmp_path, as_of=SMALL_AS_OF)
    group = paths[0].read_text()
    assert "<script" not in group
    assert "No calls yet." in group
    assert [r[0] for r in member_mix_rows(empty)] == ["All members, pooled"]
