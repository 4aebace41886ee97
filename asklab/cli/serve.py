"""`asklab serve`: the weekly flow as a scheduled Prefect deployment."""

from __future__ import annotations

import argparse
import os
import sys

from asklab.cli.groups import EXIT_USAGE, add_groups_options
from asklab.cli.options import (
    EXIT_FAILED,
    EXIT_OK,
    add_path_options,
    non_negative_int,
    project_root,
    settings_for,
    use_project_prefect_home,
)


def add(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the weekly flow as a scheduled Prefect deployment",
        description="Serve the weekly flow as a Prefect deployment on a cron schedule "
        "(default Monday 07:00, local time zone). Schedules fire only against a Prefect "
        "server: the project's (`asklab server start`) is started when none is set. "
        "Stop with Ctrl-C.",
    )
    add_path_options(serve)
    serve.add_argument(
        "--cron", metavar="EXPR", help="cron schedule, e.g. '0 7 * * 1' (Monday 07:00)"
    )
    serve.add_argument(
        "--timezone",
        metavar="ZONE",
        help="IANA time zone of the schedule, e.g. Europe/Paris; 'local' for this machine's",
    )
    serve.add_argument(
        "--window", type=non_negative_int, metavar="DAYS", help="attribution window in days"
    )
    serve.add_argument(
        "--name", help="deployment name (default: weekly, or weekly-groups with --groups)"
    )
    add_groups_options(serve)
    serve.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    if args.groups is not None and (args.raw is not None or args.db is not None):
        print("asklab serve: --groups cannot be used with --raw or --db", file=sys.stderr)
        return EXIT_USAGE
    settings = settings_for(args)
    root = project_root(args.config)
    use_project_prefect_home(root)
    if not os.environ.get("PREFECT_API_URL"):
        # Schedules need a server that stays up: the project's, left running.
        from asklab import server
        from asklab.cli.server import STARTING

        if server.project_api_url(root) is None:
            print(STARTING.format(port=server.DEFAULT_PORT), file=sys.stderr, flush=True)
        try:
            info = server.start(root)
        except server.ServerError as exc:
            print(f"asklab serve: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print(info.message(), file=sys.stderr)
        os.environ["PREFECT_API_URL"] = info.api_url
    from prefect import serve

    if args.groups is not None:  # many groups on Dask (asklab/cli/groups.py)
        from flows.groups_deployment import build_groups_deployment

        serve(build_groups_deployment(settings, args.groups, name=args.name or "weekly-groups"))
        return EXIT_OK
    from flows.deployment import build_deployment

    serve(build_deployment(settings, name=args.name or "weekly"))
    return EXIT_OK
