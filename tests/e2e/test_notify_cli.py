"""`agencyflow remind`, `notifications`, `channels check` from the command line (no Prefect)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from agencyflow.cli import app
from agencyflow.config import get_settings
from tests.reminder_world import start
from tests.sinks import WebhookSink

runner = CliRunner()


def test_the_cli_never_imports_prefect() -> None:
    code = 'import agencyflow.cli, sys; assert "prefect" not in sys.modules, "prefect imported"'
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture
def cli_env(sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[WebhookSink]:
    """The test database with the cycle started, and channels for NN and XA-A only."""
    start(sqlite_engine)
    with WebhookSink() as hook:
        channels = tmp_path / "channels.yaml"
        channels.write_text("urls:\n" + "".join(
            f"  - {hook.json_url('/' + t, cto=1, rto=2)}:\n      - tag: {t}\n"
            for t in ("nn", "xa-a")), encoding="utf-8")
        monkeypatch.setenv("AGENCYFLOW_DATABASE_URL",
                           sqlite_engine.url.render_as_string(hide_password=False))
        monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("AGENCYFLOW_APPRISE_CONFIG", str(channels))
        monkeypatch.setenv("AGENCYFLOW_SIMULATION", "true")  # the world plays 2027
        monkeypatch.setenv("AGENCYFLOW_DISPATCH_MAX_ATTEMPTS", "1")
        get_settings.cache_clear()
        yield hook
    get_settings.cache_clear()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_remind_dry_run_then_for_real_then_list_and_retry(cli_env: WebhookSink) -> None:
    planned = json.loads(_run("remind", "--now", "2027-01-18", "--dry-run", "--format", "json"))
    assert len(planned) == 6 and {p["kind"] for p in planned} == {"opened"}

    done = {r["agency"]: r for r in json.loads(
        _run("remind", "--now", "2027-01-18", "--format", "json"))}
    assert (done["NN"]["queued"], done["NN"]["sent"]) == (2, 2)
    assert (done["XA-A"]["queued"], done["XA-A"]["sent"]) == (2, 1)  # one digest
    assert (done["XA-B"]["queued"], done["XA-B"]["dead"]) == (2, 2)  # no channel for xa-b
    assert len(cli_env.wait_for(3)) == 3

    dead = json.loads(_run("notifications", "--status", "dead", "--format", "json"))
    assert [d["last_error"] for d in dead] == ["no channel for tag xa-b"] * 2
    out = _run("notifications", "retry", str(dead[0]["id"]), "--now", "2027-01-18")
    assert "1 notification queued again" in out
    pending = json.loads(_run("notifications", "--status", "pending", "--format", "json"))
    assert [p["id"] for p in pending] == [dead[0]["id"]]


def test_channels_check_names_the_agencies_without_a_channel(cli_env: WebhookSink) -> None:
    result = runner.invoke(app, ["channels", "check"])
    assert result.exit_code == 1
    assert 'no channel for tag "xa-b": XA-B' in result.stdout
    assert 'no channel for tag "lanh-dao": LANH-DAO' in result.stdout
