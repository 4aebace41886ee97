"""Cell rules of CONTRACT.md sections 1.1-1.7 other than dates: asks, event
types, relationships, yes/no, whole numbers, member, contact, extra cells.

Each rule takes the distinct texts of one column (a String Series, blank as
"") and returns a frame with ``value``, its outputs and ``reason`` (null when
the cell passes).
"""

from __future__ import annotations

import re

import polars as pl

from asklab.ingest.cells import nearest, normalise_word, normalised_word, show, with_reasons
from asklab.keys import WHITESPACE_CHARS
from asklab.vocab import (
    ASK_ORDER,
    ASK_SEPARATOR_REGEX,
    ASK_SYNONYMS,
    EVENT_TYPE_SYNONYMS,
    RELATIONSHIP_SYNONYMS,
    YES_NO,
)

_ASK_SPLIT = re.compile(ASK_SEPARATOR_REGEX, re.IGNORECASE)
_ASK_WORDS = tuple(ASK_SYNONYMS)
_EVENT_WORDS = tuple(EVENT_TYPE_SYNONYMS)


def parse_asks(text: str) -> tuple[str, str] | str:
    """``(ask_label, strategy)`` for a trimmed non-blank ask cell, or the rejection reason."""
    parts = [p.strip(WHITESPACE_CHARS) for p in _ASK_SPLIT.split(text)]
    parts = [p for p in parts if p]
    if not parts:
        return f"unknown ask {show(text)}; did you mean {show(nearest(text.lower(), _ASK_WORDS))}?"
    asks: set[str] = set()
    unknown: list[str] = []
    for part in parts:
        ask = ASK_SYNONYMS.get(normalise_word(part))
        if ask is None:
            near = nearest(normalise_word(part), _ASK_WORDS)
            unknown.append(f"unknown ask {show(part)}; did you mean {show(near)}?")
        else:
            asks.add(ask)
    if unknown:
        return " ".join(unknown)
    label = "+".join(a for a in ASK_ORDER if a in asks)
    has_job, has_reference = "job" in asks, "reference" in asks
    strategy = (
        "mixed"
        if has_job and has_reference
        else "job"
        if has_job
        else "reference"
        if has_reference
        else "other"
    )
    return label, strategy


def ask_rule(values: pl.Series) -> pl.DataFrame:
    labels: list[str | None] = []
    strategies: list[str | None] = []
    reasons: list[str | None] = []
    for value in values.to_list():
        parsed = "ask_type is required but blank" if value == "" else parse_asks(value)
        if isinstance(parsed, str):
            labels.append(None)
            strategies.append(None)
            reasons.append(parsed)
        else:
            labels.append(parsed[0])
            strategies.append(parsed[1])
            reasons.append(None)
    return pl.DataFrame(
        {"value": values, "ask_label": labels, "strategy": strategies, "reason": reasons},
        schema=dict.fromkeys(("value", "ask_label", "strategy", "reason"), pl.String),
    )


def event_type_rule(values: pl.Series) -> pl.DataFrame:
    types: list[str | None] = []
    reasons: list[str | None] = []
    for value in values.to_list():
        event_type = EVENT_TYPE_SYNONYMS.get(normalise_word(value))
        types.append(event_type)
        if value == "":
            reasons.append("event_type is required but blank")
        elif event_type is None:
            near = nearest(normalise_word(value), _EVENT_WORDS)
            reasons.append(f"unknown event type {show(value)}; did you mean {show(near)}?")
        else:
            reasons.append(None)
    return pl.DataFrame(
        {"value": values, "event_type": types, "reason": reasons},
        schema={"value": pl.String, "event_type": pl.String, "reason": pl.String},
    )


# Relationship words written as the canonical fallbacks themselves.
_RELATIONSHIPS = {**RELATIONSHIP_SYNONYMS, "unknown": "unknown", "other": "other"}


