"""A figure: one chart's spec, its caption and the table of its numbers."""

from __future__ import annotations

from dataclasses import dataclass

from asklab.report.figures.specs import ChartSpec
from asklab.report.markup import Markup


@dataclass(frozen=True)
class Figure:
    """One chart: its Vega-Lite spec, a caption and the table of its numbers."""

    key: str  # unique within a page, [a-z0-9-]
    spec: ChartSpec
    caption: str
    table: Markup
    # Tables longer than this fold into a <details> element under the chart.
    fold_table: bool = False
