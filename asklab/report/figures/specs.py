"""Vega-Lite specs as page-ready JSON text, validated by Altair once per chart kind.

Altair validates a whole spec against the Vega-Lite JSON schema and deep-copies
it on every ``to_dict()``: about 100 ms a chart, far too slow to repeat for
every member page. So a chart's rows never go through Altair: every chart
names its data ``DATASET`` (``alt.NamedData``) and the rows are added to the
JSON text afterwards, encoded in bulk by Polars. A chart drawn once per
member is a ``SpecTemplate``: built and validated once with *slots* (marker
lists in place of, say, the strategies on an axis), then filled per member
by splicing JSON text.

All JSON here is safe inside ``<script type="application/json">``: ``<``,
``>`` and ``&`` are written as ``\\u003c``, ``\\u003e`` and ``\\u0026``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl

# The name of every chart's dataset (specs are embedded one by one, so one name is enough).
DATASET = "rows"

_SCRIPT_UNSAFE = ["<", ">", "&"]
_SCRIPT_SAFE = ["\\u003c", "\\u003e", "\\u0026"]
_SLOT_MARK = "@@slot:{}@@"
_SLOT_TEXT = re.compile(r'\["@@slot:([a-z_]+)@@"\]')


def script_safe(text: str) -> str:
    """JSON text with ``<``, ``>`` and ``&`` escaped, so it cannot close a script element."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_json(value: Any) -> str:
    """JSON safe to put inside a ``<script>`` element: no ``<``, ``>`` or ``&`` left."""
    return script_safe(json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":")))


def json_rows(frame: pl.DataFrame) -> list[str]:
    """Each row of ``frame`` as one script-safe JSON object, keys in column order."""
    if frame.height == 0:
        return []
    encoded = (
        pl.struct(pl.all()).struct.json_encode().str.replace_many(_SCRIPT_UNSAFE, _SCRIPT_SAFE)
    )
    return frame.select(encoded).to_series().to_list()


def json_array(rows: Sequence[str]) -> str:
    """A JSON array from JSON element texts."""
    return "[" + ",".join(rows) + "]"


def named_data() -> alt.NamedData:
    """The data every chart draws: rows added to the spec under ``DATASET``."""
    return alt.NamedData(name=DATASET)


@dataclass(frozen=True)
class ChartSpec:
    """A Vega-Lite spec ready for the page: its title and its script-safe JSON text."""

    title: str
    text: str


def _title_of(spec: Mapping[str, Any]) -> str:
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    return str(title)


def chart_spec(chart: alt.TopLevelMixin, rows_json: str) -> ChartSpec:
    """A chart drawn once: validated by Altair (without its rows), then given its rows."""
    return SpecTemplate.from_chart(chart, ()).fill(rows_json, {})


def slot(name: str) -> list[str]:
    """A placeholder for a list in a template chart, filled by ``SpecTemplate.fill``."""
    return [_SLOT_MARK.format(name)]


@dataclass(frozen=True)
class SpecTemplate:
    """A spec validated once with slots, as JSON text pieces around the slots."""

    title: str
    pieces: tuple[str, ...]  # len(slots) + 1 texts; the last one without its closing brace
    slots: tuple[str, ...]  # slot names in text order (a name may repeat)

    @classmethod
    def from_chart(cls, chart: alt.TopLevelMixin, slots: Sequence[str]) -> SpecTemplate:
        spec = chart.to_dict()
        text = script_json(spec)
        parts = _SLOT_TEXT.split(text)
        pieces, names = tuple(parts[0::2]), tuple(parts[1::2])
        if set(names) != set(slots) or any("@@slot:" in piece for piece in pieces):
            raise ValueError(f"template slots {sorted(set(names))} are not {sorted(slots)}")
        return cls(title=_title_of(spec), pieces=(*pieces[:-1], pieces[-1][:-1]), slots=names)

    def fill(self, rows_json: str, values: Mapping[str, Sequence[Any]]) -> ChartSpec:
        """The spec with each slot replaced by its list and ``rows_json`` as the data."""
        if set(values) != set(self.slots):
            raise ValueError(f"slots {sorted(set(self.slots))} need values, got {sorted(values)}")
        texts = {name: script_json(list(value)) for name, value in values.items()}
        parts = [self.pieces[0]]
        for name, piece in zip(self.slots, self.pieces[1:], strict=True):
            parts += [texts[name], piece]
        # The rows go last, where Altair puts its "datasets", then the spec's closing brace.
        parts.append(f',"datasets":{{"{DATASET}":{rows_json}}}}}')
        return ChartSpec(title=self.title, text="".join(parts))
