"""`asklab server start|stop|status`: the project's Prefect server and its UI."""

from __future__ import annotations

import argparse
import sys

from asklab.cli.options import (
    EXIT_FAILED,
    EXIT_OK,
    non_negative_int,
    positive_int,
    project_root,
    use_project_prefect_home,
)

STARTING = (
    "Starting the project's Prefect server on 127.0.0.1:{port} "
    "(a few seconds; about 20 s the first time)..."
)


def add(commands: argparse._SubParsersAction) -> None:
    server = commands.add_parser(
        "server",
        help="a Prefect server for this project: its UI and run history",
        description="Start, stop or check a Prefect server for this project, on 127.0.0.1 "
        "in the background, with its data in .prefect/ next to the config file. While it "
        "runs, `asklab run` uses it (no temporary API to wait for) and its UI shows every run.",
    )
    actions = server.add_subparsers(dest="action", required=True, metavar="ACTION")
    start = actions.add_parser(
        "start", help="start it in the background (nothing to do when it runs)"
    )
    start.add_argument(
        "--port", type=positive_int, default=4200, help="port on 127.0.0.1 (default: 4200)"
    )
    actions.add_parser("stop", help="stop it")
    status = actions.add_parser(
        "status", help="whether it runs, its address, and the last flow runs"
    )
    status.add_argument(
        "--runs", type=non_negative_int, default=5, help="flow runs to list (default: 5)"
    )
    server.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    from asklab import server

    root = project_root(args.config)
    if args.action == "start":
        if server.project_api_url(root) is None:
            # Said at once: the start takes a few seconds (the first one ~20 s).
            print(STARTING.format(port=args.port), flush=True)
        try:
            info = server.start(root, port=args.port)
        except server.ServerError as exc:
            print(f"asklab server start: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print(info.message())
        return EXIT_OK
    if args.action == "stop":
        print("Prefect server stopped." if server.stop(root) else "No Prefect server was running.")
        return EXIT_OK
    # Whether it is up first (no Prefect needed), then the runs, which are
    # read with Prefect's client.
    found = server.status(root, runs=0)
    print(found.format() if not found.up else found.format().splitlines()[0], flush=True)
    if found.up and args.runs:
        use_project_prefect_home(root)
        listed = server.status(root, runs=args.runs).format().splitlines()[1:]
        print("\n".join(listed))
    return EXIT_OK if found.up else EXIT_FAILED
