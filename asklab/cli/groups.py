"""`asklab run --groups DIR`: every group of a folder in one flow run on Dask (CONTRACT §8).

Kept apart from the single-group path of `asklab run`: the options it adds,
its checks before anything starts (usage, the groups, the Dask address) and
its summary.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from asklab.cli.options import (
    EXIT_FAILED,
    EXIT_OK,
    positive_int,
    project_root,
    settings_for,
    use_project_prefect_home,
)

EXIT_USAGE = 2


def add_groups_options(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group(
        "many groups (CONTRACT section 8)",
        "Run every subfolder of DIR as a group, each with its own warehouse and reports, "
        "as tasks of one flow run on a Dask cluster, then compare the groups.",
    )
    group.add_argument(
        "--groups", type=Path, metavar="DIR", help="folder of groups, one subfolder each"
    )
    group.add_argument(
        "--db-dir",
        type=Path,
        metavar="DIR",
        help="folder of the groups' warehouses and all_groups.duckdb (default: data/warehouses)",
    )
    group.add_argument(
        "--dask-address",
        metavar="ADDR",
        help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a temporary "
        "local cluster)",
    )
    group.add_argument(
        "--dask-workers",
        type=positive_int,
        metavar="N",
        help="worker processes of the temporary local cluster (default: one per CPU)",
    )


def groups_command(args: argparse.Namespace) -> int:
    if args.raw is not None or args.db is not None:
        print("asklab run: --groups cannot be used with --raw or --db", file=sys.stderr)
        return EXIT_USAGE
    settings = settings_for(args)
    from asklab.groups import GroupsError, find_groups
    from asklab.groups.cluster import ClusterUnreachable, check_reachable

    # Everything that would stop the run is checked before anything starts.
    try:
        find_groups(args.groups)
        if settings.dask_address:
            check_reachable(settings.dask_address)
    except (GroupsError, ClusterUnreachable) as exc:
        print(f"asklab run failed: {exc}", file=sys.stderr)
        return EXIT_FAILED

    root = project_root(args.config)
    use_project_prefect_home(root, verbose=args.verbose)
    if not args.verbose:
        # Dask's own INFO lines (cluster start and stop), here and in the workers.
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
        # An interrupted run ends at once (os._exit); multiprocessing's resource
        # tracker would then warn about the cluster's semaphores after its line.
        os.environ.setdefault("PYTHONWARNINGS", "ignore:resource_tracker:UserWarning")
    from asklab.cli.interrupt import end_process, exit_status, interruptible
    from asklab.cli.output import RunLog, details_line, failure_line, log_traceback, new_log_path
    from asklab.server import api_for_run

    def say(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    # As for one group (asklab/cli/run.py): one line per failure, the details in
    # the run's log file, and Ctrl-C / SIGTERM ending the run with one line.
    log = RunLog(new_log_path(root), verbose=args.verbose)
    with interruptible() as interruption, log:
        try:
            with api_for_run(root, say=say):
                from flows.groups import groups_analysis
                from flows.heartbeats import without_heartbeats

                log.follow_prefect()
                with without_heartbeats():
                    summary = groups_analysis(
                        settings, args.groups.resolve(), show_progress=not args.quiet
                    )
        except BaseException as exc:
            log_traceback(exc)
            if interruption.signum is not None:
                signum = interruption.signum
                # Each group commits on its own: some may have finished.
                line = (
                    f"asklab run --groups interrupted by {signal.Signals(signum).name}: "
                    "stopped; each group's warehouse is as before or as after its run"
                )
                end_process(line, exit_status(signum))
            if not isinstance(exc, Exception):
                raise
            print(failure_line(exc), file=sys.stderr)
            print(details_line(log.path), file=sys.stderr)
            return EXIT_FAILED
    print(summary.format())
    return EXIT_FAILED if summary.failed else EXIT_OK
