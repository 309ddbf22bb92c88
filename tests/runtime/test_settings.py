"""Engine settings from a YAML file (safe loader only) or from arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime.settings import Settings, SettingsError
from rules_engine.runtime.store_sqlite import SQLiteStore
from tests.support import eventually


@pytest.fixture
def deployment(acme_dir) -> Path:
    """A daemon's directory: rules/ beside the settings file."""
    return acme_dir.parent


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_relative_paths_are_read_from_the_settings_files_directory(deployment, monkeypatch, tmp_path_factory):
    settings = write(
        deployment / "engine.yaml",
        "rules: rules\nstore: state/live.db\ndecision_log: decisions.jsonl\ndefault_language: es\n",
    )
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert Settings.from_yaml(settings) == Settings(
        rules=deployment / "rules",
        store=deployment / "state/live.db",
        decision_log=deployment / "decisions.jsonl",
        default_language="es",
    )


def test_an_engine_from_a_settings_file_serves_its_rules_and_keeps_its_state(deployment):
    settings = write(deployment / "engine.yaml", "rules: rules\nstore: live.db\n")
    with Engine.from_settings(settings) as engine:
        assert sorted(engine.clients) == ["acme_plumbing"]
        engine.set_status("acme_plumbing", "Away until Monday")
    # Written to the file the settings name, where any later engine finds it.
    store = SQLiteStore(deployment / "live.db")
    assert store.snapshot("acme_plumbing").status.note == "Away until Monday"
    store.close()


def test_arguments_replace_what_the_file_says(deployment, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    settings = write(deployment / "engine.yaml", "rules: nowhere\ndefault_language: en\n")
    assert Settings.from_yaml(settings, rules=deployment / "rules", store=other / "s.db") == Settings(
        rules=deployment / "rules", store=other / "s.db", default_language="en"
    )


def test_settings_from_arguments_alone(deployment):
    with Engine.from_settings(rules=deployment / "rules", default_language="es") as engine:
        assert engine.default_language == "es"
        decision = engine.decide(Call(number="+13125550101", at="2026-11-27T10:00:00-06:00"))
        assert decision.client == "acme_plumbing"


def test_a_yaml_file_asking_for_a_python_object_is_refused_and_nothing_runs(deployment):
    victim = deployment / "made-by-yaml"
    settings = write(deployment / "engine.yaml", f'rules: rules\nstore: !!python/object/apply:os.mkdir ["{victim}"]\n')
    with pytest.raises(SettingsError) as caught:
        Engine.from_settings(settings)
    assert str(caught.value) == (
        f"{settings}:2: refused: the tag `!!python/object/apply:os.mkdir` asks YAML to build an object "
        "(such as a Python object); a settings file holds only plain values: text, numbers, lists, mappings"
    )
    assert not victim.exists()


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "rules: rules\nstor: live.db\n",
            "unknown setting `stor`; did you mean `store`? (the settings are rules, store, decision_log, default_language, default_country, cache_dir, "
            "decision_log_max_bytes, decision_log_keep_files, decision_log_batch_seconds, keep_last_good, tokens, accounts, "
            "console_secure_cookies)",
        ),
        ("store: live.db\n", "rules: is required"),
        (
            "rules: rules\ndefault_language: English\n",
            "default_language: `English` is not a language code such as en or es",
        ),
        ("- rules\n- store\n", "the settings file must be a mapping of setting: value"),
    ],
)
def test_mistakes_in_a_settings_file_are_told_plainly(deployment, text, message):
    settings = write(deployment / "engine.yaml", text)
    with pytest.raises(SettingsError) as caught:
        Settings.from_yaml(settings)
    assert str(caught.value) == f"{settings}: {message}"


def test_invalid_yaml_names_the_line_and_column(deployment):
    settings = write(deployment / "engine.yaml", "rules: rules\nstore: [live.db\n")
    with pytest.raises(SettingsError) as caught:
        Settings.from_yaml(settings)
    assert (
        str(caught.value)
        == f"{settings}:3:1: the settings file is not valid YAML: expected ',' or ']', but got '<stream end>'"
    )


def test_a_missing_settings_file_is_a_settings_error(tmp_path):
    with pytest.raises(SettingsError) as caught:
        Engine.from_settings(tmp_path / "engine.yaml")
    assert str(caught.value) == f"{tmp_path / 'engine.yaml'}: cannot read the settings file: No such file or directory"


def test_unknown_arguments_are_refused():
    with pytest.raises(SettingsError) as caught:
        Engine.from_settings(rules="rules", decisions_log="d.jsonl")
    assert str(caught.value) == (
        "arguments: unknown setting `decisions_log`; did you mean `decision_log`? "
        "(the settings are rules, store, decision_log, default_language, default_country, cache_dir, "
        "decision_log_max_bytes, decision_log_keep_files, decision_log_batch_seconds, keep_last_good, tokens, accounts, "
        "console_secure_cookies)"
    )


def test_a_postgresql_store_is_a_url_kept_as_written_beside_relative_paths(deployment):
    settings = write(
        deployment / "engine.yaml", "rules: rules\nstore: postgresql://routing@db.internal:5432/answering\n"
    )
    assert Settings.from_yaml(settings) == Settings(
        rules=deployment / "rules", store="postgresql://routing@db.internal:5432/answering"
    )


@pytest.mark.parametrize(
    "setting, refused",
    [
        ("store", "a store: give a SQLite file"),
        ("decision_log", "a decision log: give a file"),
    ],
)
def test_a_url_of_another_database_is_refused(deployment, setting, refused):
    settings = write(deployment / "engine.yaml", f"rules: rules\n{setting}: mysql://routing@db.internal/answering\n")
    with pytest.raises(SettingsError) as caught:
        Settings.from_yaml(settings)
    assert str(caught.value) == f"{settings}: {setting}: `mysql://` is not {refused} or a postgresql:// URL"


def test_an_engine_from_settings_with_a_postgresql_url_shares_its_state(deployment, postgres_url):
    settings = write(deployment / "engine.yaml", f"rules: rules\nstore: {postgres_url}\n")
    with Engine.from_settings(settings) as first, Engine.from_settings(settings) as second:
        first.set_status("acme_plumbing", "Away until Monday")
        assert eventually(lambda: second.live_state("acme_plumbing").status is not None, within=10.0)
        assert second.live_state("acme_plumbing").status.note == "Away until Monday"
        health = second.live_state_health()
        assert (health.store, health.shared, health.reachable) == ("postgresql", True, True)
