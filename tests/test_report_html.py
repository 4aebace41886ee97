"""HTML building blocks: escaping, JSON in scripts, tables, the page shell and its CSP."""

from __future__ import annotations

import base64
import hashlib
import json
import re

from asklab.report import html as report_html
from asklab.report.html import (
    EMBED_SCRIPT,
    Column,
    Markup,
    content_security_policy,
    esc,
    page_html,
    script_json,
    table_html,
    vega_bundle,
)


def test_esc_escapes_markup_and_quotes_but_not_markup_objects() -> None:
    assert esc("<b>\"x\" & 'y'</b>") == "&lt;b&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/b&gt;"
    assert esc(None) == ""
    assert esc(Markup("<em>ok</em>")) == "<em>ok</em>"


def test_script_json_has_no_angle_brackets_or_ampersands() -> None:
    value = {"name": "</script><script>alert(1)</script> & co"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert text == (
        '{"name":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)'
        '\\u003c/script\\u003e \\u0026 co"}'
    )
    assert json.loads(text) == value


def test_table_has_scoped_headers_and_escaped_cells() -> None:
    html = table_html(
        [Column("Who"), Column("Calls", numeric=True)],
        [["<img src=x onerror=alert(2)>", "3"]],
        caption="A & B",
    )
    assert html == (
        '<div class="table-wrap"><table class="data"><caption>A &amp; B</caption>'
        '<thead><tr><th scope="col">Who</th><th scope="col" class="num">Calls</th></tr>'
        '</thead><tbody><tr><th scope="row">&lt;img src=x onerror=alert(2)&gt;</th>'
        '<td class="num">3</td></tr></tbody></table></div>'
    )


def test_empty_table_says_so() -> None:
    assert table_html([Column("A")], [], empty="None <yet>") == (
        '<p class="empty">None &lt;yet&gt;</p>'
    )


def test_csp_forbids_other_origins_and_allows_only_hashed_scripts() -> None:
    policy = content_security_policy(["alert(1)"])
    digest = base64.b64encode(hashlib.sha256(b"alert(1)").digest()).decode()
    assert policy == (
        "default-src 'none'; "
        f"script-src 'unsafe-inline' 'sha256-{digest}'; "
        "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    assert "unsafe-eval" not in policy


def test_page_with_charts_inlines_one_bundle_and_hashes_both_scripts() -> None:
    page = page_html(
        title="t",
        nav=Markup(""),
        heading="h",
        lede="l",
        body=Markup("<p>x</p>"),
        has_charts=True,
        footer="f",
    )
    bundle = vega_bundle()
    assert page.count(bundle) == 1
    assert page.count("<script>") == 2
    assert f"<script>{EMBED_SCRIPT}</script>" in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp is not None
    for script in (bundle, EMBED_SCRIPT):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"sha256-{digest}" in csp.group(1)


def test_page_without_charts_has_no_script() -> None:
    page = page_html(
        title="t",
        nav=Markup(""),
        heading="<h>",
        lede="l",
        body=Markup(""),
        has_charts=False,
        footer="f",
    )
    assert "<script" not in page
    assert "<h1>&lt;h&gt;</h1>" in page


def test_embed_script_draws_svg_without_actions_or_eval() -> None:
    assert 'renderer: "svg"' in EMBED_SCRIPT
    assert "actions: false" in EMBED_SCRIPT
    assert "ast: true" in EMBED_SCRIPT


def test_bundle_without_a_child_interpreter_is_built_here(monkeypatch) -> None:
    from_child = vega_bundle()

    def no_child(*args, **kwargs):
        raise OSError("no interpreter")

    monkeypatch.setattr(report_html.subprocess, "run", no_child)
    # Built in this process, the bundle is the one the child process gave.
    assert report_html._build_vega_bundle() == from_child
