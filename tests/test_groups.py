"""Many groups (CONTRACT section 8) without a cluster: finding the groups, the
all-groups tables and pages, and the checks `asklab run --groups` makes
before anything starts."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
from pathlib import Path

import duckdb
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from asklab.cli import main
from asklab.groups import (
    Group,
    GroupOutcome,
    GroupsError,
    build_all_groups,
    find_groups,
    group_settings,
    write_all_groups_pages,
)
from asklab.settings import Settings
from asklab.stats import Z95
from asklab.warehouse import open_warehouse

# Beitler and Landis (1985), as tabulated by Agresti (2013, p. 226): eight
# centres, here eight groups (reference = cream, job = control). Published:
# MH difference 0.130, standard error 0.050, 95% interval 0.031 to 0.228.
CREAM_SUCCESS = [11, 16, 14, 2, 6, 1, 1, 4]
CREAM_TOTAL = [36, 20, 19, 16, 17, 11, 5, 6]
CONTROL_SUCCESS = [10, 22, 7, 1, 0, 0, 1, 6]
CONTROL_TOTAL = [37, 32, 19, 17, 12, 10, 9, 7]


def test_groups_are_the_subfolders_with_keys_and_slugs_as_members_have(tmp_path: Path):
    root = tmp_path / "groups"
    for name in ("Zoë Müller", "Дмитрий", "alice smith", "alice-smith", ".hidden", "Plain"):
        (root / name).mkdir(parents=True)
    (root / "notes.txt").write_text("not a group")
    (root / ".DS_Store").write_text("")

    found = find_groups(root)

    slugs = {g.key: g.slug for g in found.groups}
    assert set(slugs) == {"zoë müller", "дмитрий", "alice smith", "alice-smith", "plain"}
    assert slugs["zoë müller"] == "zoe-muller"
    assert slugs["plain"] == "plain"
    # Empty or shared slugs take the hashed form (SHA-256 of the key, 8 hex).
    assert slugs["дмитрий"] == "member-" + hashlib.sha256("дмитрий".encode()).hexdigest()[:8]
    assert slugs["alice smith"].startswith("alice-smith-") and len(slugs["alice smith"]) == 20
    assert slugs["alice smith"] != slugs["alice-smith"]
    assert [n for n in found.notices if "notes.txt" in n] and len(found.notices) == 1
    assert {g.folder.name for g in found.groups} == {
        "Zoë Müller",
        "Дмитрий",
        "alice smith",
        "alice-smith",
        "Plain",
    }


def test_a_group_settings_are_a_single_run_on_its_folder(tmp_path: Path):
    base = Settings(db_dir=tmp_path / "wh", reports=tmp_path / "rep", window=30)
    group = Group("zoë", "zoe", tmp_path / "groups" / "Zoë")
    settings = group_settings(base, group)
    assert settings.raw == tmp_path / "groups" / "Zoë"
    assert settings.db == tmp_path / "wh" / "zoe.duckdb"
    assert settings.reports == tmp_path / "rep" / "zoe"
    assert settings.window == 30


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["All Groups"], "all-groups"),
        (["Team A", "team  a"], "same group key"),
    ],
)
def test_groups_that_cannot_run_are_refused(tmp_path: Path, names, message):
    for name in names:
        (tmp_path / name).mkdir()
    with pytest.raises(GroupsError, match=message):
        find_groups(tmp_path)


def test_a_missing_groups_folder_is_an_error(tmp_path: Path):
    with pytest.raises(GroupsError, match="does not exist"):
        find_groups(tmp_path / "nope")


def _fake_group_warehouse(db: Path, rows: list[tuple]) -> None:
    """A migrated warehouse whose strategy_comparison holds ``rows`` (scope 'group')."""
    with open_warehouse(db) as wh:
        for metric, x_ref, n_ref, x_job, n_job in rows:
            wh.con.execute(
                "INSERT INTO strategy_comparison (scope, member, metric, n_ref, x_ref, n_job, "
                "x_job, diff) VALUES ('group', NULL, ?, ?, ?, ?, ?, ?)",
                [metric, n_ref, x_ref, n_job, x_job, x_ref / n_ref - x_job / n_job],
            )
            # A member row must not reach the all-groups table.
            wh.con.execute(
                "INSERT INTO strategy_comparison (scope, member, metric, n_ref, x_ref, n_job, "
                "x_job) VALUES ('member', 'someone', ?, 1, 1, 1, 0)",
                [metric],
            )


def _eight_centre_groups(tmp_path: Path) -> list[GroupOutcome]:
    outcomes = []
    for i in range(8):
        key = f"centre {i}"
        group = Group(key, f"centre-{i}", tmp_path / "groups" / key)
        rows = [
            ("yes_rate", CREAM_SUCCESS[i], CREAM_TOTAL[i], CONTROL_SUCCESS[i], CONTROL_TOTAL[i])
        ]
        if i < 2:  # only two groups have a lead_rate row
            rows.append(("lead_rate", 3 + i, 10, 1, 10))
        _fake_group_warehouse(tmp_path / "wh" / f"centre-{i}.duckdb", rows)
        outcomes.append(GroupOutcome(group, error=None, summary=object()))  # completed
    return outcomes


def test_all_groups_pools_the_groups_as_strata_of_the_published_trial(tmp_path: Path):
    outcomes = _eight_centre_groups(tmp_path)
    built = build_all_groups(tmp_path / "wh", outcomes)

    with duckdb.connect(str(tmp_path / "wh" / "all_groups.duckdb"), read_only=True) as con:
        pooled = con.execute(
            "SELECT n_ref, x_ref, n_job, x_job, diff, diff_lo, diff_hi, mh_diff, mh_diff_lo, "
            "mh_diff_hi, groups FROM group_comparison WHERE group_key IS NULL "
            "AND metric = 'yes_rate'"
        ).fetchone()
        per_group = con.execute(
            "SELECT group_key, x_ref, n_ref, mh_diff FROM group_comparison "
            "WHERE group_key IS NOT NULL AND metric = 'yes_rate' ORDER BY group_key"
        ).fetchall()
        lead_rows = con.execute(
            "SELECT group_key, n_ref, x_ref, groups FROM group_comparison "
            "WHERE metric = 'lead_rate' ORDER BY group_key NULLS LAST"
        ).fetchall()
    n_ref, x_ref, n_job, x_job, diff, lo, hi, mh, mh_lo, mh_hi, groups = pooled
    assert (n_ref, x_ref, n_job, x_job, groups) == (130, 55, 143, 47, 8)
    assert round(mh, 3) == 0.130
    assert round((mh_hi - mh) / Z95, 3) == 0.050
    assert (round(mh_lo, 3), round(mh_hi, 3)) == (0.031, 0.228)
    assert diff == pytest.approx(55 / 130 - 47 / 143)
    # Newcombe's hybrid score interval, by statsmodels (its z differs by one ulp).
    ref_lo, ref_hi = confint_proportions_2indep(55, 130, 47, 143, method="newcomb")
    assert (lo, hi) == (pytest.approx(ref_lo, abs=1e-9), pytest.approx(ref_hi, abs=1e-9))
    assert [(k, x, n) for k, x, n, _ in per_group] == [
        (f"centre {i}", CREAM_SUCCESS[i], CREAM_TOTAL[i]) for i in range(8)
    ]
    assert all(row[3] is None for row in per_group)
    assert lead_rows == [("centre 0", 10, 3, None), ("centre 1", 10, 4, None), (None, 20, 7, 2)]
    assert built.groups["in_comparison"].to_list() == [True] * 8


def test_unreadable_or_missing_warehouses_are_left_out_with_a_notice(tmp_path: Path):
    outcomes = _eight_centre_groups(tmp_path)[:2]
    broken = Group("broken", "broken", tmp_path / "groups" / "broken")
    (tmp_path / "wh" / "broken.duckdb").write_text("not a database")
    never = Group("never ran", "never-ran", tmp_path / "groups" / "never ran")
    outcomes += [GroupOutcome(broken, error="boom"), GroupOutcome(never, error="boom too")]

    built = build_all_groups(tmp_path / "wh", outcomes)

    assert set(built.comparison["group_key"].drop_nulls()) == {"centre 0", "centre 1"}
    assert [n for n in built.notices if "'broken'" in n and "left out" in n]
    status = {r["group_key"]: r for r in built.groups.iter_rows(named=True)}
    assert status["broken"]["status"] == "failed" and not status["broken"]["in_comparison"]
    assert status["never ran"]["error"] == "boom too"
    pooled = built.comparison.filter(
        (built.comparison["group_key"].is_null()) & (built.comparison["metric"] == "yes_rate")
    )
    assert pooled["groups"].to_list() == [2]


def test_all_groups_page_and_index_link_every_group(tmp_path: Path):
    outcomes = _eight_centre_groups(tmp_path)
    built = build_all_groups(tmp_path / "wh", outcomes)
    reports = tmp_path / "rep"
    # A group no longer in the folder keeps its pages, and the index still links them.
    (reports / "old-group").mkdir(parents=True)
    (reports / "old-group" / "index.html").write_text("old")
    groups = [o.group for o in outcomes]

    pages = write_all_groups_pages(
        reports, built.comparison, built.groups, groups, as_of=dt.date(2026, 11, 26)
    )

    page = (reports / "all-groups" / "2026-W48.html").read_text()
    index = (reports / "index.html").read_text()
    assert pages == [reports / "all-groups" / "2026-W48.html", reports / "index.html"]
    assert 'id="fig-groups-comparison"' in page
    assert "All groups, pooled" in page and "Within-group (MH)" in page
    assert "+13 pp [+3 to +23]" in page  # the MH row of the published trial
    assert "someone" not in page  # a member row of a group warehouse
    for group in groups:
        assert f'href="{group.slug}/index.html"' in index
        assert f'href="../{group.slug}/index.html"' in page
    assert 'href="old-group/index.html"' in index
    assert 'href="all-groups/2026-W48.html"' in index


def test_groups_with_raw_or_db_is_a_usage_error(tmp_path: Path, capsys):
    (tmp_path / "groups").mkdir()
    code = main(["run", "--groups", str(tmp_path / "groups"), "--raw", str(tmp_path)])
    assert code == 2
    assert "--groups cannot be used with --raw or --db" in capsys.readouterr().err


def run_groups_cli(tmp_path: Path, *extra: str) -> int:
    """`asklab run --groups` in this process, on tmp_path's groups, warehouses, reports."""
    folders = ["--db-dir", str(tmp_path / "wh"), "--reports", str(tmp_path / "rep")]
    return main(["run", "--groups", str(tmp_path / "groups"), *folders, *extra])