def relationship_rule(values: pl.Series) -> pl.DataFrame:
    """Blank -> unknown; a word outside the list -> other (no rejection, a notice)."""
    word = normalised_word(pl.col("value"))
    return pl.DataFrame({"value": values}).select(
        "value",
        pl.when(pl.col("value") == "")
        .then(pl.lit("unknown"))
        .otherwise(word.replace_strict(_RELATIONSHIPS, default="other"))
        .alias("relationship"),
        ((pl.col("value") != "") & ~word.is_in(list(_RELATIONSHIPS))).alias("relationship_unknown"),
        pl.lit(None, dtype=pl.String).alias("reason"),
    )


def member_rule(values: pl.Series, blank_reason: str) -> pl.DataFrame:
    return pl.DataFrame({"value": values}).select(
        "value",
        pl.when(pl.col("value") != "").then(normalised_word(pl.col("value"))).alias("member"),
        pl.when(pl.col("value") == "").then(pl.lit(blank_reason)).alias("reason"),
    )


def contact_rule(values: pl.Series) -> pl.DataFrame:
    return pl.DataFrame({"value": values}).select(
        "value",
        pl.col("value").alias("contact"),
        normalised_word(pl.col("value")).alias("contact_key"),
        pl.when(pl.col("value") == "")
        .then(pl.lit("contact is required but blank"))
        .alias("reason"),
    )


def yes_no_rule(values: pl.Series, column: str) -> pl.DataFrame:
    frame = pl.DataFrame({"value": values}).with_columns(
        parsed=normalised_word(pl.col("value")).replace_strict(
            YES_NO, default=None, return_dtype=pl.Boolean
        )
    )
    frame = frame.with_columns(
        code=pl.when((pl.col("value") != "") & pl.col("parsed").is_null()).then(pl.lit("bad"))
    )
    return with_reasons(
        frame,
        lambda row: f"{show(row['value'])} is not yes/no (yes, y, true, 1, x or no, n, false, 0)",
    ).select("value", pl.col("parsed").alias(column), "reason")


# The largest whole number a count column accepts (CONTRACT.md section 1.7, v2).
WHOLE_NUMBER_MAX = 999


def whole_number_rule(
    values: pl.Series, column: str, minimum: int, blank: int, maximum: int = WHOLE_NUMBER_MAX
) -> pl.DataFrame:
    """``3``, ``3.0`` -> 3; blank -> ``blank``; below ``minimum``, above ``maximum`` or
    not a whole number rejects (numbers too long for Int64 included)."""
    value = pl.col("value")
    shaped = value.str.contains(r"^[0-9]+(?:\.0+)?$")
    number = value.str.replace(r"\.0+$", "").str.to_integer(strict=False)
    frame = pl.DataFrame({"value": values}).with_columns(
        parsed=pl.when(value == "").then(pl.lit(blank, dtype=pl.Int64)).when(shaped).then(number)
    )
    frame = frame.with_columns(
        code=pl.when(
            pl.col("parsed").is_null() | (pl.col("parsed") < minimum) | (pl.col("parsed") > maximum)
        ).then(pl.lit("bad"))
    ).with_columns(parsed=pl.when(pl.col("code").is_null()).then(pl.col("parsed")))

    def reason(row: dict) -> str:
        shaped = re.fullmatch(r"[0-9]+(?:\.0+)?", row["value"]) is not None
        if shaped and int(row["value"].split(".")[0]) > maximum:
            return f"{show(row['value'])} is above {maximum}, the largest {column} accepted"
        return f"{show(row['value'])} is not a whole number >= {minimum}"

    return with_reasons(frame, reason).select("value", pl.col("parsed").alias(column), "reason")


_SEPARATOR_NAMES = {",": "a comma", ";": "a semicolon", "\t": "a tab"}


def extra_cells_rule(values: pl.Series, header_width: int, separator: str = ",") -> pl.DataFrame:
    """Non-blank cells beyond the header's width reject the row (a comma in an unquoted cell?)."""
    contains = _SEPARATOR_NAMES.get(separator, repr(separator))
    frame = pl.DataFrame({"value": values}).with_columns(
        code=pl.when(pl.col("value") != "").then(pl.lit("extra"))
    )
    return with_reasons(
        frame,
        lambda row: (
            f"the header has {header_width} columns but this row has more cells: "
            f"{show(row['value'])} (quote a cell that contains {contains})"
        ),
    ).select("value", "reason")
