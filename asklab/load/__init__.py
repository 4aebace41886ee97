"""Loading: a run's validated rows into the warehouse, by content hash, in one
transaction: plan (which files), stage (validate and stage rows), apply
(first copies and duplicates, per-file rows, the load log)."""

from asklab.load.apply import IngestSummary, apply_ingest, apply_staged, ingest
from asklab.load.plan import IngestPlan, PlannedFile, build_plan, plan_ingest
from asklab.load.stage import StagedFile, read_and_stage, read_planned, stage_validated

__all__ = [
    "IngestPlan",
    "IngestSummary",
    "PlannedFile",
    "StagedFile",
    "apply_ingest",
    "apply_staged",
    "build_plan",
    "ingest",
    "plan_ingest",
    "read_and_stage",
    "read_planned",
    "stage_validated",
]
