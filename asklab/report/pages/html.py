"""HTML building blocks: escaping, tables, chart figures and the self-contained page.

Every text goes through ``esc`` unless it is ``Markup`` (HTML this module or
its callers built from escaped parts); ``esc_expr`` does the same to a whole
Polars column, for the tables of every member page written in one pass
(``tables_html``). Chart specs go into the page as JSON inside
``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as
``\\u003c`` etc., so no cell value can close the script element.

Each page with charts carries one inline Vega/Vega-Lite/vega-embed bundle
(from ``vl_convert.javascript_bundle``; about 2 s of CPU to build, so it is
cached on disk under ``$XDG_CACHE_HOME/asklab/`` per vl-convert and
Vega-Lite version) and one small script that embeds
every chart with the SVG renderer, actions off and Vega's AST interpreter
(``ast: true``), so no expression is compiled with ``eval``/``Function``. The
Content-Security-Policy allows only those two scripts (by SHA-256 hash),
inline styles and ``data:`` images, and no other origin at all.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import html
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import numpy as np
import polars as pl
import vl_convert

from asklab.report.figures.specs import ChartSpec
from asklab.report.figures.specs import script_json as script_json  # re-exported for the pages


class Markup(str):
    """Text that is already HTML (built from escaped parts): ``esc`` leaves it alone."""

    __slots__ = ()


_NEEDS_ESCAPE = re.compile("[&<>\"']")


def esc(value: object) -> str:
    """Escape any value for HTML text or an attribute; None becomes ''."""
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    text = str(value)
    # Most cells are plain text: finding that out is cheaper than escaping.
    return html.escape(text, quote=True) if _NEEDS_ESCAPE.search(text) else text


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
        return empty_note(empty)
    opens = [
        f'<th scope="row"{_num(c)}>' if i == 0 and row_header else f"<td{_num(c)}>"
        for i, c in enumerate(columns)
    ]
    closes = ["</th>" if i == 0 and row_header else "</td>" for i in range(len(columns))]
    parts = []
    for row in rows:
        parts.append("<tr>")
        for opening, cell, closing in zip(opens, row, closes, strict=True):
            parts += [opening, esc(cell), closing]
        parts.append("</tr>")
    return table_shell(
        columns, "".join(parts), caption=caption, header_rows=header_rows, css_class=css_class
    )


def _num(column: Column) -> str:
    return ' class="num"' if column.numeric else ""


def empty_note(text: str) -> Markup:
    """What a table shows instead when it has no rows."""
    return Markup(f'<p class="empty">{esc(text)}</p>')


def table_shell(
    columns: Sequence[Column],
    body: str,
    *,
    caption: str | None = None,
    header_rows: Sequence[Markup] = (),
    css_class: str = "data",
) -> Markup:
    """The table around ``body``, its ``<tr>`` rows already written (``table_html`` markup)."""
    parts = [f'<div class="table-wrap"><table class="{esc(css_class)}">']
    if caption:
        parts.append(f"<caption>{esc(caption)}</caption>")
    parts.append("<thead>")
    parts.extend(header_rows)
    parts.append("<tr>")
    parts.extend(f'<th scope="col"{_num(column)}>{esc(column.label)}</th>' for column in columns)
    parts.append("</tr></thead><tbody>")
    parts.append(body)
    parts.append("</tbody></table></div>")
    return Markup("".join(parts))


# -- Tables of many pages at once -------------------------------------------------------
# A member's lists grow with their calls. Formatting every cell in Python costs
# microseconds a cell, so the rows of all pages are written by Polars in one pass.

_HTML_SPECIAL = ["&", "<", ">", '"', "'"]
_HTML_ESCAPED = ["&amp;", "&lt;", "&gt;", "&quot;", "&#x27;"]
_HTML_SPECIAL_CLASS = "[&<>\"']"


def esc_expr(text: pl.Expr) -> pl.Expr:
    """``esc`` for a String column: escaped like ``html.escape(quote=True)``; null is ''."""
    # Most cells need nothing: finding those first is much faster than replacing in all.
    special = text.str.contains(_HTML_SPECIAL_CLASS)
    escaped = pl.when(special).then(text.str.replace_many(_HTML_SPECIAL, _HTML_ESCAPED))
    return escaped.otherwise(text).fill_null("")


def row_html_expr(
    columns: Sequence[Column], cells: Sequence[pl.Expr], *, row_header: bool = True
) -> pl.Expr:
    """Each row's ``<tr>`` as ``table_html`` writes it; ``cells`` are escaped, non-null text."""
    parts: list[pl.Expr] = [pl.lit("<tr>")]
    for index, (column, cell) in enumerate(zip(columns, cells, strict=True)):
        tag = "th" if index == 0 and row_header else "td"
        scope = ' scope="row"' if tag == "th" else ""
        parts += [pl.lit(f"<{tag}{scope}{_num(column)}>"), cell, pl.lit(f"</{tag}>")]
    parts.append(pl.lit("</tr>"))
    return pl.concat_str(parts)


