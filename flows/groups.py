"""Many groups in one Prefect flow run, each group a task run on a Dask cluster (CONTRACT §8).

The flow only wires: it finds the groups, splits them into batches
(``asklab.groups.batches``), submits one Dask task per batch to a
prefect-dask ``DaskTaskRunner`` (a temporary local cluster, or the running
one at ``settings.dask_address``), waits for them all, then builds the
all-groups database and pages in this process. In the worker, a batch runs
its groups one after the other, each as its own Prefect task run ("group
<slug>", the plain single-group pipeline, ``asklab.pipeline.run_weekly``, on
that group's settings) with its own failure: no nested flow, no Prefect
server of its own (the tasks inherit the flow's API address with its
settings context). Batches, not a Dask task per group, because setting up a
Prefect task run in a worker costs about 0.1 s and a nested one almost
nothing (docs/performance.md). A batch lost whole (its worker died) is run
again one group a task, so that a group that kills its worker fails alone.

The runner is entered inside the flow, built from the settings, rather than
fixed on the decorator, so a scheduled run (``asklab serve --groups``) picks
its cluster from its parameters like a run from the command line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import dask
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
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
from asklab.groups.batches import make_batches
from asklab.groups.cluster import (
    CONNECT_TIMEOUT,
    LOCAL_CLUSTER_CONFIG,
    ClusterUnreachable,
    check_reachable,
    describe,
    local_cluster_kwargs,
)
from asklab.progress import SILENT, Progress
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


def _error_text(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, GroupFailed) else f"{type(exc).__name__}: {exc}"


def _run_batch(label: str, groups: tuple[Group, ...], settings: Settings) -> list[GroupOutcome]:
    """Run each group of the batch as its own task run; one group's failure is its own."""
    outcomes: list[GroupOutcome] = []
    for group in groups:
        try:
            summary = group_task(group, group_settings(settings, group))
        except Exception as exc:  # the group's failure, kept for the summary
            outcomes.append(GroupOutcome(group, error=_error_text(exc)))
        else:
            outcomes.append(GroupOutcome(group, summary=summary))
    return outcomes


batch_task = task(
    _run_batch,
    name="groups",
    task_run_name="{label}",
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


def _labels(batches: Sequence[tuple[Group, ...]], again: bool) -> list[str]:
    if again:
        return [f"group {batch[0].slug} again, alone" for batch in batches]
    total = len(batches)
    return [
        f"batch {n} of {total}: {len(b)} group{'' if len(b) == 1 else 's'}"
        for n, b in enumerate(batches, start=1)
    ]


def _run_batches(
    runner: DaskTaskRunner,
    batches: Sequence[tuple[Group, ...]],
    settings: Settings,
    *,
    on_done: Callable[[list[GroupOutcome]], None],
    again: bool = False,
) -> None:
    """Run the batches; hand each batch's outcomes to ``on_done`` as it ends.

    A batch of several groups lost whole (its worker died, say) is run again
    one group a task, so a group that kills its worker fails alone and the
    others still run.
    """
    futures = {
        runner.submit(batch_task, {"label": label, "groups": batch, "settings": settings}): batch
        for label, batch in zip(_labels(batches, again), batches, strict=True)
    }
    alone: list[tuple[Group, ...]] = []
    for future in as_completed(list(futures)):
        batch = futures[future]
        try:
            done = future.result()
        except Exception as exc:  # the batch's task did not finish
            if len(batch) > 1:
                alone += [(group,) for group in batch]
                continue
            done = [GroupOutcome(batch[0], error=_error_text(exc))]
        on_done(done)
    if alone:
        _run_batches(runner, alone, settings, on_done=on_done, again=True)


def run_groups(
    settings: Settings, groups: Sequence[Group], progress: Progress = SILENT
) -> list[GroupOutcome]:
    """Every group's run on the cluster, in the groups' order; ``progress``
    gets a line as each batch ends.

    Each group's run gets one thread unless ``threads`` is set: the groups
    run side by side, one per worker thread.
    """
    per_group = dataclasses.replace(settings, threads=settings.threads or 1)
    finished: dict[str, GroupOutcome] = {}

    def record(done: list[GroupOutcome]) -> None:
        finished.update((outcome.group.key, outcome) for outcome in done)
        failed = sum(outcome.failed for outcome in finished.values())
        progress.groups(len(finished), len(groups), failed)

    local = not settings.dask_address
    with (
        dask.config.set(LOCAL_CLUSTER_CONFIG if local else {}),
        task_runner_for(settings) as runner,
    ):
        if not local:
            wait_for_a_worker(runner.client, settings.dask_address)
        slots = sum(runner.client.nthreads().values())
        _run_batches(runner, make_batches(groups, slots), per_group, on_done=record)
    progress.done()
    return [finished[group.key] for group in groups]


@flow(name="groups_analysis", log_prints=True)
def groups_analysis(
    settings: Settings, groups_dir: Path, show_progress: bool = False
) -> GroupsSummary:
    """Run every group of ``groups_dir`` on Dask, then compare the groups."""
    found = find_groups(Path(groups_dir))
    progress = Progress(enabled=show_progress)
    outcomes = run_groups(settings, found.groups, progress) if found.groups else []
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
