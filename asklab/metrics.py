"""The names the outcome tables and the report pages share: one place for each.

Metric names, scopes, strategies and funnel stages are the values of the
warehouse's columns (CONTRACT section 3), so the table that writes them and
the page that looks them up must agree; the small-sample threshold must be
the one the tables flag and the pages explain. It imports only Polars (for
the metrics' n and x as expressions), so any module may use it.
"""

from __future__ import annotations

import polars as pl

# -- Scopes: every summary table has a block for the group and one per member ---

GROUP = "group"  # the whole group; member is null
MEMBER = "member"  # one member's rows

# -- Strategies (CONTRACT section 1.4) -------------------------------------------

JOB = "job"
REFERENCE = "reference"
MIXED = "mixed"
OTHER = "other"
# The order tables, charts and legends list them in.
STRATEGY_ORDER: tuple[str, ...] = (JOB, REFERENCE, MIXED, OTHER)

# -- Metrics (CONTRACT section 3) --------------------------------------------------

# The four rate metrics, in the order tables list them.
RATE_METRICS: tuple[str, ...] = ("yes_rate", "intro_rate", "lead_rate", "reached_out_rate")
# n and x of each rate metric per call (section 3), summed by every table that
# counts them (the observational tables and the plan comparison): yes_rate
# counts calls with a known said_yes, the others mature calls.
RATE_N_X: dict[str, tuple[pl.Expr, pl.Expr]] = {
    "yes_rate": (pl.col("said_yes").is_not_null(), pl.col("said_yes").fill_null(False)),
    "intro_rate": (pl.col("mature"), pl.col("mature") & pl.col("any_introduction")),
    "lead_rate": (pl.col("mature"), pl.col("mature") & pl.col("any_lead")),
    "reached_out_rate": (pl.col("mature"), pl.col("mature") & pl.col("reached_out")),
}
# Counted over mature calls only: the yes rate is known on the day of the call,
# the others only once the attribution window is over.
MATURE_METRICS: frozenset[str] = frozenset(
    {"intro_rate", "lead_rate", "reached_out_rate", "leads_per_call"}
)

# Every metric of the headline tables: the rates, then leads per call.
HEADLINE_METRICS: tuple[str, ...] = (*RATE_METRICS, "leads_per_call")
# How the pages name each metric.
METRIC_LABELS: dict[str, str] = {
    "yes_rate": "Yes rate",
    "intro_rate": "Introduction rate",
    "lead_rate": "Lead rate",
    "reached_out_rate": "Reached-out rate",
    "leads_per_call": "Leads per call",
}
# Metrics in the per-member comparison and the relationship heat map.
KEY_METRICS: tuple[str, ...] = ("yes_rate", "lead_rate")

# A side smaller than this in a comparison is flagged `small_sample`.
SMALL_SAMPLE_N = 10

# -- Funnel ----------------------------------------------------------------------

# Funnel stages in order; each counts mature calls that reached the stage.
FUNNEL_STAGES: tuple[str, ...] = ("call", "said_yes", "introduction", "lead", "interview", "offer")

# The data-quality row of rejections that name no member.
UNKNOWN_MEMBER = "(member not known)"
