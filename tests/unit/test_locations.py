"""The light reader of the environment agrees with Settings, or leaves the decision to it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agencyflow import locations
from agencyflow.config import Settings, get_settings
from agencyflow.errors import ConfigError

AGREE = [
    {},
    {"AGENCYFLOW_DATA_DIR": "/srv/agencyflow"},
    {"AGENCYFLOW_DATA_DIR": "relative/data", "AGENCYFLOW_LANGUAGE": "en"},
    {"AGENCYFLOW_DATABASE_URL": "postgresql+psycopg://af:secret@db:5432/agencyflow",
     "AGENCYFLOW_CALENDAR_OVERRIDES": "/etc/agencyflow/ngay-nghi.yaml"},
    {"AGENCYFLOW_DATABASE_URL": "sqlite:////var/lib/af.db", "AGENCYFLOW_TOKEN": "t",
     "AGENCYFLOW_SWEEP_BATCH_SIZE": "500", "AGENCYFLOW_LANGUAGE": "vi"},
    {"AGENCYFLOW_SIMULATION": "1"},
    {"AGENCYFLOW_SIMULATION": "False", "AGENCYFLOW_LANGUAGE": "en"},
]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Set exactly the given AGENCYFLOW_* variables (any others are removed)."""

    def set_to(values: dict[str, str]) -> None:
        for name in list(os.environ):
            if name.upper().startswith(locations.PREFIX):
                monkeypatch.delenv(name)
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield set_to
    get_settings.cache_clear()


@pytest.mark.parametrize("values", AGREE, ids=lambda v: ",".join(v) or "defaults")
def test_it_reads_what_settings_reads(environment, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    environment(values)
    light, full = locations.from_environment(), Settings()
    assert light is not None
    assert (light.data_dir, light.database_url, light.calendar_overrides, light.language,
            light.simulation) == (full.data_dir, full.database_url, full.calendar_overrides,
                                  full.language, full.simulation)
    assert light.resolved_database_url() == full.resolved_database_url()
    assert locations.from_environment(dict(os.environ)) == light


def test_the_default_data_dir_is_the_platform_one(environment) -> None:  # type: ignore[no-untyped-def]
    environment({})
    light = locations.from_environment()
    assert light is not None and light.data_dir == Settings().data_dir
    assert light.data_dir.name == "agencyflow" and light.data_dir.is_absolute()
    assert light.resolved_database_url() == f"sqlite:///{light.data_dir / 'agencyflow.db'}"


def test_it_declines_what_only_settings_can_judge(environment) -> None:  # type: ignore[no-untyped-def]
    environment({"agencyflow_data_dir": "/lower/case"})  # pydantic-settings ignores the case
    assert locations.from_environment() is None
    assert Settings().data_dir == Path("/lower/case")
    for values in ({"AGENCYFLOW_DATA_DIR": ""}, {"AGENCYFLOW_CALENDAR_OVERRIDES": ""}):
        assert locations.from_environment(values) is None
    environment({"AGENCYFLOW_LANGUAGE": "fr"})
    assert locations.from_environment() is None
    with pytest.raises(ConfigError, match="AGENCYFLOW_LANGUAGE"):
        get_settings()


def test_a_simulation_flag_it_cannot_read_is_left_to_settings(environment) -> None:  # type: ignore[no-untyped-def]
    environment({"AGENCYFLOW_SIMULATION": "maybe"})
    assert locations.from_environment() is None
    with pytest.raises(ConfigError, match="AGENCYFLOW_SIMULATION"):
        get_settings()
