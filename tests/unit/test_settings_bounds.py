"""Every setting is range-checked when it is read, and a bad one is named (issue 9, finding 7)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agencyflow.cli import app
from agencyflow.config import Settings, get_settings
from agencyflow.errors import ConfigError

BAD = {
    "EVIDENCE_MAX_BYTES": ["-1", "0", "nan", "1e400", "99999999999999999999"],
    "PLAN_MAX_BYTES": ["-1", "10", "inf"],
    "DISPATCH_CONCURRENCY": ["0", "100000"],
    "DISPATCH_PROCESSES": ["0", "-3"],
    "DISPATCH_MAX_ATTEMPTS": ["0"],
    "DISPATCH_BACKOFF_SECONDS": ["0", "nan"],
    "SWEEP_BATCH_SIZE": ["0", "-5"],
    "DISPATCH_INTERVAL_SECONDS": ["0"],
    "SWEEP_CRON": ["every day", "99 * * * *", "* * * *"],
    "BASE_URL": ["javascript:alert(1)", "agencyflow.example.vn"],
    "DATABASE_URL": ["garbage://::", "mysql://u@h/db", "nourl"],
    "LANGUAGE": ["fr"],
}


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, vs in BAD.items() for v in vs])
def test_a_bad_setting_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch, name: str,
                                                value: str) -> None:
    monkeypatch.setenv(f"AGENCYFLOW_{name}", value)
    if name != "LANGUAGE":
        monkeypatch.setenv("AGENCYFLOW_LANGUAGE", "en")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match=f"AGENCYFLOW_{name}"):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_the_defaults_are_within_their_bounds() -> None:
    settings = Settings()
    assert settings.evidence_max_bytes == 20 * 1024 * 1024
    assert settings.plan_max_bytes == 4 * 1024 * 1024


def test_a_negative_evidence_limit_stops_a_command_with_a_message(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AGENCYFLOW_EVIDENCE_MAX_BYTES", "-1")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["plan", "validate", "kim-thanh-ocop.yaml"],
                                    catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "AGENCYFLOW_EVIDENCE_MAX_BYTES: must be at least 1" \
        in result.output


@pytest.mark.parametrize(("url", "why"), [
    ("garbage://::", "unknown database kind 'garbage'"),
    ("mysql://u@localhost/agencyflow", "mysql is not supported"),
    ("postgresql+asyncpg://u:secret@localhost/db", "write postgresql://"),
    ("postgresql://::", "malformed database URL"),
    ("not a url", "it is not a URL"),
])
@pytest.mark.parametrize("command", [["board"], ["user", "list"], ["db", "status"]])
def test_an_unsupported_or_malformed_database_url_names_the_supported_ones(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, why: str,
        command: list[str]) -> None:
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AGENCYFLOW_DATABASE_URL", url)
    monkeypatch.setenv("AGENCYFLOW_LANGUAGE", "en")
    monkeypatch.setenv("COLUMNS", "400")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, command, catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert why in result.output and "secret" not in result.output
    assert "sqlite:///PATH" in result.output and "postgresql://USER" in result.output


def test_a_missing_driver_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from agencyflow.db import make_engine

    monkeypatch.setenv("AGENCYFLOW_LANGUAGE", "en")
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    with pytest.raises(ConfigError, match=r"pip install 'psycopg\[binary\]'"):
        make_engine("postgresql://u@localhost/agencyflow")
    with pytest.raises(ConfigError, match="mysql is not supported"):
        make_engine("mysql://u@localhost/agencyflow")


@pytest.mark.vietnamese  # reads the default language
def test_the_messages_are_vietnamese_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from agencyflow.db import make_engine

    monkeypatch.delenv("AGENCYFLOW_LANGUAGE", raising=False)
    with pytest.raises(ConfigError, match="mysql không được hỗ trợ; agencyflow chạy trên"):
        make_engine("mysql://u@localhost/agencyflow")


@pytest.mark.parametrize("special", ["/dev/zero", "/tmp"])
def test_an_override_file_that_is_a_device_or_a_directory_is_never_read(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, special: str) -> None:
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AGENCYFLOW_CALENDAR_OVERRIDES", special)
    monkeypatch.setenv("AGENCYFLOW_LANGUAGE", "en")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["remind", "--dry-run"], catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"{special}: cannot read the override file: not a regular file" in result.output
