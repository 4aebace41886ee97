"""The synthetic group of `asklab sample`: reproducible, every file variant of
CONTRACT §1 present, dates within the sample's span, the intended mistakes and
only those, and the effects the demo is meant to show.

The checks read the written files with Polars and plain text, independently
of the asklab ingest code, so they hold the sample to the contract's wording.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

from asklab.sample import generate_group, member_name, sample_files, write_sample

REPO = Path(__file__).resolve().parent.parent
DEMO_RAW = REPO / "data" / "raw"
DEMO_END = dt.date(2026, 11, 20)

# Every date form the sample writes, tried in order (the slashed and dotted
# forms are only ever written day-first).
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%b %d, %Y", "%d %B %Y", "%d/%m/%Y", "%d.%m.%Y")
# Header synonyms of CONTRACT §1, for the few columns these tests look at.
CANONICAL_HEADERS = {
    "date": "date",
    "call_date": "date",
    "event_date": "date",
    "ask": "ask_type",
    "asked_for": "ask_type",
    "ask_type": "ask_type",
    "agreed": "agreed_reference",
    "agreed_reference": "agreed_reference",
    "agreed_to_be_reference": "agreed_reference",
    "leads": "leads",
    "job_leads": "leads",
    "member": "member",
    "relationship": "relationship",
}
YES_WORDS = {"yes", "y", "true", "1", "x"}


def normalise_header(name: str) -> str:
    """CONTRACT §1 header normalisation, then the synonyms above."""
    key = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    return CANONICAL_HEADERS.get(key, key)


def read_text_table(path: Path) -> pl.DataFrame:
    """A CSV as text cells with canonical column names, all-blank rows left out."""
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.rename({c: normalise_header(c) for c in frame.columns})
    return frame.filter(~pl.all_horizontal(pl.all().is_null()))


def parse_dates(values: pl.Series) -> pl.Series:
    stripped = values.str.strip_chars()
    return pl.select(
        pl.coalesce([stripped.str.strptime(pl.Date, f, strict=False) for f in DATE_FORMATS])
    ).to_series()


@pytest.fixture(scope="module")
def demo_files() -> dict[str, bytes]:
    return sample_files(members=5, weeks=20, seed=7, end=DEMO_END)


def write_demo(tmp_path: Path) -> Path:
    write_sample(tmp_path, members=5, weeks=20, seed=7, end=DEMO_END)
    return tmp_path


# -- Reproducibility and layout -----------------------------------------------


def test_same_seed_and_end_give_identical_bytes(tmp_path: Path) -> None:
    first = write_sample(tmp_path / "a", members=6, weeks=5, seed=3, end=DEMO_END)
    second = write_sample(tmp_path / "b", members=6, weeks=5, seed=3, end=DEMO_END)
    assert [p.relative_to(tmp_path / "a") for p in first] == [
        p.relative_to(tmp_path / "b") for p in second
    ]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_another_seed_gives_another_group() -> None:
    seven = sample_files(members=2, weeks=4, seed=7, end=DEMO_END)
    eight = sample_files(members=2, weeks=4, seed=8, end=DEMO_END)
    assert seven["alice/calls.csv"] != eight["alice/calls.csv"]


def test_demo_layout_has_every_file_kind(tmp_path: Path) -> None:
    written = write_demo(tmp_path)
    files = sorted(p.relative_to(written).as_posix() for p in written.rglob("*") if p.is_file())
    assert files == [
        "alice/calls.csv",
        "alice/followups.csv",
        "alice/plans/2026-08-08-cc98076a.csv",
        "alice/plans/2026-11-07-04800bfc.csv",
        "bob/2026/calls.csv",
        "bob/2026/followups.csv",
        "bob/plans/2026-08-15-b16c4f98.csv",
        "carmen/job_search.xlsx",
        "carmen/plans/2026-08-15-9dad614c.csv",
        "deepak/calls.csv",
        "deepak/events.csv",
        "erin/calls.csv",
        "erin/outcomes.csv",
        "shared/cohort_log.csv",
    ]


def test_write_sample_returns_the_paths_it_wrote(tmp_path: Path) -> None:
    written = write_sample(tmp_path, members=1, weeks=2, seed=1, end=DEMO_END)
    assert written == [tmp_path / "alice" / "calls.csv", tmp_path / "alice" / "followups.csv",
                       tmp_path / "shared" / "cohort_log.csv"]  # fmt: skip
    assert all(p.is_file() for p in written)


def test_nested_folders_follow_the_year_of_each_row() -> None:
    # Eight weeks ending 2027-01-20 start on 2026-11-26: both years have calls.
    files = sample_files(members=2, weeks=8, seed=7, end=dt.date(2027, 1, 20))
    assert {"bob/2026/calls.csv", "bob/2027/calls.csv"} <= set(files)


def test_member_names_run_past_the_list_with_a_suffix() -> None:
    assert member_name(0) == "alice"
    assert member_name(4) == "erin"
    assert member_name(26) == "alice-2"
    assert member_name(53) == "bob-3"


def test_rejects_empty_groups() -> None:
    with pytest.raises(ValueError, match="members"):
        sample_files(members=0, end=DEMO_END)
    with pytest.raises(ValueError, match="weeks"):
        sample_files(weeks=0, end=DEMO_END)


def test_large_group_has_a_folder_per_member() -> None:
    files = sample_files(members=50, weeks=52, seed=7, end=DEMO_END)
    members = {path.split("/")[0] for path in files} - {"shared"}
    assert len(members) == 50
    assert {"alice-2", "xavier"} <= members


# -- File variants ---------------------------------------------------------------


def test_bom_only_in_the_nested_member_files(demo_files: dict[str, bytes]) -> None:
    with_bom = sorted(name for name, data in demo_files.items() if data[:3] == b"\xef\xbb\xbf")
    assert with_bom == ["bob/2026/calls.csv", "bob/2026/followups.csv"]


def test_crlf_file_uses_crlf_on_every_line(demo_files: dict[str, bytes]) -> None:
    crlf = demo_files["deepak/calls.csv"]
    assert crlf.count(b"\n") > 5
    assert crlf.count(b"\n") == crlf.count(b"\r\n")
    assert b"\r" not in demo_files["alice/calls.csv"]


def test_messy_headers_normalise_to_contract_names(tmp_path: Path) -> None:
    root = write_demo(tmp_path)
    bob_calls = read_text_table(root / "bob" / "2026" / "calls.csv")
    assert bob_calls.columns == [
        "date", "who", "ask_type", "relationship", "agreed_reference", "intros", "leads",
        "follow_up_by", "notes",
    ]  # fmt: skip
    bob_events = pl.read_csv(root / "bob" / "2026" / "followups.csv", infer_schema=False)
    assert bob_events.columns == ["Date", "Who", "Type", "N", "Notes"]


def test_workbook_has_calls_events_and_a_notes_sheet_with_native_dates(tmp_path: Path) -> None:
    root = write_demo(tmp_path)
    sheets = pl.read_excel(root / "carmen" / "job_search.xlsx", sheet_id=0)
    assert list(sheets) == ["Calls", "Follow-ups", "Notes"]
    calls, events, notes = sheets["Calls"], sheets["Follow-ups"], sheets["Notes"]
    # Native Excel dates come back as dates, not as text.
    assert calls.schema["Date"] == pl.Date
    assert events.schema["Date"] == pl.Date
    assert calls["Date"].null_count() == 0
    assert calls["Date"].max() <= DEMO_END
    assert normalise_header("Ask") == "ask_type" and "Ask" in calls.columns
    assert "Type" in events.columns
    # The notes sheet has neither an ask_type nor an event_type column.
    assert {normalise_header(c) for c in notes.columns} & {
        "ask_type",
        "type",
        "event_type",
    } == set()


def test_member_column_file_holds_calls_of_two_members(tmp_path: Path) -> None:
    shared = read_text_table(write_demo(tmp_path) / "shared" / "cohort_log.csv")
    keys = shared["member"].str.strip_chars().str.to_lowercase()
    assert set(keys) == {"alice", "bob"}
    # Written as people type them: not all already in key form.
    assert (shared["member"] != keys).any()


def test_plain_member_file_has_blank_lines_quoted_commas_and_a_multiline_note(
    demo_files: dict[str, bytes],
) -> None:
    text = demo_files["alice/calls.csv"].decode("utf-8")
    assert "\n\n" in text
    assert "\n,,,,,,,\n" in text
    assert '"Follow up next week, send portfolio\nAlso asked about salary bands"' in text


def test_month_name_dates_use_both_forms(demo_files: dict[str, bytes]) -> None:
    text = demo_files["deepak/calls.csv"].decode("utf-8")
    assert re.search(r'^"[A-Z][a-z]{2} \d{1,2}, 2026",', text, re.MULTILINE)
    assert re.search(r"^\d{1,2} (September|October|November) 2026,", text, re.MULTILINE)


def test_day_first_columns_are_decidable(tmp_path: Path) -> None:
    root = write_demo(tmp_path)
    for name in ("calls.csv", "outcomes.csv"):
        dates = read_text_table(root / "erin" / name)["date"]
        parts = dates.str.extract_groups(r"^(\d{2})[/.](\d{2})[/.](\d{4})$")
        first = parts.struct.field("1").cast(pl.Int64)
        second = parts.struct.field("2").cast(pl.Int64)
        assert first.null_count() == 0, name
        assert (first > 12).any(), name
        assert not (second > 12).any(), name


def test_demo_writes_the_vocabulary_variants(demo_files: dict[str, bytes]) -> None:
    text = "\n".join(
        data.decode("utf-8-sig") for name, data in demo_files.items() if name.endswith(".csv")
    )
    for ask in ("reference + intro", "job/reference", "Informational"):
        assert f",{ask}," in text, ask
    for yes_no in (",Y,", ",no,", ",x,"):
        assert yes_no in text, yes_no
    assert ",mentor," in text  # a relationship outside the vocabulary
    for event_type in (",contacted me,", ",called back,", ",job lead,", ",intro,", ",reference,"):
        assert event_type in text, event_type


# -- Dates ---------------------------------------------------------------------------


def test_no_date_after_end_and_calls_span_the_weeks(tmp_path: Path) -> None:
    end = dt.date(2026, 3, 10)
    weeks = 12
    start = end - dt.timedelta(days=weeks * 7 - 1)
    write_sample(tmp_path, members=10, weeks=weeks, seed=5, end=end)
    unparsed: list[str] = []
    seen: list[dt.date] = []
    for path in sorted(tmp_path.rglob("*.csv")):
        table = read_text_table(path)
        if "arm" in table.columns:  # a plan: its one date is `created`
            seen += parse_dates(table["created"]).to_list()
            continue
        raw = table["date"]
        parsed = parse_dates(raw)
        unparsed += raw.filter(parsed.is_null()).to_list()
        seen += parsed.drop_nulls().to_list()
    for frame in pl.read_excel(tmp_path / "carmen" / "job_search.xlsx", sheet_id=[1, 2]).values():
        seen += frame["Date"].to_list()
    assert max(seen) <= end
    assert min(seen) >= start
    # The one impossible date (a deliberate typo) is the only date not parsed.
    assert len(unparsed) == 1
    assert re.fullmatch(r"3[01]/(0[2469]|11)/2026", unparsed[0])


# -- Deliberate mistakes ----------------------------------------------------------------


def test_demo_has_exactly_the_intended_bad_values(tmp_path: Path) -> None:
    root = write_demo(tmp_path)
    deepak = read_text_table(root / "deepak" / "calls.csv")
    assert deepak.filter(pl.col("ask_type") == "jbo").height == 1
    bob_events = read_text_table(root / "bob" / "2026" / "followups.csv")
    assert bob_events["n"].drop_nulls().to_list().count("two") == 1
    assert set(bob_events["n"].drop_nulls()) <= {"two", "2", "3", "4"}
    erin = read_text_table(root / "erin" / "calls.csv")
    assert parse_dates(erin["date"]).null_count() == 1
    # Nowhere else: no other unknown ask and no other non-number count.
    all_text = "\n".join(p.read_text("utf-8-sig") for p in root.rglob("*.csv"))
    assert all_text.count(",jbo,") == 1
    assert all_text.count(",two,") == 1


def test_one_exact_duplicate_call_row(tmp_path: Path) -> None:
    alice = read_text_table(write_demo(tmp_path) / "alice" / "calls.csv")
    assert alice.height - alice.unique().height == 1


# -- Effects the demo is meant to show --------------------------------------------------


def calls_from_csvs(root: Path) -> pl.DataFrame:
    """Every call row of every CSV calls table, with its member, ask and outcome cells."""
    frames = []
    for path in sorted(root.rglob("*.csv")):
        table = read_text_table(path)
        if "ask_type" not in table.columns:
            continue
        member = (
            pl.col("member").str.strip_chars().str.to_lowercase()
            if "member" in table.columns
            else pl.lit(path.relative_to(root).parts[0])
        )
        frames.append(
            table.select(
                member.alias("member"),
                pl.col("ask_type").str.to_lowercase().alias("ask"),
                pl.col("agreed_reference").str.strip_chars().str.to_lowercase().alias("agreed"),
                pl.col("leads").fill_null("0").cast(pl.Int64).alias("leads"),
                pl.col("relationship").str.to_lowercase().alias("relationship"),
            )
        )
    calls = pl.concat(frames)
    asks_reference = pl.col("ask").str.contains(r"\bref")
    asks_job = pl.col("ask").str.contains(r"\bjob|opening|\bleads?\b")
    return calls.with_columns(
        strategy=pl.when(asks_reference & ~asks_job)
        .then(pl.lit("reference"))
        .when(asks_job & ~asks_reference)
        .then(pl.lit("job"))
        .otherwise(pl.lit("other"))
    )


def test_reference_asks_are_said_yes_to_far_more_often_than_job_asks(tmp_path: Path) -> None:
    write_sample(tmp_path, members=20, weeks=26, seed=11, end=DEMO_END)
    calls = calls_from_csvs(tmp_path)
    reference = calls.filter(pl.col("strategy") == "reference")
    job = calls.filter(pl.col("strategy") == "job")
    assert reference.height > 200 and job.height > 200
    reference_yes = reference["agreed"].is_in(list(YES_WORDS)).mean()
    job_yes = (job["leads"] > 0).mean()
    assert reference_yes > 0.65
    assert job_yes < 0.45
    assert reference_yes - job_yes > 0.3


def test_reference_contacts_bring_more_later_leads_and_introductions() -> None:
    group = generate_group(members=20, weeks=26, seed=11, end=DEMO_END)

    def contact_key(name: str) -> str:
        return " ".join(name.lower().split())

    calls = pl.DataFrame(
        [
            {
                "member": c.member,
                "contact": contact_key(c.contact),
                "reference": "reference" in c.asks and "job" not in c.asks,
                "job": "job" in c.asks and "reference" not in c.asks,
            }
            for log in group
            for c in log.calls
        ]
    )
    events = pl.DataFrame(
        [
            {"member": e.member, "contact": contact_key(e.contact), "type": e.event_type}
            for log in group
            for e in log.events
        ]
    )
    # Contacts only ever asked one way, to keep the comparison clean.
    by_contact = calls.group_by("member", "contact").agg(
        only_reference=pl.col("reference").all(), only_job=pl.col("job").all()
    )
    later = events.group_by("member", "contact").agg(
        leads=(pl.col("type") == "lead").sum(), intros=(pl.col("type") == "introduction").sum()
    )
    joined = by_contact.join(later, on=["member", "contact"], how="left").fill_null(0)
    reference = joined.filter("only_reference")
    job = joined.filter("only_job")
    assert reference["leads"].mean() > 1.5 * job["leads"].mean()
    assert reference["intros"].mean() > 1.5 * job["intros"].mean()


def test_members_differ_in_whom_they_call_and_what_they_ask(tmp_path: Path) -> None:
    write_sample(tmp_path, members=2, weeks=26, seed=11, end=DEMO_END)
    calls = calls_from_csvs(tmp_path)
    shares = (
        calls.group_by("member")
        .agg(
            colleague=pl.col("relationship")
            .is_in(
                ["colleague", "former colleague", "coworker", "co-worker", "ex-colleague", "work"]
            )
            .mean(),
            recruiter=(pl.col("relationship") == "recruiter").mean(),
            job=(pl.col("strategy") == "job").mean(),
        )
        .sort("member")
    )
    alice, bob = shares.row(0, named=True), shares.row(1, named=True)
    assert (alice["member"], bob["member"]) == ("alice", "bob")
    assert alice["colleague"] > bob["colleague"] + 0.2
    assert bob["recruiter"] > alice["recruiter"] + 0.2
    assert bob["job"] > alice["job"] + 0.2


# -- The committed demo -------------------------------------------------------------------


def test_committed_demo_is_what_the_generator_writes(demo_files: dict[str, bytes]) -> None:
    committed = {
        p.relative_to(DEMO_RAW).as_posix(): p.read_bytes()
        for p in sorted(DEMO_RAW.rglob("*"))
        if p.is_file() and p.name != "README.md"
    }
    assert sorted(committed) == sorted(demo_files)
    for name, data in demo_files.items():
        assert committed[name] == data, name
    assert sum(len(d) for d in committed.values()) < 200_000


def test_some_events_are_unattributed_or_past_the_window() -> None:
    group = generate_group(members=10, weeks=26, seed=11, end=DEMO_END)
    unattributed = beyond_window = within_window = 0
    for log in group:
        call_days: dict[str, list[dt.date]] = {}
        for c in log.calls:
            call_days.setdefault(" ".join(c.contact.lower().split()), []).append(c.call_date)
        for e in log.events:
            earlier = [d for d in call_days.get(" ".join(e.contact.lower().split()), [])
                       if d <= e.event_date]  # fmt: skip
            if not earlier:
                unattributed += 1
            elif (e.event_date - max(earlier)).days > 60:
                beyond_window += 1
            else:
                within_window += 1
    assert unattributed >= 10  # at least one per member
    assert 1 <= beyond_window < within_window / 10


def test_generated_records_hold_no_accidental_duplicates() -> None:
    group = generate_group(members=20, weeks=26, seed=11, end=DEMO_END)
    calls = pl.DataFrame(
        [(c.member, c.call_date, " ".join(c.contact.lower().split()))
         for log in group for c in log.calls],
        schema=["member", "day", "contact"],
        orient="row",
    )  # fmt: skip
    events = pl.DataFrame(
        [(e.member, e.event_date, " ".join(e.contact.lower().split()), e.event_type)
         for log in group for e in log.events],
        schema=["member", "day", "contact", "type"],
        orient="row",
    )  # fmt: skip
    assert calls.height > 1000 and events.height > 1000
    assert calls.is_duplicated().sum() == 0
    assert events.is_duplicated().sum() == 0


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the only line holding ``needle`` (none of these rows span lines)."""
    lines = [n for n, text in enumerate(path.read_text("utf-8-sig").splitlines(), 1)
             if needle in text]  # fmt: skip
    assert len(lines) == 1, (path, needle, lines)
    return lines[0]


