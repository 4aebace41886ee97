"""The self-contained page around a page's body: head, CSP, style, header, footer.

A page with charts carries the Vega bundle and the embed script last; a page
is written as UTF-8 pieces so the 0.9 MB of scripts are encoded once per
process and never copied into a joined page.
"""

from __future__ import annotations

import datetime as dt

from asklab.report.assets.page_scripts import (
    chart_page_csp,
    chart_scripts,
    chart_scripts_utf8,
    content_security_policy,
)
from asklab.report.data import ReportData
from asklab.report.markup import Markup, esc

# A page as UTF-8 pieces, written one after the other (see ``page_utf8``).
Page = tuple[bytes, ...]


def iso_week_label(day: dt.date) -> str:
    """'2026-W48' for any day of that ISO week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def footer(data: ReportData, as_of: dt.date) -> str:
    run = data.run_id if data.run_id is not None else "none recorded"
    return f"asklab report as of {as_of.isoformat()} (ISO week {iso_week_label(as_of)}); run {run}."


STYLE = """
:root {
  --ink: #1c2230; --muted: #566074; --line: #dde1e8; --panel: #f5f6f8;
  --accent: #1f4e8c; --flag: #fff3d1; --flag-line: #d9b44a;
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.5 var(--font); color: var(--ink); background: #fff; }
.wrap { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; }
header.page { border-bottom: 1px solid var(--line); background: var(--panel); }
header.page .wrap { padding-top: 18px; padding-bottom: 14px; }
header.page nav { font-size: .9rem; color: var(--muted); }
h1 { font-size: 1.65rem; line-height: 1.25; margin: .3rem 0 .2rem; }
.lede { color: var(--muted); margin: 0; }
h2 { font-size: 1.2rem; margin: 2.4rem 0 .7rem; padding-bottom: .3rem;
     border-bottom: 2px solid var(--line); }
h3 { font-size: 1.02rem; margin: 1.6rem 0 .5rem; }
p { max-width: 75ch; }
a { color: var(--accent); }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr));
         gap: 12px; margin: 1.2rem 0 0; }
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
        padding: 10px 14px; }
.tile dt { color: var(--muted); font-size: .85rem; }
.tile dd { margin: 0; }
.tile .value { display: block; font-size: 1.75rem; font-weight: 650;
               font-variant-numeric: tabular-nums; }
.tile .note { display: block; color: var(--muted); font-size: .8rem; }
.table-wrap { overflow-x: auto; margin: .4rem 0 1rem; }
table { border-collapse: collapse; width: auto; min-width: min(100%, 36rem); font-size: .88rem;
        font-variant-numeric: tabular-nums; }
caption { text-align: left; color: var(--muted); font-size: .85rem; padding-bottom: .3rem; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left;
         vertical-align: top; }
thead th { background: var(--panel); font-weight: 600; border-bottom: 2px solid #b8bfcc; }
thead th[scope="colgroup"] { text-align: center; border-bottom: 1px solid #b8bfcc; }
tbody th { font-weight: 600; }
tbody tr:nth-child(even) { background: #fafbfc; }
.num { text-align: right; white-space: nowrap; }
table.headline td { white-space: nowrap; }
table.headline thead th { white-space: normal; }
table.headline { width: 100%; }
table.headline td:last-child { white-space: normal; min-width: 9rem; }
table.headline th, table.headline td { padding: 6px 8px; }
.flag { display: inline-block; background: var(--flag); border: 1px solid var(--flag-line);
        border-radius: 4px; padding: 0 6px; margin: 1px 0; font-size: .78rem; }
.chart-figure { margin: 1.2rem 0 2rem; }
.chart { overflow-x: auto; min-height: 40px; }
/* vega-embed makes its element inline-block; "container" widths need a block. */
.chart.vega-embed { display: block; width: 100%; }
.chart svg { max-width: none; }
figcaption { color: var(--muted); font-size: .9rem; margin: .5rem 0; max-width: 75ch; }
figcaption strong { color: var(--ink); }
details summary { cursor: pointer; color: var(--accent); font-size: .9rem; margin: .3rem 0; }
.empty { color: var(--muted); font-style: italic; }
.more { color: var(--muted); font-size: .85rem; margin: .3rem 0 0; }
.methods p, .methods li { max-width: 75ch; }
footer { border-top: 1px solid var(--line); margin-top: 3rem; color: var(--muted);
         font-size: .85rem; }
footer .wrap { padding-top: 12px; padding-bottom: 24px; }
ul.pages { padding-left: 1.2rem; }
ul.pages li { margin: .15rem 0; }
@media (max-width: 640px) {
  .wrap { padding: 0 14px; }
  body { font-size: 14px; }
}
@media print {
  header.page { background: none; }
  .chart-figure, table { break-inside: avoid; }
  a { color: inherit; }
}
"""


def page_parts(
    *,
    title: str,
    nav: Markup,
    heading: str,
    lede: str,
    body: Markup,
    has_charts: bool,
    footer: str,
) -> tuple[str, str]:
    """The page's HTML before and after its scripts (none without charts)."""
    csp = chart_page_csp() if has_charts else content_security_policy([])
    noscript = (
        "<noscript><p class='wrap empty'>Charts need JavaScript; every chart's numbers"
        " are in the table under it.</p></noscript>"
        if has_charts
        else ""
    )
    before = (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" '
        f'content="{esc(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title)}</title>\n"
        f"<style>{STYLE}</style>\n"
        "</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to the content</a>\n'
        f'<header class="page"><div class="wrap"><nav>{nav}</nav>'
        f"<h1>{esc(heading)}</h1><p class='lede'>{esc(lede)}</p></div></header>\n"
        f"{noscript}"
        f'<main id="main" class="wrap">\n{body}\n</main>\n'
        f'<footer><div class="wrap">{esc(footer)}</div></footer>\n'
    )
    return before, "\n</body>\n</html>\n"


def page_html(
    *,
    title: str,
    nav: Markup,
    heading: str,
    lede: str,
    body: Markup,
    has_charts: bool,
    footer: str,
) -> str:
    """A whole page. With charts, the Vega bundle and the embed script come last."""
    before, after = page_parts(
        title=title,
        nav=nav,
        heading=heading,
        lede=lede,
        body=body,
        has_charts=has_charts,
        footer=footer,
    )
    return before + (chart_scripts() if has_charts else "") + after


def page_utf8(
    *,
    title: str,
    nav: Markup,
    heading: str,
    lede: str,
    body: Markup,
    has_charts: bool,
    footer: str,
) -> tuple[bytes, ...]:
    """``page_html`` as UTF-8 pieces to write one after the other.

    The 0.9 MB of chart scripts are encoded once per process and never copied
    into a joined page: each page's own HTML is the only new bytes.
    """
    before, after = page_parts(
        title=title,
        nav=nav,
        heading=heading,
        lede=lede,
        body=body,
        has_charts=has_charts,
        footer=footer,
    )
    scripts = chart_scripts_utf8() if has_charts else b""
    return (before.encode("utf-8"), scripts, after.encode("utf-8"))
