"""Write a large clean group for the benchmark: N calls and N events.

Clean CSV with ISO dates and a ``member`` column, split into files of
``rows_per_file`` rows so a rerun can skip unchanged files. Vectorised with
numpy and Polars: 1M + 1M rows in a few seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

ASKS = np.array(
    ["job", "reference", "introduction", "reference+introduction", "advice", "job+reference"]
)
ASK_WEIGHTS = np.array([0.3, 0.3, 0.15, 0.1, 0.1, 0.05])
RELATIONSHIPS = np.array(
    ["colleague", "friend", "classmate", "family", "recruiter", "acquaintance"]
)
EVENT_TYPES = np.array(
    ["lead", "introduction", "reached_out", "reference_given", "interview", "offer"]
)
EVENT_WEIGHTS = np.array([0.3, 0.25, 0.2, 0.12, 0.1, 0.03])
YES_NO = np.array(["yes", "no", "-"])


def generate(
    out_dir: Path,
    *,
    calls: int,
    events: int | None = None,
    members: int | None = None,
    rows_per_file: int = 50_000,
    end: dt.date = dt.date(2026, 11, 20),
    seed: int = 1,
) -> list[Path]:
    """Write ``calls`` call rows and ``events`` event rows under ``out_dir``."""
    events = calls if events is None else events
    # A fixed number of members, so that page count and size do not grow with N.
    members = members or 1000
    rng = np.random.default_rng(seed)
    start_ordinal = end.toordinal() - 364
    member_ids = rng.integers(0, members, calls)
    contact_ids = rng.integers(0, 60, calls)
    call_days = rng.integers(0, 365, calls)
    call_frame = pl.DataFrame(
        {
            "member": pl.Series(member_ids).cast(pl.String).str.pad_start(6, "0"),
            "call_date": pl.Series(call_days + start_ordinal - 719163, dtype=pl.Int32).cast(
                pl.Date
            ),
            "contact": "contact "
            + pl.Series(member_ids * 100 + contact_ids).cast(pl.String).str.pad_start(9, "0"),
            "ask_type": rng.choice(ASKS, calls, p=ASK_WEIGHTS),
            "relationship": rng.choice(RELATIONSHIPS, calls),
            # "-" stands for a blank cell (written as an empty field below).
            "agreed_reference": pl.Series(rng.choice(YES_NO, calls)).replace("-", None),
            "introductions": rng.poisson(0.3, calls),
            "leads": rng.poisson(0.2, calls),
        }
    )
    # Events follow a random call of the same member and contact 0-90 days later.
    source = rng.integers(0, calls, events)
    lag = rng.integers(0, 90, events)
    event_frame = pl.DataFrame(
        {
            "member": call_frame["member"].gather(source),
            "event_date": pl.Series(
                np.minimum(call_days[source] + lag, 364) + start_ordinal - 719163,
                dtype=pl.Int32,
            ).cast(pl.Date),
            "contact": call_frame["contact"].gather(source),
            "event_type": rng.choice(EVENT_TYPES, events, p=EVENT_WEIGHTS),
            "count": rng.integers(1, 3, events),
        }
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for kind, frame in (("calls", call_frame), ("events", event_frame)):
        for index, offset in enumerate(range(0, frame.height, rows_per_file)):
            path = out_dir / f"{kind}_{index:04d}.csv"
            frame.slice(offset, rows_per_file).write_csv(path)
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--events", type=int)
    parser.add_argument("--rows-per-file", type=int, default=50_000)
    args = parser.parse_args()
    files = generate(
        args.out_dir, calls=args.calls, events=args.events, rows_per_file=args.rows_per_file
    )
    print(f"wrote {len(files)} files to {args.out_dir}")


if __name__ == "__main__":
    main()