def test_a_group_named_all_groups_stops_the_run_before_anything(tmp_path: Path, capsys):
    (tmp_path / "groups" / "All-Groups").mkdir(parents=True)
    (tmp_path / "groups" / "fine").mkdir()
    code = run_groups_cli(tmp_path)
    assert code == 1
    assert "'All-Groups' has the slug 'all-groups'" in capsys.readouterr().err
    assert not (tmp_path / "wh").exists() and not (tmp_path / "rep").exists()


def test_an_unreachable_dask_address_fails_at_once_naming_it(tmp_path: Path, capsys):
    (tmp_path / "groups" / "a").mkdir(parents=True)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    code = run_groups_cli(tmp_path, "--dask-address", address)
    assert code == 1
    err = capsys.readouterr().err
    assert f"cannot reach the Dask scheduler at {address}" in err
    assert not (tmp_path / "wh").exists()


def test_serve_groups_schedules_the_groups_flow_weekly(tmp_path: Path):
    from flows.groups_deployment import build_groups_deployment

    settings = Settings(
        db_dir=tmp_path / "wh", dask_address="tcp://10.0.0.5:8786", timezone="Europe/Paris"
    )
    deployment = build_groups_deployment(settings, tmp_path / "groups")

    assert deployment.entrypoint == "flows.groups.groups_analysis"
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "0 7 * * 1"
    assert schedule.schedule.timezone == "Europe/Paris"
    assert deployment.parameters["groups_dir"] == str((tmp_path / "groups").resolve())
    assert deployment.parameters["settings"]["db_dir"] == str((tmp_path / "wh").resolve())
    assert deployment.parameters["settings"]["dask_address"] == "tcp://10.0.0.5:8786"
    assert "as_of" not in deployment.parameters["settings"]


def test_serve_groups_with_db_is_a_usage_error(tmp_path: Path, capsys):
    code = main(["serve", "--groups", str(tmp_path), "--db", str(tmp_path / "w.duckdb")])
    assert code == 2
    assert "--groups cannot be used with --raw or --db" in capsys.readouterr().err


def test_config_keys_of_the_groups_run(tmp_path: Path):
    from asklab.settings import SettingsError, settings_from_mapping

    settings = settings_from_mapping(
        {"db_dir": "wh", "dask_address": "tcp://10.0.0.5:8786", "dask_workers": 3},
        tmp_path,
        "asklab.toml",
    )
    assert settings.db_dir == (tmp_path / "wh").resolve()
    assert (settings.dask_address, settings.dask_workers) == ("tcp://10.0.0.5:8786", 3)
    assert settings_from_mapping({"dask_address": ""}, tmp_path, "x").dask_address is None
    assert Settings().db_dir == Path("data/warehouses")
    with pytest.raises(SettingsError, match="dask_workers must be >= 1"):
        settings_from_mapping({"dask_workers": 0}, tmp_path, "asklab.toml")
