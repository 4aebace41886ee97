"""The weekly Prefect flow: ingest, then outcomes, then reports.

The flow only wires: each step is a plain function of ``asklab.pipeline``
run as a Prefect task, listed here in order. Retries only where I/O can fail
without side effects on the warehouse: reading raw files (it writes only the
run's staging area, emptied again on a retry) and writing pages; the other
warehouse steps run inside one transaction and are not retried.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from asklab import pipeline
from asklab.progress import Progress
from asklab.settings import Settings

# Task inputs include the open warehouse, which cannot be hashed for
# caching: every task opts out of the cache.
plan_files = task(pipeline.plan_files, name="plan ingest", cache_policy=NO_CACHE)
read_files = task(
    pipeline.read_files,
    name="read raw files",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=2,
)
load_files = task(pipeline.load_files, name="load warehouse", cache_policy=NO_CACHE)
compute_outcomes = task(pipeline.compute_outcomes, name="compute outcomes", cache_policy=NO_CACHE)
write_reports = task(
    pipeline.write_reports,
    name="write reports",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=2,
)


@flow(name="weekly_analysis", log_prints=True)
def weekly_analysis(settings: Settings, show_progress: bool = False) -> pipeline.RunSummary:
    """Ingest the raw files, compute outcomes, write the reports.

    ``settings`` is built once by the CLI (or the deployment); a scheduled
    run leaves ``as_of`` to its default, the day the run starts.
    """
    with pipeline.open_run(settings, Progress(enabled=show_progress)) as run:
        # One transaction for ingest and outcomes: a failure rolls it all back.
        with run.writing():
            plan = plan_files(run)
            staged = read_files(run, plan)
            ingest = load_files(run, plan, staged)
            outcomes = compute_outcomes(run)
        reports = write_reports(run, ingest, outcomes)
    summary = run.summary(ingest, outcomes, reports)
    get_run_logger().info(summary.format())
    return summary
