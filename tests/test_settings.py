"""Settings: defaults, config files, precedence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from asklab.settings import Settings, SettingsError, load_settings


def test_defaults_follow_the_contract():
    settings = Settings()
    assert settings.window == 60
    assert settings.as_of == dt.date.today()
    assert settings.date_order == "month-first"
    assert settings.schedule == "0 7 * * 1"
    assert settings.db == Path("data/warehouse.duckdb")


def test_asklab_toml_paths_are_relative_to_the_file(tmp_path: Path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "asklab.toml").write_text('raw = "inbox"\nreports = "out"\nwindow = 21\n')
    monkeypatch.chdir(tmp_path / "sub")
    settings = load_settings()
    assert settings.raw == tmp_path / "inbox"
    assert settings.reports == tmp_path / "out"
    assert settings.window == 21


def test_pyproject_table_and_overrides(tmp_path: Path):
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.asklab]\ndb = "x.duckdb"\ndate_order = "day-first"\n')
    settings = load_settings(config, date_order="month-first", window=None)
    assert settings.db == tmp_path / "x.duckdb"
    assert settings.date_order == "month-first"  # the command line wins
    assert settings.window == 60  # None means "not given"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('date_order = "sideways"\n', "date_order"),
        ("window = -1\n", "window"),
        ('as_of = "26/11/2026"\n', "YYYY-MM-DD"),
        ("raw = \n", "cannot read config"),
    ],
)
def test_bad_config_names_the_file_and_the_value(tmp_path: Path, text: str, fragment: str):
    config = tmp_path / "asklab.toml"
    config.write_text(text)
    with pytest.raises(SettingsError) as error:
        load_settings(config)
    assert fragment in str(error.value)
