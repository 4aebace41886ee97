"""Rules of a plan table (CONTRACT.md sections 7.1 and 7.2).

Cell rules (plan_id, seed, arms, arm) work like those of :mod:`asklab.ingest.rules`:
distinct texts in, a frame with ``value``, outputs and ``reason`` out. The
checks of the plan as a whole run on the validated frame of one table:
the plan-level columns equal on every row (else a file-level error), a
contact listed twice rejected, and the assignment rule (an edited arm makes
the whole file a file-level error naming the first such contact).
"""

from __future__ import annotations

import re

import polars as pl

from asklab.ingest.cells import show
from asklab.ingest.table import FileError, RawTable
from asklab.keys import WHITESPACE_CHARS

# The module, not its names: asklab.plans.assign imports the ingest package
# (for its ask parser), so either may be imported first.
from asklab.plans import assign
from asklab.vocab import ASK_SEPARATOR_REGEX, ASK_SYNONYMS, PLAN_LEVEL_COLUMNS

REPEATED_IN_PLAN = "contact already in this plan"


def plan_id_rule(values: pl.Series) -> pl.DataFrame:
    return pl.DataFrame({"value": values}).select(
        "value",
        pl.when(pl.col("value") != "").then(pl.col("value")).alias("plan_id"),
        pl.when(pl.col("value") == "")
        .then(pl.lit("plan_id is required but blank"))
        .alias("reason"),
    )


def seed_rule(values: pl.Series) -> pl.DataFrame:
    reasons = [
        "seed is required but blank"
        if value == ""
        else None
        if assign.valid_seed(value)
        else f"{show(value)} is not a seed: expected 32 lower-case hex characters (0-9, a-f)"
        for value in values.to_list()
    ]
    return pl.DataFrame({"value": values, "reason": pl.Series(reasons, dtype=pl.String)}).select(
        "value", pl.when(pl.col("reason").is_null()).then(pl.col("value")).alias("seed"), "reason"
    )


def _written_asks(text: str) -> list[str | None]:
    """The asks of a label in the order written (None for a part that is no ask)."""
    parts = [p.strip(WHITESPACE_CHARS) for p in re.split(ASK_SEPARATOR_REGEX, text, flags=re.I)]
    return [ASK_SYNONYMS.get(" ".join(p.lower().split())) for p in parts if p]


def parse_plan_arms(text: str) -> tuple[str, ...] | str:
    """The arms of an ``arms`` cell, or the reason it is not a plan's arms label.

    Two or three of job, reference, introduction (synonyms allowed), written
    in the canonical order (CONTRACT.md section 7.1).
    """
    if text == "":
        return "arms is required but blank"
    try:
        arms = assign.parse_arms(text)
    except ValueError as exc:
        return str(exc)
    if _written_asks(text) != list(arms):
        return (
            f"arms {show(text)}: list each arm once in the order job, reference, "
            f"introduction ({'+'.join(arms)})"
        )
    return arms


def arms_rule(values: pl.Series) -> pl.DataFrame:
    parsed = [parse_plan_arms(value) for value in values.to_list()]
    return pl.DataFrame(
        {
            "value": values,
            "arms": ["+".join(p) if isinstance(p, tuple) else None for p in parsed],
            "reason": [p if isinstance(p, str) else None for p in parsed],
        },
        schema=dict.fromkeys(("value", "arms", "reason"), pl.String),
    )


def arm_ask(text: str) -> str | None:
    """The canonical ask an ``arm`` cell names (synonyms allowed), else None."""
    return ASK_SYNONYMS.get(" ".join(text.lower().split())) if text else None


