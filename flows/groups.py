"""Many groups in one Prefect flow run, one task per group on a Dask cluster (CONTRACT §8).

The flow only wires: it finds the groups, submits one task per group to a
prefect-dask ``DaskTaskRunner`` (a temporary local cluster, or the running
one at ``settings.dask_address``), waits for them all, then builds the
all-groups database and pages in this process. A group's task runs the plain
single-group pipeline (``asklab.pipeline.run_weekly``) on that group's
settings inside the worker: no nested flow, no Prefect server of its own
(the task inherits the flow's API address with its settings context). A
group that fails fails its task only; the others go on.

The runner is entered inside the flow, built from the settings, rather than
fixed on the decorator, so a scheduled run (``asklab serve --groups``) picks
its cluster from its parameters like a run from the command line.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect_dask import DaskTaskRunner

from asklab import pipeline
from asklab.groups import (
    Group,
    GroupFailed,
    GroupOutcome,
    GroupsSummary,
    build_all_groups,
    find_groups,
    group_settings,
    run_group,
    write_all_groups_pages,
)
from asklab.groups.cluster import (
    CONNECT_TIMEOUT,
    ClusterUnreachable,
    check_reachable,
    describe,
    local_cluster_kwargs,
)
from asklab.settings import Settings


def _run_group(group: Group, settings: Settings) -> pipeline.RunSummary:
    """One group's weekly run (``group`` names the task run)."""
    return run_group(settings)


# Results travel back through Dask in memory: nothing to cache or persist.
group_task = task(
    _run_group,
    name="group",
    task_run_name="group {group.slug}",
    cache_policy=NO_CACHE,
    persist_result=False,
)


# How long a cluster given by address may be without workers before the run fails.
WORKER_WAIT = 60.0


def task_runner_for(settings: Settings) -> DaskTaskRunner:
    """The running cluster at ``dask_address``, else a temporary local one."""
    if settings.dask_address:
        check_reachable(settings.dask_address)
        return DaskTaskRunner(
            address=settings.dask_address, client_kwargs={"timeout": f"{CONNECT_TIMEOUT}s"}
        )
    return DaskTaskRunner(cluster_kwargs=local_cluster_kwargs(settings))


def wait_for_a_worker(client, address: str) -> None:
    """A scheduler without workers would hold the groups forever: wait, then say so."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT)
    except TimeoutError:
        raise ClusterUnreachable(
            f"the Dask scheduler at {address} has had no worker for {WORKER_WAIT:.0f} s; "
            "start some with `dask worker " + address + "`"
        ) from None


def _outcome(group: Group, future) -> GroupOutcome:
    try:
        future.wait()
        return GroupOutcome(group, summary=future.result())
    except Exception as exc:  # the group's failure, kept for the summary
        error = str(exc) if isinstance(exc, GroupFailed) else f"{type(exc).__name__}: {exc}"
        return GroupOutcome(group, error=error)


@flow(name="groups_analysis", log_prints=True)
def groups_analysis(settings: Settings, groups_dir: Path) -> GroupsSummary:
    """Run every group of ``groups_dir`` on Dask, then compare the groups."""
    found = find_groups(Path(groups_dir))
    outcomes: list[GroupOutcome] = []
    if found.groups:
        with task_runner_for(settings) as runner:
            if settings.dask_address:
                wait_for_a_worker(runner.client, settings.dask_address)
            futures = [
                runner.submit(
                    group_task, {"group": group, "settings": group_settings(settings, group)}
                )
                for group in found.groups
            ]
            outcomes = [_outcome(g, f) for g, f in zip(found.groups, futures, strict=True)]
    all_groups = build_all_groups(settings.db_dir, outcomes)
    pages = write_all_groups_pages(
        settings.reports,
        all_groups.comparison,
        all_groups.groups,
        found.groups,
        as_of=settings.as_of,
    )
    summary = GroupsSummary(
        outcomes,
        notices=[*found.notices, *all_groups.notices],
        all_groups_db=all_groups.path,
        pages=pages,
        cluster=describe(settings),
    )
    logger = get_run_logger()
    if summary.failed:
        logger.error("groups failed: %s", ", ".join(o.group.key for o in summary.failed))
    logger.info(summary.format())
    return summary
