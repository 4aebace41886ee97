"""Vega, Vega-Lite and vega-embed as one inline script, cached on disk.

Each page with charts carries one inline Vega/Vega-Lite/vega-embed bundle
(from ``vl_convert.javascript_bundle``; about 2 s of CPU to build, so it is
cached on disk under ``$XDG_CACHE_HOME/asklab/`` per vl-convert and
Vega-Lite version).
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from pathlib import Path


# The bundle must run the same Vega-Lite major.minor that Altair writes specs for.
def _bundle_vegalite_version() -> str | None:
    # Imported here: Altair and vl_convert take a second to import, and a run
    # whose pages are current writes none.
    import altair as alt
    import vl_convert

    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vl_convert.get_vegalite_versions() else None


def _build_vega_bundle(vegalite_version: str | None) -> str:
    """Build the bundle with vl_convert (about 2 s of CPU, holding the GIL)."""
    import vl_convert

    return vl_convert.javascript_bundle(vl_version=vegalite_version)


def vega_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/asklab`` (``~/.cache/asklab`` when unset or not absolute)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "asklab"


def vega_bundle_cache_path(vegalite_version: str | None) -> Path:
    """The cache file of the bundle for this vl-convert and Vega-Lite version."""
    import vl_convert

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
