"""Self-contained HTML reports (CONTRACT section 5).

``load_report_data`` reads what the pages need from the warehouse (named SQL
in ``sql/reports/``); ``render_reports`` writes the pages from it.
"""

from asklab.report.data import GroupKpis, MemberData, ReportData, load_report_data
from asklab.report.pages.pages import iso_week_label, member_slug, render_reports

__all__ = [
    "GroupKpis",
    "MemberData",
    "ReportData",
    "iso_week_label",
    "load_report_data",
    "member_slug",
    "render_reports",
]
