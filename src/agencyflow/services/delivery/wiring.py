"""The composition root of reminders: real adapters built from :class:`~agencyflow.config.Settings`.

Services receive their adapters as arguments (engine, calendar, notifier, renderer factory);
this module is the one place that builds the real ones, for the CLI (`remind`, `notifications`,
`channels`) and the Prefect flows. Nothing here runs at import time, and apprise is imported
only when a notifier is actually built.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine

from agencyflow.config import Settings, get_settings
from agencyflow.db import engine_from_settings
from agencyflow.domain.calendar import WorkingCalendar
from agencyflow.errors import ConfigError
from agencyflow.i18n import _
from agencyflow.notifications.base import Notifier
from agencyflow.notifications.render import Renderer
from agencyflow.services.plans.calendar_store import calendar_for


def settings_for(database_url: str | None = None) -> Settings:
    """The settings, with the database URL replaced when one is given (flows take it)."""
    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def engine(settings: Settings) -> Engine:
    """The configured database (schema checked, the embedded one upgraded)."""
    return engine_from_settings(settings)


def calendar(settings: Settings) -> WorkingCalendar:
    """The working-day calendar with the configured local overrides."""
    return calendar_for(settings)


def notifier(settings: Settings) -> Notifier:
    """The apprise notifier of ``AGENCYFLOW_APPRISE_CONFIG`` (ConfigError when unset)."""
    if settings.apprise_config is None:
        raise ConfigError(_("no notification channels: set AGENCYFLOW_APPRISE_CONFIG to an "
                            "apprise YAML file (see README, 'Channels')"))
    from agencyflow.notifications.apprise_notifier import AppriseNotifier

    return AppriseNotifier.from_config(settings.apprise_config,
                                       processes=settings.dispatch_processes)


@dataclass(frozen=True)
class RendererFactory:
    """Language → :class:`Renderer` with the site's template overrides and base URL (cached)."""

    templates_dir: str | None
    base_url: str | None

    def __call__(self, lang: str) -> Renderer:
        """The renderer for ``lang``."""
        return _renderer(lang, self.templates_dir, self.base_url)


@lru_cache(maxsize=16)
def _renderer(lang: str, templates_dir: str | None, base_url: str | None) -> Renderer:
    return Renderer(lang, override_dir=Path(templates_dir) if templates_dir else None,
                    base_url=base_url)


def renderer_factory(settings: Settings) -> RendererFactory:
    """The renderer factory of the configured templates directory and base URL."""
    templates = str(settings.templates_dir) if settings.templates_dir else None
    return RendererFactory(templates, settings.base_url)


def worker_id(prefix: str = "dispatch") -> str:
    """A name for this dispatching process (host and pid), used as the lease owner."""
    return f"{prefix}:{socket.gethostname()}:{os.getpid()}"
