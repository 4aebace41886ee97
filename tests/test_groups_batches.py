"""Groups in batches (asklab.groups.batches) and the flow's batch wiring (flows.groups).

The batch task runs each group as its own Prefect task run, so one group's
failure stays its own; a batch whose Dask task is lost whole is run again one
group a task. These run without a Dask cluster: a batch in this process, and
the runner replaced by one that loses the batches holding a given group.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import pytest

from asklab.groups import Group, GroupOutcome
from asklab.groups.batches import FIXED_WEIGHT, group_weight, input_bytes, make_batches
from asklab.settings import Settings, SettingsError, settings_from_mapping

REPO = Path(__file__).resolve().parent.parent
DEMO_RAW = REPO / "data" / "raw"
AS_OF = dt.date(2026, 11, 26)


def group(name: str, folder: Path | None = None) -> Group:
    return Group(name, name, folder or Path("/nonexistent") / name)


def test_batches_by_hand_heaviest_into_the_lightest_batch():
    weights = {"a": 10, "b": 9, "c": 8, "d": 1, "e": 1, "f": 1}
    groups = [group(name) for name in "fedcba"]  # order given does not matter

    batches = make_batches(groups, slots=2, per_slot=1, weight=lambda g: weights[g.key])

    # a -> 1 (10); b -> 2 (9); c -> 2 (17); d, e, f -> 1 (11, 12, 13).
    assert [[g.key for g in batch] for batch in batches] == [["b", "c"], ["a", "d", "e", "f"]]


@pytest.mark.parametrize(("count", "slots"), [(1, 1), (3, 2), (7, 1), (40, 2), (200, 2), (5, 64)])
def test_every_group_is_in_one_batch_and_the_batches_are_even(count: int, slots: int):
    weights = {f"g{i:03d}": 1 + (i * 37) % 11 for i in range(count)}
    groups = [group(key) for key in weights]

    batches = make_batches(groups, slots=slots, weight=lambda g: weights[g.key])

    keys = [g.key for batch in batches for g in batch]
    assert sorted(keys) == sorted(weights)
    assert len(batches) == min(count, 4 * slots)
    totals = [sum(weights[g.key] for g in batch) for batch in batches]
    assert totals == sorted(totals, reverse=True)
    # Greedy into the lightest: no batch exceeds another by more than one group.
    assert totals[0] - totals[-1] <= max(weights.values())


def test_no_groups_no_batches_and_no_workers_still_one_batch():
    assert make_batches([], slots=4) == []
    assert len(make_batches([group("a"), group("b")], slots=0, weight=lambda g: 1)) == 2


def test_input_bytes_counts_files_below_and_survives_links(tmp_path: Path):
    (tmp_path / "alice" / "2026").mkdir(parents=True)
    (tmp_path / "alice" / "calls.csv").write_bytes(b"x" * 100)
    (tmp_path / "alice" / "2026" / "events.csv").write_bytes(b"y" * 23)
    (tmp_path / "alice" / "loop").symlink_to(tmp_path)  # not followed
    (tmp_path / "broken.csv").symlink_to(tmp_path / "missing.csv")  # left out

    assert input_bytes(tmp_path) == 123
    assert input_bytes(tmp_path / "missing") == 0
    assert group_weight(group("a", tmp_path)) == FIXED_WEIGHT + 123


def test_threads_setting_from_the_config_and_checked(tmp_path: Path):
    assert settings_from_mapping({"threads": 2}, tmp_path, "asklab.toml").threads == 2
    assert Settings().threads is None
    with pytest.raises(SettingsError, match="threads must be >= 1"):
        settings_from_mapping({"threads": 0}, tmp_path, "asklab.toml")


def test_a_run_with_one_thread_gives_duckdb_one_and_the_same_tables(tmp_path: Path):
    import duckdb

    from asklab.pipeline import run_weekly
    from asklab.warehouse import open_warehouse

    with open_warehouse(tmp_path / "one.duckdb", threads=1) as wh:
        assert wh.scalar("SELECT current_setting('threads')") == 1
    for name, threads in (("default", None), ("single", 1)):
        run_weekly(
            Settings(
                raw=DEMO_RAW,
                db=tmp_path / f"{name}.duckdb",
                reports=tmp_path / name,
                as_of=AS_OF,
                threads=threads,
            )
        )
    with (
        duckdb.connect(str(tmp_path / "default.duckdb"), read_only=True) as a,
        duckdb.connect(str(tmp_path / "single.duckdb"), read_only=True) as b,
    ):
        for table in ("call_outcomes", "outcomes_by_strategy", "strategy_comparison"):
            query = f"SELECT * FROM {table} ORDER BY ALL"
            rows = a.execute(query).fetchall()
            assert rows and rows == b.execute(query).fetchall(), table

    def pages(folder: Path) -> list[Path]:
        return sorted(path.relative_to(folder) for path in folder.rglob("*.html"))

    assert pages(tmp_path / "single") == pages(tmp_path / "default") != []


def test_the_local_cluster_gives_workers_one_polars_thread_and_the_preload():
    import importlib

    from asklab.groups.cluster import WORKER_PRELOAD, local_cluster_kwargs

    kwargs = local_cluster_kwargs(Settings(dask_workers=3))
    assert kwargs["n_workers"] == 3 and kwargs["threads_per_worker"] == 1
    assert kwargs["env"] == {"POLARS_MAX_THREADS": "1"}
    assert kwargs["preload"] == [WORKER_PRELOAD]
    preload = importlib.import_module(WORKER_PRELOAD)
    for module in preload.MODULES:
        importlib.import_module(module)  # each exists


def make_three_groups(tmp_path: Path) -> tuple[list[Group], Settings]:
    groups = []
    for name, members in (("a", ["alice"]), ("b", ["bob"]), ("c", ["carmen"])):
        for member in members:
            shutil.copytree(DEMO_RAW / member, tmp_path / "groups" / name / member)
        groups.append(Group(name, name, tmp_path / "groups" / name))
    settings = Settings(db_dir=tmp_path / "wh", reports=tmp_path / "rep", as_of=AS_OF, threads=1)
    return groups, settings


def test_a_batch_runs_each_group_as_its_own_task_run_and_keeps_failures_apart(
    tmp_path: Path, prefect_harness
):
    from prefect import flow, get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName

    from flows.groups import batch_task

    groups, settings = make_three_groups(tmp_path)
    # b's warehouse is not a database: its run fails on opening it.
    (tmp_path / "wh").mkdir()
    (tmp_path / "wh" / "b.duckdb").write_text("not a database")

    @flow
    def one_batch() -> list[GroupOutcome]:
        return batch_task.fn("batch 1 of 1: 3 groups", tuple(groups), settings)

    outcomes = one_batch()

    assert [o.group.key for o in outcomes] == ["a", "b", "c"]
    assert [o.failed for o in outcomes] == [False, True, False]
    assert "stage 'ingest' failed" in outcomes[1].error
    for outcome in (outcomes[0], outcomes[2]):
        assert outcome.summary.ingest.files_loaded >= 1
        assert (tmp_path / "rep" / outcome.group.slug / "2026-W48" / "group.html").is_file()
    assert (tmp_path / "wh" / "b.duckdb").read_text() == "not a database"

    # Each group was a task run of its own; b's failed. (The API records
    # task runs from their events, a moment after they end.)
    names = ["group a", "group b", "group c"]
    deadline = time.monotonic() + 30
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(
                task_run_filter=TaskRunFilter(name=TaskRunFilterName(any_=names))
            )
            states = {run.name: run.state_type.value for run in runs if run.state_type}
            if len(states) == 3 and "RUNNING" not in states.values():
                break
            assert time.monotonic() < deadline, states
            time.sleep(0.5)
    assert states == {"group a": "COMPLETED", "group b": "FAILED", "group c": "COMPLETED"}


class LostFuture:
    def __init__(self, error: Exception):
        self.error = error

    def result(self):
        raise self.error


class DoneFuture:
    def __init__(self, outcomes: list[GroupOutcome]):
        self.outcomes = outcomes

    def result(self):
        return self.outcomes


class LosingRunner:
    """Stands in for the DaskTaskRunner: a batch holding ``poison`` is lost whole
    (as when the group kills its worker); any other batch completes."""

    def __init__(self, poison: str):
        self.poison = poison
        self.labels: list[str] = []

    def submit(self, task, parameters):
        self.labels.append(parameters["label"])
        batch = parameters["groups"]
        if any(g.key == self.poison for g in batch):
            return LostFuture(RuntimeError(f"worker died running {len(batch)} group(s)"))
        return DoneFuture([GroupOutcome(g, error="(not run: stand-in)") for g in batch])


def run_batches_in_order(monkeypatch, runner, batches) -> list[list[GroupOutcome]]:
    """flows.groups._run_batches with the stand-in runner; its futures end in the
    order submitted. Returns what each call of ``on_done`` got."""
    import flows.groups

    monkeypatch.setattr(flows.groups, "as_completed", iter)
    calls: list[list[GroupOutcome]] = []
    flows.groups._run_batches(runner, batches, Settings(), on_done=calls.append)
    return calls


def test_a_batch_lost_whole_is_run_again_one_group_a_task(monkeypatch):
    groups = [group(name) for name in "abcde"]
    runner = LosingRunner(poison="c")

    calls = run_batches_in_order(monkeypatch, runner, [tuple(groups[:3]), tuple(groups[3:])])

    outcomes = {o.group.key: o for done in calls for o in done}
    assert [[o.group.key for o in done] for done in calls] == [["d", "e"], ["a"], ["b"], ["c"]]
    assert outcomes["c"].error == "RuntimeError: worker died running 1 group(s)"
    for key in "abde":  # completed by the stand-in, a and b on their second try
        assert outcomes[key].error == "(not run: stand-in)"
    assert runner.labels == [
        "batch 1 of 2: 3 groups",
        "batch 2 of 2: 2 groups",
        "group a again, alone",
        "group b again, alone",
        "group c again, alone",
    ]


def test_a_lost_batch_of_one_group_is_that_groups_failure_and_not_run_again(monkeypatch):
    runner = LosingRunner(poison="a")

    calls = run_batches_in_order(monkeypatch, runner, [(group("a"),)])

    assert [[o.error for o in done] for done in calls] == [
        ["RuntimeError: worker died running 1 group(s)"]
    ]
    assert runner.labels == ["batch 1 of 1: 1 group"]


def test_groups_progress_lines():
    import io

    from asklab.progress import Progress

    stream = io.StringIO()
    progress = Progress(stream)
    progress.groups(25, 200, 0)
    progress.groups(50, 200, 1)
    Progress(stream, enabled=False).groups(75, 200, 1)

    assert stream.getvalue() == "[groups] 25/200 done\n[groups] 50/200 done, 1 failed\n"
