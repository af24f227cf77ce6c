"""Settings, read from the environment (prefix ``AGENCYFLOW_``) and validated at start.

Nothing is read at import time: call :func:`get_settings`. Tests build ``Settings(...)`` directly or
clear the cache with ``get_settings.cache_clear()`` after changing the environment. The default data
directory and the database URL rule live in :mod:`agencyflow.locations`, which read-only commands
use without pydantic.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agencyflow.domain.pydantic_words import pydantic_message
from agencyflow.errors import ConfigError
from agencyflow.i18n import _, resolve_language
from agencyflow.locations import LANGUAGES, check_database_url, database_url_for, default_data_dir

_GIB = 1024**3
_CRON_FIELD = re.compile(r"^[A-Za-z0-9*/,?#LW-]+$")


class Settings(BaseSettings):
    """Every setting of agencyflow; each maps to ``AGENCYFLOW_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="AGENCYFLOW_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    language: str = "vi"
    calendar_overrides: Path | None = None
    apprise_config: Path | None = None
    templates_dir: Path | None = None
    base_url: str | None = None
    evidence_dir: Path | None = None
    evidence_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1, le=10 * _GIB)
    plan_max_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, le=_GIB)  # domain.plan_loader
    dispatch_concurrency: int = Field(default=32, ge=1, le=1024)
    dispatch_processes: int = Field(default=2, ge=1, le=64)
    dispatch_max_attempts: int = Field(default=5, ge=1, le=100)
    dispatch_backoff_seconds: int = Field(default=60, ge=1, le=7 * 86400)
    sweep_batch_size: int = Field(default=50_000, ge=1, le=10_000_000)  # sweeps.BATCH_SIZE
    sweep_cron: str = "*/30 7-16 * * 1-6"
    dispatch_interval_seconds: int = Field(default=60, ge=1, le=86400)
    #: Seconds a dispatcher holds the rows it claimed, renewed before each chunk it sends (must
    #: exceed the time one chunk of 200 takes); a dead dispatcher's rows wait this long.
    dispatch_lease_seconds: int = Field(default=300, ge=1, le=86_400)
    token: str | None = None
    simulation: bool = False
    audit_tag: str = "inspectors"
    audit_checkpoint_file: Path | None = None
    # Reports (services/reports): the Word template and the letterhead (see README, "Reports").
    report_template: Path | None = None
    report_place: str | None = None
    report_superior: str | None = None
    report_symbol: str | None = None
    report_signer: str | None = None
    report_signer_title: str | None = None
    report_recipients: str | None = None
    # a web session unused this long ends; any web session ends this long after its login
    web_session_idle_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    web_session_max_hours: int = Field(default=12, ge=1, le=31 * 24)
    web_cookie_secure: bool = False  # True behind HTTPS: the session cookie is Secure

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        try:
            return resolve_language(value)  # "EN", "en_US" → "en"
        except ConfigError:
            raise ValueError(_("must be {choices}").format(
                choices=_(" or ").join(f"'{code}'" for code in LANGUAGES))) from None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is not None:
            check_database_url(value)  # ValueError naming the supported URLs
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(_("must be an http:// or https:// URL, e.g. "
                               "https://agencyflow.example.vn"))
        return value

    @field_validator("sweep_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            raise ValueError(_("must be a cron expression of five fields, e.g. "
                               "'*/30 7-16 * * 1-6'"))
        try:
            from cronsim import CronSim  # what Prefect's Cron schedule reads it with
        except ImportError:  # pragma: no cover - cronsim comes with Prefect
            return value
        try:
            CronSim(value, datetime(2027, 1, 1))
        except Exception as exc:  # noqa: BLE001 - cronsim's own error classes vary
            raise ValueError(_("is not a valid cron expression ({reason})").format(
                reason=exc)) from None
        return value

    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL: the configured one, or SQLite in the data directory."""
        return database_url_for(self.database_url, self.data_dir)

    def resolved_checkpoint_file(self) -> Path:
        """Where `serve` appends its daily audit checkpoint (keep a copy off this machine)."""
        return self.audit_checkpoint_file or (self.data_dir / "audit-checkpoints.jsonl")

    def resolved_evidence_dir(self) -> Path:
        """Where evidence files are stored (content-addressed)."""
        return self.evidence_dir or (self.data_dir / "evidence")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read and validate the settings once; raise ConfigError naming the bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = [
            f"AGENCYFLOW_{'_'.join(str(p) for p in err['loc']).upper()}: {pydantic_message(err)}"
            for err in exc.errors()
        ]
        raise ConfigError(_("invalid settings:") + "\n" + "\n".join(lines)) from None
