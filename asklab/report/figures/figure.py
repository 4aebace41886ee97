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

    @property
    def spec_json(self) -> Markup:
        """The spec's JSON for its ``<script type="application/json">`` element.

        Markup, so the template writes it as it is: the JSON is script-safe
        (``<``, ``>`` and ``&`` written as ``\\u003c`` etc., see
        ``asklab.report.figures.specs``), so no value in it can close the element.
        """
        return Markup(self.spec.text)
