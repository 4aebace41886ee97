"""The report's names and thresholds: metrics, their labels, scopes, strategies.

One place in the report package for the values it shares with the outcomes
stage (``asklab.outcomes`` holds its own copies of GROUP, MEMBER, JOB,
REFERENCE, RATE_METRICS and SMALL_SAMPLE_N). Every report module imports them
from here, so pointing them at a shared ``asklab.metrics`` later is a change
to this file only. (``ACTIVE_DAYS``, ``REFERENCE_FOLLOW_UP_DAYS`` and
``FOLLOW_UP_LIMIT`` stay with the marts, ``asklab.report.marts``.)
"""

from __future__ import annotations

# Scopes of the outcome tables: a group row has a null member.
GROUP = "group"
MEMBER = "member"

# The four rate metrics of CONTRACT section 3, in the order tables list them.
RATE_METRICS: tuple[str, ...] = ("yes_rate", "intro_rate", "lead_rate", "reached_out_rate")
# Every metric of the headline tables: the rates, then leads per call.
HEADLINE_METRICS: tuple[str, ...] = (*RATE_METRICS, "leads_per_call")
METRIC_LABELS: dict[str, str] = {
    "yes_rate": "Yes rate",
    "intro_rate": "Introduction rate",
    "lead_rate": "Lead rate",
    "reached_out_rate": "Reached-out rate",
    "leads_per_call": "Leads per call",
}
# Metrics counted on mature calls only (the yes rate is known on the day of the call).
MATURE_METRICS = frozenset({"intro_rate", "lead_rate", "reached_out_rate", "leads_per_call"})
# Metrics in the per-member comparison and the relationship heat map.
KEY_METRICS: tuple[str, ...] = ("yes_rate", "lead_rate")

# A side smaller than this in a comparison is flagged as a small sample.
SMALL_SAMPLE_N = 10

# The two strategies the headline compares, and every strategy in the order every
# table and chart lists them.
JOB = "job"
REFERENCE = "reference"
STRATEGY_ORDER: tuple[str, ...] = (JOB, REFERENCE, "mixed", "other")

# The data-quality row of rejections that name no member.
UNKNOWN_MEMBER = "(member not known)"
