"""The one way to SQL text: the named files of ``sql/``.

In a source checkout (and an editable install) they are the repository's
top-level ``sql/`` folder; a built wheel ships the same files inside the
package as ``asklab/sql/`` (see ``[tool.setuptools.package-dir]`` in
pyproject.toml). Python adds no user data and no path to SQL text: values go
in as bound parameters, files as relations built by DuckDB's Python API. The
only text put into a query is an identifier the code chose, through
:func:`render`, which checks it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class SqlFileError(RuntimeError):
    """A named SQL file is missing or a placeholder was left unfilled."""


@functools.cache
def sql_root() -> Path:
    """The folder holding the SQL files: packaged first, else the checkout's."""
    for candidate in (_PACKAGE / "sql", _PACKAGE.parent / "sql"):
        if (candidate / "schema").is_dir():
            return candidate
    raise SqlFileError(f"no sql/ folder beside or inside {_PACKAGE}")


def sql_path(name: str) -> Path:
    """The file ``sql/<name>.sql`` (``name`` like ``models/call_ids``)."""
    path = sql_root() / f"{name}.sql"
    if not path.is_file():
        raise SqlFileError(f"no SQL file {path}")
    return path


def sql_folder(folder: str) -> list[Path]:
    """Every ``*.sql`` file of ``sql/<folder>/``, sorted by name."""
    return sorted((sql_root() / folder).glob("*.sql"))


@functools.cache
def read_sql(name: str) -> str:
    return sql_path(name).read_text(encoding="utf-8")


def render(name: str, *, include: Mapping[str, str] | None = None, **identifiers: str) -> str:
    """``sql/<name>.sql`` with each ``{placeholder}`` filled.

    ``identifiers`` are table and column names the code chose (lower-case SQL
    words, or a comma-separated list of them); anything else is refused.
    ``include`` fills a placeholder with another SQL file's text (by name),
    e.g. an id model used inside a statement.
    """
    for value in identifiers.values():
        if not all(_IDENTIFIER.match(part.strip()) for part in value.split(",")):
            raise SqlFileError(f"{name}: not an identifier list: {value!r}")
    values = dict(identifiers)
    values.update({key: read_sql(other) for key, other in (include or {}).items()})

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise SqlFileError(f"{name}: no value for {{{key}}}")
        return values[key]

    return _PLACEHOLDER.sub(fill, read_sql(name))
