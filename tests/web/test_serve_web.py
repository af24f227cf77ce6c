"""`serve --web` starts the web app in its own process (the same command line as `agencyflow
web`) and stops it: checked here without Prefect."""

from __future__ import annotations

import time
import urllib.request

import pytest

from agencyflow.cli import serve
from agencyflow.config import Settings
from tests.sinks import free_port


def test_the_web_process_serves_and_stops(settings: Settings,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("AGENCYFLOW_DATABASE_URL", settings.resolved_database_url())
    port = free_port()
    process = serve._start_web(settings, ("127.0.0.1", port))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)
    finally:
        serve._stop_web(process)
    assert process.returncode is not None
