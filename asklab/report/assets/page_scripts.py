"""The scripts of a chart page and the Content-Security-Policy that allows only them.

A chart page runs two inline scripts: the Vega bundle and ``EMBED_SCRIPT``,
which embeds every chart with the SVG renderer, actions off and Vega's AST
interpreter (``ast: true``), so no expression is compiled with
``eval``/``Function``. The policy allows only those two scripts (by SHA-256
hash), inline styles and ``data:`` images, and no other origin at all.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Sequence

from asklab.report.assets.vega_bundle import vega_bundle

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


def chart_page_csp() -> str:
    """The policy of a page with charts: the bundle and the embed script may run."""
    return content_security_policy([vega_bundle(), EMBED_SCRIPT])


@functools.cache
def chart_scripts() -> str:
    """The two script elements a chart page ends with (built once per process)."""
    return f"<script>{vega_bundle()}</script><script>{EMBED_SCRIPT}</script>"


@functools.cache
def chart_scripts_utf8() -> bytes:
    """``chart_scripts`` as UTF-8, encoded once per process."""
    return chart_scripts().encode("utf-8")
