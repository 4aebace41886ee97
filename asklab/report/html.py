"""HTML building blocks: escaping, tables, chart figures and the self-contained page.

Every text goes through ``esc`` unless it is ``Markup`` (HTML this module or
its callers built from escaped parts). Chart specs go into the page as JSON
inside ``<script type="application/json">`` with ``<``, ``>`` and ``&``
written as ``\\u003c`` etc., so no cell value can close the script element.

Each page with charts carries one inline Vega/Vega-Lite/vega-embed bundle
(from ``vl_convert.javascript_bundle``) and one small script that embeds
every chart with the SVG renderer, actions off and Vega's AST interpreter
(``ast: true``), so no expression is compiled with ``eval``/``Function``. The
Content-Security-Policy allows only those two scripts (by SHA-256 hash),
inline styles and ``data:`` images, and no other origin at all.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import vl_convert


class Markup(str):
    """Text that is already HTML (built from escaped parts): ``esc`` leaves it alone."""

    __slots__ = ()


def esc(value: object) -> str:
    """Escape any value for HTML text or an attribute; None becomes ''."""
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def script_json(value: Any) -> str:
    """JSON safe to put inside a ``<script>`` element: no ``<``, ``>`` or ``&`` left."""
    text = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# -- Tables --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


def table_html(
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    *,
    caption: str | None = None,
    row_header: bool = True,
    header_rows: Sequence[Markup] = (),
    empty: str = "Nothing to show.",
    css_class: str = "data",
) -> Markup:
    """A table with ``<th scope="col">`` headers; the first cell of a row is its header.

    ``header_rows`` are extra ``<tr>`` rows (already HTML) placed above the
    column labels, e.g. a row of ``colgroup`` headers.
    """
    if not rows:
        return Markup(f'<p class="empty">{esc(empty)}</p>')
    parts = [f'<div class="table-wrap"><table class="{esc(css_class)}">']
    if caption:
        parts.append(f"<caption>{esc(caption)}</caption>")
    parts.append("<thead>")
    parts.extend(header_rows)
    parts.append("<tr>")
    for column in columns:
        num = ' class="num"' if column.numeric else ""
        parts.append(f'<th scope="col"{num}>{esc(column.label)}</th>')
    parts.append("</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>")
        for index, (column, cell) in enumerate(zip(columns, row, strict=True)):
            num = ' class="num"' if column.numeric else ""
            if index == 0 and row_header:
                parts.append(f'<th scope="row"{num}>{esc(cell)}</th>')
            else:
                parts.append(f"<td{num}>{esc(cell)}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    return Markup("".join(parts))


def flags_html(flags: Sequence[str]) -> Markup:
    return Markup(" ".join(f'<span class="flag">{esc(flag)}</span>' for flag in flags))


def tiles_html(tiles: Sequence[tuple[str, str, str]]) -> Markup:
    """KPI tiles from (value, label, note) triples."""
    parts = ['<dl class="tiles">']
    for value, label, note in tiles:
        note_html = f'<span class="note">{esc(note)}</span>' if note else ""
        parts.append(
            f'<div class="tile"><dt>{esc(label)}</dt>'
            f'<dd><span class="value">{esc(value)}</span>{note_html}</dd></div>'
        )
    parts.append("</dl>")
    return Markup("".join(parts))


# -- Charts --------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One chart: its Altair spec, a caption and the table of its numbers."""

    key: str  # unique within a page, [a-z0-9-]
    chart: alt.TopLevelMixin
    caption: str
    table: Markup
    # Tables longer than this fold into a <details> element under the chart.
    fold_table: bool = False


def figure_html(figure: Figure) -> Markup:
    spec = figure.chart.to_dict()
    title = _spec_title(spec)
    details_open = "" if figure.fold_table else " open"
    return Markup(
        f'<figure class="chart-figure" id="fig-{esc(figure.key)}">'
        f'<div class="chart" data-vega-spec="spec-{esc(figure.key)}"'
        f' aria-describedby="cap-{esc(figure.key)}"></div>'
        f'<script type="application/json" id="spec-{esc(figure.key)}">{script_json(spec)}</script>'
        f'<figcaption id="cap-{esc(figure.key)}"><strong>{esc(title)}.</strong> '
        f"{esc(figure.caption)}</figcaption>"
        f"<details{details_open}><summary>The numbers behind this chart</summary>"
        f"{figure.table}</details>"
        "</figure>"
    )


def _spec_title(spec: dict[str, Any]) -> str:
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    return str(title)


# The bundle must run the same Vega-Lite major.minor that Altair writes specs for.
def _bundle_vegalite_version() -> str | None:
    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vl_convert.get_vegalite_versions() else None


@functools.cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script that sets ``window.vegaEmbed``."""
    bundle = vl_convert.javascript_bundle(vl_version=_bundle_vegalite_version())
    if "</script" in bundle.lower():
        raise RuntimeError("the Vega bundle contains '</script' and cannot be inlined")
    return bundle


# Embeds every chart on the page. `ast: true` makes Vega interpret expressions
# from their syntax tree instead of compiling them with Function().
EMBED_SCRIPT = """(function () {
  "use strict";
  var options = {renderer: "svg", actions: false, ast: true, mode: "vega-lite"};
  var charts = document.querySelectorAll("[data-vega-spec]");
  Array.prototype.forEach.call(charts, function (el) {
    var source = document.getElementById(el.getAttribute("data-vega-spec"));
    var spec = JSON.parse(source.textContent);
    window.vegaEmbed(el, spec, options).catch(function (error) {
      el.textContent = "This chart could not be drawn; its numbers are in the table below.";
      console.error(error);
    });
  });
})();"""


def script_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(scripts: Sequence[str]) -> str:
    """No other origin, ever; only the page's own scripts run.

    'unsafe-inline' is there for browsers without CSP level 2: any browser
    that understands the hashes ignores it, so an injected inline script
    would not run either. No 'unsafe-eval': Vega runs with its interpreter.
    """
    script_src = " ".join(["'unsafe-inline'", *(script_hash(s) for s in scripts)])
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {script_src}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "font-src 'none'",
            "connect-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


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
    scripts = [vega_bundle(), EMBED_SCRIPT] if has_charts else []
    script_html = "".join(f"<script>{s}</script>" for s in scripts)
    noscript = (
        "<noscript><p class='wrap empty'>Charts need JavaScript; every chart's numbers"
        " are in the table under it.</p></noscript>"
        if has_charts
        else ""
    )
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" '
        f'content="{esc(content_security_policy(scripts))}">\n'
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
        f"{script_html}\n</body>\n</html>\n"
    )
