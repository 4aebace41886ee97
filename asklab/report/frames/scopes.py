"""Rows of one scope (the group or a member), and strategy order, for the frames and tables.

A frame of the outcome tables holds every scope; these pick or split the
rows in one pass, so a page never costs a Polars query per member.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from asklab.metrics import GROUP, MEMBER, STRATEGY_ORDER


def rows_of(frame: pl.DataFrame) -> list[dict]:
    return frame.to_dicts()


def scope_rows(frame: pl.DataFrame, member: str | None) -> pl.DataFrame:
    if member is None:
        return frame.filter(pl.col("scope") == GROUP)
    return frame.filter((pl.col("scope") == MEMBER) & (pl.col("member") == member))


def rows_by_scope(frame: pl.DataFrame) -> dict[str | None, list[dict]]:
    """Row dicts per scope in one pass: ``None`` for the group, else the member (order kept).

    Pages look their rows up here instead of filtering the frame once per
    member, which would cost a Polars query per member and table.
    """
    scopes: dict[str | None, list[dict]] = {}
    for row in frame.to_dicts():
        key = None if row["scope"] == GROUP else row["member"]
        scopes.setdefault(key, []).append(row)
    return scopes


def key_slices(frame: pl.DataFrame, keys: Sequence[str]) -> dict[tuple, slice]:
    """Where each value of ``keys`` sits in ``frame``, which is sorted on ``keys``.

    One Polars pass instead of one filter per member: row ``i`` of a per-row
    list (JSON texts, HTML rows) belongs to the key whose slice holds ``i``.
    """
    spans = (
        frame.select(keys)
        .with_row_index("_row")
        .group_by(keys)
        .agg(
            pl.col("_row").min().alias("_start"),
            pl.col("_row").max().alias("_end"),
            pl.len().alias("_rows"),
        )
    )
    slices = {}
    for *key, start, end, rows in spans.iter_rows():
        if end - start + 1 != rows:
            raise ValueError(f"rows of {key} are not together: sort the frame on {keys}")
        slices[tuple(key)] = slice(start, end + 1)
    return slices


def strategy_row(by_strategy: Sequence[dict], strategy: str) -> dict | None:
    return next((row for row in by_strategy if row["strategy"] == strategy), None)


def metric_row(comparison: Sequence[dict], metric: str) -> dict | None:
    return next((row for row in comparison if row["metric"] == metric), None)


def ordered_strategies(present: Sequence[str]) -> list[str]:
    """The strategies in ``present`` in the fixed order, unknown ones last (sorted)."""
    known = [s for s in STRATEGY_ORDER if s in present]
    return known + sorted(set(present) - set(STRATEGY_ORDER))


def strategy_rank(column: str = "strategy") -> pl.Expr:
    order = {s: i for i, s in enumerate(STRATEGY_ORDER)}
    return pl.col(column).replace_strict(order, default=len(order), return_dtype=pl.Int64)


def sort_by_strategy(frame: pl.DataFrame, *first: str) -> pl.DataFrame:
    if frame.height == 0:
        return frame
    return (
        frame.with_columns(_rank=strategy_rank())
        .sort([*first, "_rank", "strategy"], maintain_order=True)
        .drop("_rank")
    )
