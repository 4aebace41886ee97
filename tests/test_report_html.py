"""HTML building blocks: escaping, JSON in scripts, tables, the page shell and its CSP."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import vl_convert

from asklab.report.assets import vega_bundle as report_bundle
from asklab.report.assets.page_scripts import EMBED_SCRIPT, content_security_policy
from asklab.report.assets.vega_bundle import vega_bundle
from asklab.report.figures.specs import script_json
from asklab.report.frames.html_tables import Column, table_html
from asklab.report.markup import Markup, esc
from asklab.report.pages.shell import page_html
from tests.browser.fixtures import vega_cache_in_tmp  # noqa: F401 (autouse)


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
        "index.html", has_charts=True, title="t", heading="h", lede="l", footer="f", weeks=[]
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
        "index.html", has_charts=False, title="t", heading="<h>", lede="l", footer="f", weeks=[]
    )
    assert "<script" not in page
    assert "<h1>&lt;h&gt;</h1>" in page


def test_embed_script_draws_svg_without_actions_or_eval() -> None:
    assert 'renderer: "svg"' in EMBED_SCRIPT
    assert "actions: false" in EMBED_SCRIPT
    assert "ast: true" in EMBED_SCRIPT


FAKE_BUNDLE = "var a = 1;window.vegaEmbed=f;window.vega=v;"


def _cache_file(root: Path) -> Path:
    version = report_bundle._bundle_vegalite_version()
    return (
        root
        / "asklab"
        / (f"vega-bundle-vlconvert-{vl_convert.__version__}-vegalite-{version or 'default'}.js")
    )


def _counting_builder(monkeypatch) -> list[str | None]:
    """Replace the vl_convert build by a fake that records each call."""
    calls: list[str | None] = []

    def build(vegalite_version: str | None) -> str:
        calls.append(vegalite_version)
        return FAKE_BUNDLE

    monkeypatch.setattr(report_bundle, "_build_vega_bundle", build)
    return calls


def test_bundle_is_cached_on_disk_and_read_back(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = _counting_builder(monkeypatch)
    assert report_bundle.load_vega_bundle() == FAKE_BUNDLE
    assert _cache_file(tmp_path).read_text(encoding="utf-8") == FAKE_BUNDLE
    assert len(calls) == 1

    def no_build(vegalite_version: str | None) -> str:
        raise AssertionError("built again despite the cache")

    monkeypatch.setattr(report_bundle, "_build_vega_bundle", no_build)
    assert report_bundle.load_vega_bundle() == FAKE_BUNDLE
    # Only the cache file is left: the temp file was renamed onto it.
    assert [p.name for p in (tmp_path / "asklab").iterdir()] == [_cache_file(tmp_path).name]


def test_empty_or_cut_cache_file_is_built_again(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = _counting_builder(monkeypatch)
    path = _cache_file(tmp_path)
    path.parent.mkdir(parents=True)
    for damaged in ("", FAKE_BUNDLE[:20]):
        path.write_text(damaged, encoding="utf-8")
        assert report_bundle.load_vega_bundle() == FAKE_BUNDLE
        assert path.read_text(encoding="utf-8") == FAKE_BUNDLE
    assert len(calls) == 2


def test_unwritable_cache_does_not_fail_the_run(tmp_path, monkeypatch) -> None:
    # The cache home is a file, so no folder can be made in it (works as root too).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    calls = _counting_builder(monkeypatch)
    assert report_bundle.load_vega_bundle() == FAKE_BUNDLE
    assert report_bundle.load_vega_bundle() == FAKE_BUNDLE
    assert len(calls) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]


def test_cache_folder_defaults_to_home_cache(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert report_bundle.vega_cache_dir() == tmp_path / ".cache" / "asklab"
    # A relative XDG_CACHE_HOME is ignored, as the XDG spec says.
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert report_bundle.vega_cache_dir() == tmp_path / ".cache" / "asklab"


def test_real_bundle_sets_vega_embed_at_its_end() -> None:
    # The cache check relies on this: a whole bundle ends by setting window.vegaEmbed.
    assert "window.vegaEmbed=" in vega_bundle()[-1000:]
