"""`agencyflow serve` for real: it runs its own local Prefect server (the temporary one has no
scheduler), and the scheduled dispatch delivers what a sweep queued to a real webhook sink."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agencyflow.domain.plan_loader import load_plan_text
from agencyflow.plans import bundled_plan_text
from tests.sinks import WebhookSink

pytestmark = pytest.mark.prefect

BIN = Path(sys.executable).with_name("agencyflow")


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _channels(path: Path, url: str, tags: list[str]) -> None:
    lines = ["urls:", f"  - {url}:", f'      - tag: "{", ".join(tags)}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.timeout(480)
def test_serve_dispatches_on_schedule_through_its_own_prefect_server(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "AGENCYFLOW_"))}
    env.update(AGENCYFLOW_DATA_DIR=str(tmp_path / "data"), PREFECT_HOME=str(tmp_path / "ph"),
               AGENCYFLOW_DISPATCH_INTERVAL_SECONDS="20", PREFECT_LOGGING_LEVEL="WARNING",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    # A past working day, so that the queued notices are due for the real clock of the dispatcher.
    _run(env, "cycle", "start", "--plan", "kim-thanh-ocop", "--year", "2026")
    _run(env, "remind", "--now", "2026-01-05T09:00")  # no channels configured: all stay pending
    assert len(_pending(env)) > 20
    spec = load_plan_text(*bundled_plan_text("kim-thanh-ocop")).spec
    with WebhookSink() as sink:
        config = tmp_path / "channels.yaml"
        _channels(config, sink.json_url(), sorted({t for a in spec.agencies for t in a.tags}))
        env["AGENCYFLOW_APPRISE_CONFIG"] = str(config)
        server = subprocess.Popen([str(BIN), "serve"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 360
            while time.monotonic() < deadline and _pending(env):
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(5)
            received = len(sink.requests)
        finally:
            server.send_signal(signal.SIGINT)
            out, _ = server.communicate(timeout=60)
    assert _pending(env) == [], out
    sent = _rows(env, "sent")
    assert received == len(sent) > 0, out
    assert "Prefect API: http://127.0.0.1:" in out


def _rows(env: dict[str, str], status: str) -> list[str]:
    return _run(env, "notifications", "--status", status, "--format", "csv").splitlines()[1:]


def _pending(env: dict[str, str]) -> list[str]:
    return _rows(env, "pending")
