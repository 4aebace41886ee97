"""Inputs and events as they happen on real machines (CONTRACT v2 §1, §4, §6).

Unreadable files and folders, member names without a plain page name, links,
an emptied or missing raw folder, a failing stage, a lock wait, Ctrl-C,
SIGTERM and SIGKILL. Each test checks the stored rows, the rejected cells,
the exit status and the message.

The tests run as root here, and root reads any file whatever its mode: an
unreadable file or folder is made by monkeypatching ``Path.open`` or
``os.scandir`` in-process, to raise the PermissionError the kernel would.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from asklab.cli import main
from asklab.cli.interrupt import Interrupted, interrupted_line
from asklab.load.plan import RawRootMissing
from asklab.outcomes import build as outcomes_build
from asklab.pipeline import EmptyRawRoot, StageError, WeeklyRun, interrupted_stage, run_weekly
from asklab.settings import Settings
from asklab.warehouse import WarehouseBusy, open_warehouse
from asklab.warehouse.lock import lock_path_for

AS_OF = dt.date(2026, 11, 26)  # ISO week 2026-W48
WEEK = "2026-W48"
HEADER = "date,name,ask,relationship,agreed,intros,leads\n"
PAUSED_RUN = Path(__file__).parent / "support" / "paused_run.py"
TABLES = ("calls", "events", "rejected_rows", "call_outcomes", "strategy_comparison")


def write(raw: Path, relative: str, text: str) -> Path:
    path = raw / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def calls_csv(*rows: str) -> str:
    return HEADER + "".join(row + "\n" for row in rows)


def small_group(raw: Path) -> Path:
    write(
        raw,
        "alice/calls.csv",
        calls_csv("2026-03-01,Ann,job,friend,,0,1", "2026-03-02,Bo,ref,,yes,,"),
    )
    write(raw, "bob/calls.csv", calls_csv("2026-04-01,Cy,intro,,,2,0"))
    return raw


def settings(tmp_path: Path, raw: Path, **extra) -> Settings:
    return Settings(
        raw=raw,
        db=tmp_path / "w.duckdb",
        reports=tmp_path / "reports",
        as_of=AS_OF,
        lock_timeout=5,
        **extra,
    )


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def snapshot(db: Path) -> dict[str, list[tuple]]:
    return {table: query(db, f"SELECT * FROM {table} ORDER BY ALL") for table in TABLES}


def last_log(db: Path) -> list[tuple]:
    return query(
        db,
        "SELECT source_file, status, message FROM load_log "
        # The latest run by time: two runs within one second have run ids
        # that sort by their random part.
        "WHERE run_id = (SELECT arg_max(run_id, loaded_at) FROM load_log) ORDER BY source_file",
    )


def sha8(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


# -- files and folders that cannot be read -------------------------------------------


def deny_open(monkeypatch, denied: Path) -> None:
    """Path.open raises PermissionError for ``denied`` (as for a file mode 000)."""
    real_open = Path.open

    def fake_open(self, *args, **kwargs):
        if self.absolute() == denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", fake_open)
    monkeypatch.setattr(Path, "read_bytes", lambda self: fake_open(self, "rb").read())


def deny_listing(monkeypatch, denied: Path) -> None:
    """os.scandir raises PermissionError for ``denied`` (as for a folder mode 000)."""
    real_scandir = os.scandir

    def fake_scandir(path="."):
        if isinstance(path, str | os.PathLike) and Path(path).absolute() == denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", fake_scandir)


def test_an_unreadable_file_is_an_error_that_keeps_its_rows(tmp_path: Path, monkeypatch):
    raw = small_group(tmp_path / "raw")
    run_weekly(settings(tmp_path, raw))
    before = snapshot(tmp_path / "w.duckdb")
    # A new row appears in alice's file, which can no longer be opened.
    path = write(raw, "alice/calls.csv", calls_csv("2026-05-05,New,job,,,,"))
    deny_open(monkeypatch, path)

    summary = run_weekly(settings(tmp_path, raw))

    assert snapshot(tmp_path / "w.duckdb") == before  # alice keeps her 2 calls
    assert last_log(tmp_path / "w.duckdb") == [
        ("alice/calls.csv", "error", "cannot read the file: Permission denied"),
        ("bob/calls.csv", "unchanged", None),
    ]
    text = summary.format()
    assert "files: 0 loaded, 1 unchanged, 0 removed, 1 in error" in text
    assert "  error: alice/calls.csv: cannot read the file: Permission denied" in text


def test_a_folder_that_cannot_be_listed_keeps_its_files_and_is_named(tmp_path: Path, monkeypatch):
    raw = small_group(tmp_path / "raw")
    run_weekly(settings(tmp_path, raw))
    before = snapshot(tmp_path / "w.duckdb")
    deny_listing(monkeypatch, raw / "bob")

    summary = run_weekly(settings(tmp_path, raw))

    assert snapshot(tmp_path / "w.duckdb") == before  # bob's call is not removed
    assert last_log(tmp_path / "w.duckdb") == [
        ("alice/calls.csv", "unchanged", None),
        ("bob/calls.csv", "error", "bob: folder cannot be read: Permission denied"),
    ]
    assert summary.ingest.files_removed == 0
    assert "  folder in error: bob/: folder cannot be read: Permission denied" in summary.format()


def test_an_unreadable_raw_root_counts_as_missing_and_creates_nothing(tmp_path: Path, monkeypatch):
    raw = small_group(tmp_path / "raw")
    deny_listing(monkeypatch, raw)
    with pytest.raises(StageError) as failure:
        run_weekly(settings(tmp_path, raw))
    assert isinstance(failure.value.cause, RawRootMissing)
    assert f"raw data folder cannot be read: {raw} (Permission denied)" in str(failure.value)
    assert not (tmp_path / "w.duckdb").exists()
    assert not (tmp_path / "reports").exists()


def test_a_missing_raw_root_creates_nothing(tmp_path: Path):
    with pytest.raises(StageError, match=r"raw data folder not found: .*nowhere"):
        run_weekly(settings(tmp_path, tmp_path / "nowhere"))
    assert list(tmp_path.iterdir()) == []


def test_an_emptied_raw_folder_changes_nothing_unless_allowed(tmp_path: Path):
    raw = small_group(tmp_path / "raw")
    run_weekly(settings(tmp_path, raw))
    before = snapshot(tmp_path / "w.duckdb")
    logs_before = query(tmp_path / "w.duckdb", "SELECT count(*) FROM load_log")
    for member in ("alice", "bob"):
        shutil.rmtree(raw / member)

    with pytest.raises(StageError) as failure:
        run_weekly(settings(tmp_path, raw))
    assert isinstance(failure.value.cause, EmptyRawRoot)
    assert str(failure.value.cause) == (
        f"no input file below {raw}, but the warehouse holds 3 calls and 0 events: nothing "
        "was changed (is the folder unmounted?). Run with --allow-empty to remove them all."
    )
    assert snapshot(tmp_path / "w.duckdb") == before
    assert query(tmp_path / "w.duckdb", "SELECT count(*) FROM load_log") == logs_before

    summary = run_weekly(settings(tmp_path, raw, allow_empty=True))
    assert query(tmp_path / "w.duckdb", "SELECT count(*) FROM calls") == [(0,)]
    assert summary.ingest.removed == ("alice/calls.csv", "bob/calls.csv")
    assert "  removed: alice/calls.csv\n  removed: bob/calls.csv" in summary.format()


# -- names and links ---------------------------------------------------------------


def test_member_names_without_a_plain_page_name_never_fail_a_run(tmp_path: Path):
    raw = tmp_path / "raw"
    long_name = "a" * 253  # the longest folder name most file systems allow, nearly
    for folder in ("Дмитрий", "张伟", "alice smith", "alice-smith", long_name):
        write(raw, f"{folder}/calls.csv", calls_csv("2026-03-01,Ann,job,,,,"))

    summary = run_weekly(settings(tmp_path, raw))

    assert query(
        tmp_path / "w.duckdb", "SELECT member, count(*) FROM calls GROUP BY 1 ORDER BY 1"
    ) == sorted(
        [("alice smith", 1), ("alice-smith", 1), (long_name, 1), ("дмитрий", 1), ("张伟", 1)]
    )
    assert query(tmp_path / "w.duckdb", "SELECT count(*) FROM rejected_rows") == [(0,)]
    pages = sorted(p.name for p in (tmp_path / "reports" / WEEK / "members").iterdir())
    assert pages == sorted(
        [
            f"member-{sha8('дмитрий')}.html",
            f"member-{sha8('张伟')}.html",
            f"alice-smith-{sha8('alice smith')}.html",
            f"alice-smith-{sha8('alice-smith')}.html",
            "a" * 60 + ".html",
        ]
    )
    assert summary.ingest.files_loaded == 5


def test_a_linked_member_folder_is_read_through_its_link_and_a_broken_link_named(
    tmp_path: Path,
):
    raw = small_group(tmp_path / "raw")
    elsewhere = tmp_path / "shared-drive" / "carol"
    write(elsewhere, "calls.csv", calls_csv("2026-06-01,Dee,job,,,,1"))
    (raw / "carol").symlink_to(elsewhere, target_is_directory=True)
    (raw / "bob" / "old.csv").symlink_to(tmp_path / "gone.csv")

    summary = run_weekly(settings(tmp_path, raw))

    assert query(
        tmp_path / "w.duckdb",
        "SELECT member, contact, source_file FROM calls WHERE member = 'carol'",
    ) == [("carol", "Dee", "carol/calls.csv")]
    assert f"  notice: bob/old.csv: broken link: '{tmp_path / 'gone.csv'}' does not exist" in (
        summary.format().splitlines()
    )


# -- the summary -------------------------------------------------------------------


def test_the_summary_lists_the_first_rejected_cells_duplicates_and_removed_files(
    tmp_path: Path,
):
    raw = small_group(tmp_path / "raw")
    write(raw, "bob/old.csv", calls_csv("2026-04-02,Ed,job,,,,"))
    run_weekly(settings(tmp_path, raw))
    (raw / "bob" / "old.csv").unlink()
    bad = [f"2026-03-{day:02d},P{day},jbo,,,," for day in range(1, 12)]  # 11 unknown asks
    write(
        raw,
        "carol/calls.csv",
        calls_csv(
            "2026-03-01,Ann,job,,,,", "2026-03-01,ann,Job,,,,", *bad, "2026-03-20,Q,job,,,,-1"
        ),
    )

    summary = run_weekly(settings(tmp_path, raw))

    lines = summary.format().splitlines()
    at = lines.index("rows rejected: 12:")
    reason = "unknown ask 'jbo'; did you mean 'job'?"
    assert lines[at + 1 : at + 12] == [
        *(f"  carol/calls.csv:{line}: ask_type: {reason}" for line in range(4, 14)),
        "  and 2 more; `asklab validate` lists them all",
    ]
    assert "duplicates: 1 (extra copies of a call or event, counted once)" in lines
    assert "  removed: bob/old.csv" in lines
    assert query(tmp_path / "w.duckdb", "SELECT count(*) FROM rejected_rows") == [(12,)]


def test_a_rerun_where_one_file_turned_to_an_error_rewrites_the_pages(tmp_path: Path):
    raw = small_group(tmp_path / "raw")
    first = run_weekly(settings(tmp_path, raw))
    group_page = tmp_path / "reports" / WEEK / "group.html"
    group_page.write_text("stale")  # a page that was not rewritten would keep this
    calls_before = query(tmp_path / "w.duckdb", "SELECT * FROM calls ORDER BY ALL")
    (raw / "bob" / "calls.csv").write_bytes(b"date,name,ask\n2026-03-02,Jos\xe9,job\n")

    second = run_weekly(settings(tmp_path, raw))

    assert second.ingest.files_error == 1 and second.reports_unchanged is False
    assert sorted(second.reports) == sorted(first.reports)
    assert group_page.read_text() != "stale"
    assert query(tmp_path / "w.duckdb", "SELECT * FROM calls ORDER BY ALL") == calls_before


def test_a_lock_wait_is_announced_once_with_the_holder_and_the_limit(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    waits: list[str] = []
    with lock_path_for(db).open("a+") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        holder.write("4242\n")
        holder.flush()
        busy = r"\(pid 4242\).*gave up after waiting 0.3 s"
        with (
            pytest.raises(WarehouseBusy, match=busy),
            open_warehouse(db, lock_timeout=0.3, on_wait=waits.append),
        ):
            pass
    assert waits == [
        f"waiting for another asklab run (pid 4242) to release the warehouse {db} (at most 0.3 s)"
    ]


# -- the command: exit status and messages -------------------------------------------


@pytest.fixture
def cli_project(tmp_path: Path, monkeypatch) -> Path:
    """Run `asklab run` in-process in ``tmp_path`` (under the shared Prefect harness);
    the environment it changes is restored afterwards."""
    for name in ("PREFECT_HOME", "PREFECT_LOGGING_LEVEL", "PREFECT_SERVER_LOGGING_LEVEL"):
        if name in os.environ:
            monkeypatch.setenv(name, os.environ[name])
        else:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli_run(*options: str) -> int:
    return main(["run", "--raw", "raw", "--db", "w.duckdb", "--reports", "reports",
                 "--as-of", AS_OF.isoformat(), "--quiet", *options])  # fmt: skip


@pytest.mark.usefixtures("prefect_harness")
def test_cli_failing_stage_prints_one_line_and_the_log_file(cli_project: Path, monkeypatch, capsys):
    small_group(cli_project / "raw")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(outcomes_build, "outcome_parts", broken)
    assert cli_run() == 1
    out, err = capsys.readouterr()
    failure, details = err.strip().splitlines()
    assert failure == "asklab run failed in stage 'outcomes': RuntimeError: disk on fire"
    log = Path(details.removeprefix("details: "))
    assert log.parent == cli_project / ".prefect" / "logs"
    text = log.read_text()
    assert "Traceback" in text and "disk on fire" in text
    assert "prefect" in text  # Prefect's own log lines go to the file too
    assert out == ""
    assert query(cli_project / "w.duckdb", "SELECT count(*) FROM calls") == [(0,)]  # rolled back

    assert cli_run("--verbose") == 1
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.usefixtures("prefect_harness")
def test_cli_exit_status_for_missing_empty_and_unreadable_inputs(
    cli_project: Path, monkeypatch, capsys
):
    assert cli_run() == 1
    assert capsys.readouterr().err == ("asklab run failed: raw data folder not found: raw\n")
    assert not (cli_project / "w.duckdb").exists() and not (cli_project / ".prefect").exists()

    raw = small_group(cli_project / "raw")
    assert cli_run() == 0
    assert "files: 2 loaded" in capsys.readouterr().out

    with monkeypatch.context() as patch:
        write(raw, "alice/calls.csv", calls_csv("2026-05-05,New,job,,,,"))
        deny_open(patch, raw / "alice" / "calls.csv")
        assert cli_run() == 0
        assert "  error: alice/calls.csv: cannot read the file: Permission denied" in (
            capsys.readouterr().out
        )
    assert query(cli_project / "w.duckdb", "SELECT count(*) FROM calls") == [(3,)]

    for member in ("alice", "bob"):
        shutil.rmtree(raw / member)
    assert cli_run() == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "asklab run failed in stage 'ingest': no input file below raw, but the warehouse "
        "holds 3 calls and 0 events"
    )
    assert "Traceback" not in err
    assert query(cli_project / "w.duckdb", "SELECT count(*) FROM calls") == [(3,)]
    assert cli_run("--allow-empty") == 0
    assert "0 loaded, 0 unchanged, 2 removed" in capsys.readouterr().out
    assert query(cli_project / "w.duckdb", "SELECT count(*) FROM calls") == [(0,)]


# -- interruption (real processes) ---------------------------------------------------


@pytest.fixture(scope="module")
def prefect_project(tmp_path_factory) -> Path:
    """One project folder (so one Prefect home, migrated once) for the process tests."""
    return tmp_path_factory.mktemp("project")


def start_paused_run(
    prefect_project: Path, data: Path, stage: str
) -> tuple[subprocess.Popen, Path]:
    """`asklab run` over ``data``/raw in a child process, paused inside ``stage``."""
    marker = data / f"paused-{stage}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    paths = ["--raw", data / "raw", "--db", data / "w.duckdb", "--reports", data / "reports"]
    process = subprocess.Popen(
        [sys.executable, PAUSED_RUN, stage, marker, "--", *paths, "--as-of", str(AS_OF), "--quiet"],
        cwd=prefect_project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 180
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never reached the pause"
        time.sleep(0.1)
    return process, marker


def changed_group(project: Path) -> dict[str, list[tuple]]:
    """A loaded group with one file changed since: the next run has work to do."""
    raw = small_group(project / "raw")
    run_weekly(settings(project, raw))
    before = snapshot(project / "w.duckdb")
    write(raw, "bob/calls.csv", calls_csv("2026-04-01,Cy,intro,,,2,0", "2026-04-03,Di,job,,,,"))
    return before


def wait_gone(processes: list[psutil.Process], timeout: float = 10.0) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return alive


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stage", "signum", "status"),
    [("ingest", signal.SIGINT, 130), ("outcomes", signal.SIGTERM, 143)],
    ids=["sigint-ingest", "sigterm-outcomes"],
)
def test_an_interrupted_run_rolls_back_and_exits_with_one_line(
    tmp_path: Path, prefect_project: Path, stage: str, signum: int, status: int
):
    before = changed_group(tmp_path)
    process, _ = start_paused_run(prefect_project, tmp_path, stage)
    children = psutil.Process(process.pid).children(recursive=True)
    assert children, "the run should have started a temporary Prefect API"

    process.send_signal(signum)
    out, err = process.communicate(timeout=10)

    assert process.returncode == status
    name = signal.Signals(signum).name
    assert err.strip() == (
        f"asklab run interrupted by {name}: stopped; the warehouse is as it was before the run"
    )
    assert out == ""
    assert wait_gone(children, timeout=2) == []
    assert snapshot(tmp_path / "w.duckdb") == before


@pytest.mark.slow
def test_a_run_killed_during_outcomes_leaves_the_warehouse_and_no_process(
    tmp_path: Path, prefect_project: Path
):
    before = changed_group(tmp_path)
    process, _ = start_paused_run(prefect_project, tmp_path, "outcomes")
    children = psutil.Process(process.pid).children(recursive=True)
    assert children

    process.kill()
    process.communicate(timeout=10)

    assert process.returncode == -signal.SIGKILL
    assert wait_gone(children) == []  # the temporary API died with its parent
    assert snapshot(tmp_path / "w.duckdb") == before
    # The next run completes the work: bob's new call is there.
    run_weekly(settings(tmp_path, tmp_path / "raw"))
    assert query(tmp_path / "w.duckdb", "SELECT contact FROM calls ORDER BY 1") == [
        ("Ann",),
        ("Bo",),
        ("Cy",),
        ("Di",),
    ]


def test_an_interruption_remembers_the_stage_it_stopped(tmp_path: Path):
    run = WeeklyRun(settings(tmp_path, tmp_path), wh=None, run_id="r")
    with pytest.raises(Interrupted) as caught, run.stage("reports"):
        raise Interrupted(signal.SIGTERM)
    assert interrupted_stage(caught.value) == "reports"
    assert interrupted_line(signal.SIGTERM, committed=True) == (
        "asklab run interrupted by SIGTERM: stopped; "
        "the warehouse holds this run's data, the pages may be incomplete"
    )
    assert interrupted_stage(Interrupted(signal.SIGINT)) is None
