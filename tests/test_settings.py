"""Settings flow one way: defaults → config file → DETENTE_* env → flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.errors import ConfigError
from detente.settings import HELP, Settings, load_settings


def test_defaults():
    settings = load_settings({}, env={})
    assert settings == Settings()
    assert settings.db == Path("detente.duckdb")


def test_order_file_then_env_then_flags(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "detente.toml").write_text('db = "from-file.duckdb"\nbatch_size = 8\n')
    assert load_settings({}, env={}).db == Path("from-file.duckdb")
    assert load_settings({}, env={}).batch_size == 8
    env = {"DETENTE_DB": "from-env.duckdb"}
    assert load_settings({}, env=env).db == Path("from-env.duckdb")
    assert load_settings({"db": "flag.duckdb"}, env=env).db == Path("flag.duckdb")
    assert load_settings({"db": None}, env=env).db == Path("from-env.duckdb")


def test_explicit_config_and_detente_table(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[detente]\nfast = true\nactors = ["a.csv", "b.csv"]\n')
    settings = load_settings({}, config=path, env={})
    assert settings.fast is True
    assert settings.actors == (Path("a.csv"), Path("b.csv"))


def test_bad_values_name_the_setting(tmp_path):
    with pytest.raises(ConfigError, match="batch_size"):
        load_settings({}, env={"DETENTE_BATCH_SIZE": "many"})
    path = tmp_path / "c.toml"
    path.write_text("colour = 'red'\n")
    with pytest.raises(ConfigError, match="colour") as info:
        load_settings({}, config=path, env={})
    assert "Valid settings" in info.value.hint


def test_every_setting_is_documented():
    from dataclasses import fields

    assert {f.name for f in fields(Settings)} == set(HELP)
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for name in HELP:
        assert f"DETENTE_{name.upper()}" in readme, f"README lacks DETENTE_{name.upper()}"
