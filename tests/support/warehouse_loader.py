"""A loader process for the kill and lock tests (run as a script, not imported).

Loads either a synthetic group (``--files/--rows/--variant``, no parsing) or a
raw folder (``--raw``) into ``--db`` inside one transaction. With
``--pause-at STEP`` it touches ``--signal`` when apply_ingest reports that
step done and then sleeps ``--pause-seconds`` inside the open transaction,
so a test can kill it or start a rival run at a known point.

Exit codes: 0 done, 3 warehouse busy (message on stderr).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from asklab.load import (  # noqa: E402
    apply_ingest,
    build_plan,
    plan_ingest,
    read_planned,
)
from asklab.warehouse import WarehouseBusy, open_warehouse, read_file_states  # noqa: E402
from tests.support.warehouse_frames import synthetic_group, synthetic_on_disk  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--raw", type=Path)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 6, 1))
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--variant", type=int, default=1)
    parser.add_argument("--lock-timeout", type=float, default=30.0)
    parser.add_argument("--pause-at", type=int)
    parser.add_argument("--pause-seconds", type=float, default=120.0)
    parser.add_argument("--signal", type=Path)
    args = parser.parse_args()

    def progress(done: int, total: int) -> None:
        if done == args.pause_at:
            args.signal.write_text("paused\n")
            time.sleep(args.pause_seconds)

    try:
        with open_warehouse(args.db, lock_timeout=args.lock_timeout) as wh, wh.transaction():
            if args.raw is not None:
                plan = plan_ingest(wh, args.raw, as_of=args.as_of, date_order="month-first")
                results = read_planned(plan, as_of=args.as_of, date_order="month-first")
            else:
                group = synthetic_group(args.files, args.rows, args.variant)
                plan = build_plan(
                    read_file_states(wh),
                    synthetic_on_disk(group),
                    raw_root=Path("raw"),
                    as_of=args.as_of,
                    date_order="month-first",
                    fingerprint="synthetic",
                )
                results = {f.source_file: group[f.source_file][1] for f in plan.to_read}
            summary = apply_ingest(wh, plan, results, run_id=args.run_id, progress=progress)
    except WarehouseBusy as exc:
        print(exc, file=sys.stderr)
        return 3
    print(
        f"loaded={summary.files_loaded} unchanged={summary.files_unchanged} "
        f"calls={summary.calls} events={summary.events}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
