"""Every text that came from a user's file shows as text on every page (CONTRACT section 5).

A hostile value is put in each user-text slot the pages have (member name,
contact names, introduction source, every field of a rejected cell,
relationship, strategy, run id) and the pages are rendered: no slot's value
appears unescaped, each appears escaped where it is shown, the only scripts
are the page's own, and chart JSON keeps ``</script>`` as ``\\u003c/script...``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import polars as pl
import pytest
from markupsafe import Markup

from asklab.keys import member_slug
from asklab.report import render_reports
from asklab.report.assets.vega_bundle import vega_bundle
from asklab.report.markup import esc
from asklab.report.pages.shell import environment
from tests.browser.fixtures import (
    SMALL_AS_OF,
    small_report_data,
    vega_cache_in_tmp,  # noqa: F401 (autouse)
)

SPEC_SCRIPT = re.compile(r'<script type="application/json" id="(spec-[a-z0-9-]+)">(.*?)</script>')


def hostile(slot: str) -> str:
    return f"</script><script>alert(\"{slot}\")</script>'&<img src=x onerror=alert('{slot}')>"


SLOTS = (
    "member", "run", "reference-contact", "reached-contact", "intro-contact", "source",
    "file", "sheet", "column", "value", "reason", "relationship", "strategy",
)  # fmt: skip
# Where each slot must show (escaped): page names relative to the week folder.
MEMBER = hostile("member")
MEMBER_PAGE = f"members/{member_slug(MEMBER)}.html"
SHOWN_ON = {
    "member": ["group.html", MEMBER_PAGE],
    "run": ["group.html", MEMBER_PAGE, "members/bob.html"],
    "reference-contact": [MEMBER_PAGE],
    "reached-contact": [MEMBER_PAGE],
    "intro-contact": [MEMBER_PAGE],
    "source": [MEMBER_PAGE],
    "file": [MEMBER_PAGE],
    "sheet": [MEMBER_PAGE],
    "column": [MEMBER_PAGE],
    "value": [MEMBER_PAGE],
    "reason": [MEMBER_PAGE],
    "relationship": ["group.html"],
    "strategy": ["group.html", MEMBER_PAGE],
}


def hostile_report_data():
    """The small group with alice renamed and a hostile value in every text slot."""
    data = small_report_data()

    def renamed(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.col("member").replace("alice", MEMBER))

    alice = data.members[0]
    alice = dataclasses.replace(
        alice,
        member=MEMBER,
        references_to_call=alice.references_to_call.with_columns(
            contact=pl.lit(hostile("reference-contact"))
        ),
        reached_out=alice.reached_out.with_columns(contact=pl.lit(hostile("reached-contact"))),
        introductions=alice.introductions.with_columns(
            contact=pl.lit(hostile("intro-contact")), source=pl.lit(hostile("source"))
        ),
        rejected=alice.rejected.with_columns(
            source_file=pl.lit(hostile("file")),
            sheet=pl.lit(hostile("sheet")),
            column=pl.lit(hostile("column")),
            value=pl.lit(hostile("value")),
            reason=pl.lit(hostile("reason")),
        ),
    )
    by_strategy = renamed(data.by_strategy)
    # A strategy outside the vocabulary, for the group and the member.
    odd = by_strategy.filter(pl.col("strategy") == "job").with_columns(
        strategy=pl.lit(hostile("strategy"))
    )
    # The member on the forest plot: a comparison row of their own.
    member_comparison = data.comparison.filter(pl.col("metric") == "yes_rate").with_columns(
        scope=pl.lit("member"), member=pl.lit(MEMBER)
    )
    return dataclasses.replace(
        data,
        run_id=hostile("run"),
        by_strategy=pl.concat([by_strategy, odd]),
        comparison=pl.concat([data.comparison, member_comparison]),
        by_relationship=data.by_relationship.with_columns(
            relationship=pl.lit(hostile("relationship"))
        ),
        lead_timing=renamed(data.lead_timing),
        weekly_activity=renamed(data.weekly_activity),
        member_summary=renamed(data.member_summary),
        members=(alice, *data.members[1:]),
    )


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("hostile")
    paths = render_reports(hostile_report_data(), root, as_of=SMALL_AS_OF)
    week = root / "2026-W48"
    return {
        (p.relative_to(week) if p.is_relative_to(week) else p.relative_to(root)).as_posix(): (
            p.read_text(encoding="utf-8")
        )
        for p in paths
    }


def test_no_hostile_value_appears_unescaped(pages: dict[str, str]) -> None:
    for name, page in pages.items():
        for slot in SLOTS:
            value = hostile(slot)
            assert value not in page, (name, slot)
            # No piece of it that makes an element either.
            assert f'<script>alert("{slot}")' not in page, (name, slot)
            assert f"<img src=x onerror=alert('{slot}')>" not in page, (name, slot)


@pytest.mark.parametrize("slot", SLOTS)
def test_each_slot_shows_its_value_as_text(pages: dict[str, str], slot: str) -> None:
    for name in SHOWN_ON[slot]:
        assert esc(hostile(slot)) in pages[name], (slot, name)


def test_quotes_are_escaped_one_way_on_every_page(pages: dict[str, str]) -> None:
    # The templates escape as the tables do (html.escape): never markupsafe's &#39;/&#34;.
    for name, page in pages.items():
        assert "&#39;" not in page and "&#34;" not in page, name


def test_only_the_pages_own_scripts_and_no_elements_from_user_text(
    pages: dict[str, str],
) -> None:
    for name, page in pages.items():
        specs = SPEC_SCRIPT.findall(page)
        assert page.count("<script") == len(specs) + (2 if specs else 0), name
        # The Vega bundle writes <img in its own code: look at the rest of the page.
        assert "<img" not in page.replace(vega_bundle(), ""), name


def test_chart_json_keeps_hostile_names_as_data(pages: dict[str, str]) -> None:
    specs = dict(SPEC_SCRIPT.findall(pages["group.html"]))
    forest = specs["spec-members-comparison"]
    assert "</script" not in forest and "\\u003c/script\\u003e" in forest
    rows = json.loads(forest)["datasets"]["rows"]
    assert MEMBER in {row["row"] for row in rows}
    relationship = json.loads(specs["spec-relationship"])["datasets"]["rows"]
    assert {row["relationship"] for row in relationship} == {hostile("relationship")}


def test_member_page_title_and_heading_escape_the_member_name(pages: dict[str, str]) -> None:
    page = pages[MEMBER_PAGE]
    assert f"<title>asklab report 2026-W48: {esc(MEMBER)}</title>" in page
    assert f"<h1>{esc(MEMBER)}: week 2026-W48</h1>" in page


def test_templates_escape_every_value_that_is_not_markup() -> None:
    template = environment().from_string("<p title='{{ v }}'>{{ v }}</p>{{ m }}{{ nothing }}")
    text = template.render(v="<a href=\"x\">'&'</a>", m=Markup("<b>kept</b>"), nothing=None)
    escaped = "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
    assert text == f"<p title='{escaped}'>{escaped}</p><b>kept</b>"


def test_every_template_ships_in_the_wheel() -> None:
    # pyproject.toml package-data for asklab.report lists templates/*.html and *.css.
    templates = Path(environment().loader.searchpath[0])
    names = sorted(p.name for p in templates.iterdir())
    assert names, templates
    assert all(name.endswith((".html", ".css")) for name in names), names
