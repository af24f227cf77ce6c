"""Run `agencyflow …` in-process against a test's database (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import Engine
from typer.testing import CliRunner

from agencyflow.cli import app
from agencyflow.config import get_settings
from agencyflow.i18n import language

Invoke = Callable[..., Result]


def cli_for(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *,
            simulation: bool = True, lang: str | None = None) -> Invoke:
    """An ``invoke(*args, token=None)`` running the CLI on ``engine``'s database
    (``simulation``: with ``AGENCYFLOW_SIMULATION``, so that writes may claim any ``--now``).

    The output is in ``lang`` when given, else in the test's context language (English, or the
    Vietnamese default for a test marked ``vietnamese``: see ``tests/conftest.py``), as a
    caller's context language that ``--lang`` overrides.

    The settings cache is cleared before each run; clear it again when the test ends (see the
    ``cli`` fixtures). ``token=`` sets ``AGENCYFLOW_TOKEN`` for one run; it is unset otherwise.
    """
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AGENCYFLOW_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("AGENCYFLOW_TOKEN", raising=False)
    if simulation:  # the tests play years ahead of the real clock, as the demo does
        monkeypatch.setenv("AGENCYFLOW_SIMULATION", "true")
    else:
        monkeypatch.delenv("AGENCYFLOW_SIMULATION", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str, token: str | None = None) -> Result:
        if token is None:
            monkeypatch.delenv("AGENCYFLOW_TOKEN", raising=False)
        else:
            monkeypatch.setenv("AGENCYFLOW_TOKEN", token)
        get_settings.cache_clear()
        with language(lang) if lang else nullcontext():
            return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke
