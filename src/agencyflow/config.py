"""Settings, read from the environment (prefix ``AGENCYFLOW_``) and validated at start.

Nothing is read at import time: call :func:`get_settings`. Tests build ``Settings(...)`` directly or
clear the cache with ``get_settings.cache_clear()`` after changing the environment. The default data
directory and the database URL rule live in :mod:`agencyflow.locations`, which read-only commands
use without pydantic.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agencyflow.errors import ConfigError
from agencyflow.i18n import resolve_language
from agencyflow.locations import LANGUAGES, database_url_for, default_data_dir


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
    evidence_max_bytes: int = 20 * 1024 * 1024
    dispatch_concurrency: int = 32
    dispatch_processes: int = 2
    dispatch_max_attempts: int = 5
    dispatch_backoff_seconds: int = 60
    sweep_batch_size: int = 50_000  # services.sweeps.BATCH_SIZE
    sweep_cron: str = "*/30 7-16 * * 1-6"
    dispatch_interval_seconds: int = 60
    token: str | None = None
    # Reports (services/reports): the Word template and the letterhead (see README, "Reports").
    report_template: Path | None = None
    report_place: str | None = None
    report_superior: str | None = None
    report_symbol: str | None = None
    report_signer: str | None = None
    report_signer_title: str | None = None
    report_recipients: str | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        try:
            return resolve_language(value)  # "EN", "en_US" → "en"
        except ConfigError:
            raise ValueError("must be " + " or ".join(f"'{code}'" for code in LANGUAGES)) from None

    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL: the configured one, or SQLite in the data directory."""
        return database_url_for(self.database_url, self.data_dir)

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
            f"AGENCYFLOW_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ConfigError("invalid settings:\n" + "\n".join(lines)) from None