def arm_rule(values: pl.Series, plan_arms: tuple[str, ...] | None) -> pl.DataFrame:
    """The arm as a canonical ask; rejected when blank, no ask, or (the plan's
    arms known) not one of them."""
    shown_arms = ", ".join(plan_arms) if plan_arms else "job, reference, introduction"
    asks: list[str | None] = []
    reasons: list[str | None] = []
    for value in values.to_list():
        ask = arm_ask(value)
        asks.append(ask)
        if value == "":
            reasons.append("arm is required but blank")
        elif ask is None:
            reasons.append(f"unknown arm {show(value)}; the plan's arms are {shown_arms}")
        elif plan_arms is not None and ask not in plan_arms:
            reasons.append(f"arm {show(value)} is not one of the plan's arms ({shown_arms})")
        else:
            reasons.append(None)
    return pl.DataFrame(
        {"value": values, "arm": asks, "reason": reasons},
        schema=dict.fromkeys(("value", "arm", "reason"), pl.String),
    )


# -- the plan as a whole -------------------------------------------------------------


def _where(table: RawTable, line: int) -> str:
    return f"line {line}" if table.sheet is None else f"row {line} of sheet {table.sheet!r}"


def check_plan_level(frame: pl.DataFrame, table: RawTable) -> None:
    """FileError when plan_id, created, seed or arms differ between rows.

    Cells compare as written (trimmed); ``arms`` as its canonical label
    where it is one, so ``job+reference`` and ``Job + Reference`` agree.
    """
    for column in PLAN_LEVEL_COLUMNS:
        if column not in table.columns or frame.height == 0:
            continue
        written = pl.col(f"{column}__value")
        compared = pl.coalesce(pl.col("arms"), written) if column == "arms" else written
        values = frame.select("line", written.alias("written"), compared.alias("compared"))
        first = values.row(0, named=True)
        differing = values.filter(pl.col("compared") != first["compared"])
        if differing.height:
            other = differing.row(0, named=True)
            raise FileError(
                f"{column} differs between rows: {show(first['written'])} on "
                f"{_where(table, first['line'])} but {show(other['written'])} on "
                f"{_where(table, other['line'])}; a plan's plan_id, created, seed and arms "
                "must be equal on every row (one plan per file)",
                other["line"],
            )


def reject_repeated_contacts(frame: pl.DataFrame) -> pl.DataFrame:
    """A contact key listed again in the plan (for the same member) rejects that row."""
    listed = pl.col("contact_key").is_not_null() & (pl.col("contact_key") != "")
    repeated = listed & ~pl.struct("member", "contact_key").is_first_distinct()
    return frame.with_columns(
        pl.when(repeated & pl.col("contact__reason").is_null())
        .then(pl.lit(REPEATED_IN_PLAN))
        .otherwise(pl.col("contact__reason"))
        .alias("contact__reason")
    )


def check_assignment(frame: pl.DataFrame, table: RawTable) -> None:
    """FileError naming the first contact whose arm is not the rule's (section 7.2).

    The rule runs over every row with a contact, rejected rows included, once
    the plan's seed and arms are valid (otherwise every row is rejected for them).
    """
    if frame.height == 0 or "seed" not in table.columns or "arms" not in table.columns:
        return
    plan = frame.row(0, named=True)
    if plan["seed"] is None or plan["arms"] is None:
        return
    seed, arms = plan["seed"], tuple(plan["arms"].split("+"))
    rows = frame.filter(pl.col("contact_key").is_not_null() & (pl.col("contact_key") != ""))
    cells = list(
        zip(
            rows["contact_key"].to_list(),
            rows["relationship"].to_list(),
            [arm_ask(v) for v in rows["arm__value"].to_list()],
            rows["arm__value"].to_list(),
            rows["contact"].to_list(),
            rows["line"].to_list(),
            strict=True,
        )
    )
    edited = assign.first_edited_contact(seed, arms, [(k, s, a) for k, s, a, *_ in cells])
    if edited is None:
        return
    expected = assign.assign_arms(seed, arms, [(k, s) for k, s, *_ in cells])[edited]
    _, _, _, written, contact, line = next(
        c for c in cells if c[0] == edited and (c[2] not in arms or c[2] != expected)
    )
    raise FileError(
        f"contact {show(contact)} on {_where(table, line)} has arm {show(written)}, but the "
        f"plan's seed assigns {expected!r}: plans must not be edited (the arms follow from "
        "the seed; write a new plan with `asklab plan` instead)",
        line,
    )