def tables_html(
    frames: Sequence[pl.DataFrame],
    columns: Sequence[Column],
    cells: Sequence[pl.Expr],
    *,
    caption: str | None = None,
    empty: str = "Nothing to show.",
) -> list[Markup]:
    """One ``table_html`` per frame (same columns), every row written in one Polars pass."""
    filled = [index for index, frame in enumerate(frames) if frame.height]
    bodies: dict[int, str] = {}
    if filled:
        combined = pl.concat([frames[i] for i in filled], how="vertical_relaxed")
        table = np.repeat(np.array(filled), [frames[i].height for i in filled])
        joined = (
            combined.select(row_html_expr(columns, cells).alias("_html"))
            .with_columns(_table=pl.Series(table))
            # Rows keep their order within a group; groups come in table order.
            .group_by("_table", maintain_order=True)
            .agg(pl.col("_html").str.join(""))
        )
        bodies = dict(joined.select("_table", "_html").iter_rows())
    return [
        table_shell(columns, bodies[index], caption=caption)
        if index in bodies
        else empty_note(empty)
        for index in range(len(frames))
    ]


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
    """One chart: its Vega-Lite spec, a caption and the table of its numbers."""

    key: str  # unique within a page, [a-z0-9-]
    spec: ChartSpec
    caption: str
    table: Markup
    # Tables longer than this fold into a <details> element under the chart.
    fold_table: bool = False


def figure_html(figure: Figure) -> Markup:
    details_open = "" if figure.fold_table else " open"
    key = esc(figure.key)
    return Markup(
        f'<figure class="chart-figure" id="fig-{key}">'
        f'<div class="chart" data-vega-spec="spec-{key}"'
        f' aria-describedby="cap-{key}"></div>'
        f'<script type="application/json" id="spec-{key}">{figure.spec.text}</script>'
        f'<figcaption id="cap-{key}"><strong>{esc(figure.spec.title)}.</strong> '
        f"{esc(figure.caption)}</figcaption>"
        f"<details{details_open}><summary>The numbers behind this chart</summary>"
        f"{figure.table}</details>"
        "</figure>"
    )


# The bundle must run the same Vega-Lite major.minor that Altair writes specs for.
def _bundle_vegalite_version() -> str | None:
    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vl_convert.get_vegalite_versions() else None


def _build_vega_bundle(vegalite_version: str | None) -> str:
    """Build the bundle with vl_convert (about 2 s of CPU, holding the GIL)."""
    return vl_convert.javascript_bundle(vl_version=vegalite_version)


def vega_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/asklab`` (``~/.cache/asklab`` when unset or not absolute)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "asklab"


def vega_bundle_cache_path(vegalite_version: str | None) -> Path:
    """The cache file of the bundle for this vl-convert and Vega-Lite version."""
    versions = f"vlconvert-{vl_convert.__version__}-vegalite-{vegalite_version or 'default'}"
    return vega_cache_dir() / f"vega-bundle-{versions}.js"


_BUNDLE_TAIL = 1000


def _read_cached_bundle(path: Path) -> str | None:
    """The cached bundle, or None when missing, unreadable or not a whole bundle."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    # The bundle ends by setting window.vegaEmbed: an empty or cut file is built again.
    return text if "window.vegaEmbed=" in text[-_BUNDLE_TAIL:] else None


def _write_cached_bundle(path: Path, bundle: str) -> None:
    """Write the cache atomically (temp file, then rename); failing to is not an error."""
    temp_name: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".vega-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as temp:
            temp.write(bundle)
        os.replace(temp_name, path)
    except OSError:
        # A read-only home only costs the next run the build again.
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)


def load_vega_bundle() -> str:
    """The bundle from the disk cache, else built (and cached for the next run)."""
    version = _bundle_vegalite_version()
    path = vega_bundle_cache_path(version)
    bundle = _read_cached_bundle(path)
    if bundle is None:
        bundle = _build_vega_bundle(version)
        _write_cached_bundle(path, bundle)
    if "</script" in bundle.lower():
        raise RuntimeError("the Vega bundle contains '</script' and cannot be inlined")
    return bundle


@functools.cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script that sets ``window.vegaEmbed``
    (read once per process)."""
    return load_vega_bundle()


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


@functools.lru_cache(maxsize=8)
def script_hash(text: str) -> str:
    """The CSP source for an inline script (cached: the bundle is 0.9 MB to hash)."""
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
    csp = _chart_page_csp() if has_charts else content_security_policy([])
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


def _chart_page_csp() -> str:
    return content_security_policy([vega_bundle(), EMBED_SCRIPT])


@functools.cache
def _chart_scripts() -> str:
    return f"<script>{vega_bundle()}</script><script>{EMBED_SCRIPT}</script>"


@functools.cache
def _chart_scripts_utf8() -> bytes:
    return _chart_scripts().encode("utf-8")


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
    return before + (_chart_scripts() if has_charts else "") + after


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
    scripts = _chart_scripts_utf8() if has_charts else b""
    return (before.encode("utf-8"), scripts, after.encode("utf-8"))
