"""Self-contained HTML reports (CONTRACT section 5).

The package follows the data path: ``data`` reads what the pages need from
the warehouse (named SQL in ``sql/reports/``); ``frames`` shapes it into the
Polars frames and table rows the pages show; ``figures`` draws the Altair
chart specs; ``pages`` assembles each page from the Jinja2 templates in
``templates/``; ``write`` writes the files. ``assets`` holds what every chart
page carries (the Vega bundle, the embed script and their CSP hashes).

The pipeline calls ``load_report_data`` and then ``render_reports``.
"""

from asklab.report.data import GroupKpis, MemberData, ReportData, load_report_data
from asklab.report.pages.shell import iso_week_label
from asklab.report.write import render_reports

__all__ = [
    "GroupKpis",
    "MemberData",
    "ReportData",
    "iso_week_label",
    "load_report_data",
    "render_reports",
]