def test_validation_rejects_exactly_the_three_planted_typos(tmp_path: Path) -> None:
    from asklab.ingest.discover import discover_files
    from asklab.ingest.validate import validate_file

    root = write_demo(tmp_path)
    erin_dates = read_text_table(root / "erin" / "calls.csv")["date"]
    bad_date = erin_dates.filter(parse_dates(erin_dates).is_null()).item()
    expected = {
        ("bob/2026/followups.csv", None, line_of(root / "bob/2026/followups.csv", ",two,"),
         "count", "two"),
        ("deepak/calls.csv", None, line_of(root / "deepak/calls.csv", ",jbo,"), "ask_type", "jbo"),
        ("erin/calls.csv", None, line_of(root / "erin/calls.csv", bad_date), "call_date",
         bad_date),
    }  # fmt: skip
    rejected: set[tuple[str, str | None, int, str, str]] = set()
    accepted_calls = 0
    # Plan files have rules of their own (checked by the plan tests below).
    for path in (p for p in discover_files(root) if "plans" not in p.parts):
        result = validate_file(path, root, as_of=DEMO_END)
        rejected |= {
            (result.source_file, r["sheet"], r["line"], r["column"], r["value"])
            for r in result.rejected.iter_rows(named=True)
        }
        accepted_calls += result.calls.height
    assert rejected == expected
    # Every other call row loads: all data rows of the calls tables but the two rejected.
    csv_call_rows = sum(
        read_text_table(p).height
        for p in root.rglob("*.csv")
        if "ask_type" in read_text_table(p).columns
    )
    workbook_call_rows = pl.read_excel(
        root / "carmen" / "job_search.xlsx", sheet_name="Calls"
    ).height
    assert accepted_calls == csv_call_rows + workbook_call_rows - 2
