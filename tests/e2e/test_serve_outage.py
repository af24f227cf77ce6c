"""The Prefect server going away under `agencyflow serve`, for real (issue 13 part 5): serve
keeps running and says that the server does not answer (in Vietnamese, the default language),
the interactive CLI works meanwhile — it never needs Prefect — and once the server is back on
the same address serve says so and its scheduled dispatch delivers what is pending."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from agencyflow.domain.plan_loader import load_plan_text
from agencyflow.plans import bundled_plan_text
from tests.cluster_world import quiet_env, start_server, stop_server
from tests.e2e.test_serve import (
    BIN,
    _channels,
    _finished_runs,
    _pending,
    _rows,
    _run,
    _start_serve,
    _stop,
)
from tests.sinks import WebhookSink, free_port

pytestmark = [pytest.mark.prefect, pytest.mark.timeout(600)]

DOWN = "không trả lời"  # "does not answer"
GAVE_UP = "Bộ chạy Prefect của serve đã dừng"  # "serve's Prefect runner stopped"
BACK = "đã trả lời trở lại"  # "answers again"
#: Test settings, each a real one: serve's runner polls its server every second (Prefect's
#: PREFECT_RUNNER_POLL_FREQUENCY, default 10 s) and its client retries a failed call once
#: (PREFECT_CLIENT_MAX_RETRIES, default 5 with 2, 4 … 32 s waits), so that the runner gives
#: up within seconds of the server's death instead of minutes; dispatches every 5 s.
FAST = {"PREFECT_RUNNER_POLL_FREQUENCY": "1", "PREFECT_CLIENT_MAX_RETRIES": "1",
        "AGENCYFLOW_DISPATCH_INTERVAL_SECONDS": "5"}


class _Output:
    """The lines `serve` writes, read as they come (a thread drains its pipe)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert time.monotonic() < deadline, f"serve never said {text!r}:\n{self.text()}"
            time.sleep(0.5)

    def text(self) -> str:
        return "".join(self.lines)


def test_serve_outlives_its_prefect_server_and_the_cli_does_not_need_it(tmp_path: Path) -> None:
    env = {k: v for k, v in quiet_env().items() if not k.startswith("AGENCYFLOW_")}
    env.update(AGENCYFLOW_DATA_DIR=str(tmp_path / "data"), PREFECT_HOME=str(tmp_path / "ph"),
               PREFECT_LOGGING_LEVEL="WARNING", **FAST)
    _run(env, "cycle", "start", "--plan", "kim-thanh-ocop", "--year", "2026")
    _run(env, "remind", "--now", "2026-01-05T09:00")  # no channels yet: all stay pending
    assert len(_pending(env)) > 20
    port, home = free_port(), tmp_path / "prefect-server"
    server = start_server(home, port, env)
    env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    spec = load_plan_text(*bundled_plan_text("kim-thanh-ocop")).spec
    with WebhookSink() as sink:
        config = tmp_path / "channels.yaml"
        _channels(config, sink.json_url("/status/500/hook"),
                  sorted({t for a in spec.agencies for t in a.tags}))
        env["AGENCYFLOW_APPRISE_CONFIG"] = str(config)
        serving = _start_serve(env | {"AGENCYFLOW_DISPATCH_MAX_ATTEMPTS": "100",
                                      "AGENCYFLOW_DISPATCH_BACKOFF_SECONDS": "1"})
        output = _Output(serving)
        try:
            output.wait_for("reminder-sweep (", timeout=180)  # "serving …", in either language
            deadline = time.monotonic() + 180
            while _finished_runs(env["PREFECT_API_URL"]) == 0:  # a dispatch ran to its end
                assert time.monotonic() < deadline and serving.poll() is None, output.text()
                time.sleep(1)
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
            output.wait_for(DOWN, timeout=120)
            output.wait_for(GAVE_UP, timeout=180)  # Prefect's runner gave up: serve did not
            assert serving.poll() is None, output.text()

            board = subprocess.run([str(BIN), "board", "--format", "json"], env=env,
                                   capture_output=True, text=True, timeout=120)
            assert board.returncode == 0 and board.stdout.startswith("["), board.stderr
            assert _pending(env) or _failed(env), "nothing delivered while the sink answers 500"

            _channels(config, sink.json_url("/hook"),
                      sorted({t for a in spec.agencies for t in a.tags}))
            server = start_server(home, port, env)
            output.wait_for(BACK, timeout=120)
            deadline = time.monotonic() + 300
            while _pending(env) or _failed(env):
                assert time.monotonic() < deadline, output.text()
                assert serving.poll() is None, output.text()
                time.sleep(2)
        finally:
            out = _stop(serving, signal.SIGINT) if serving.poll() is None else ""
            stop_server(server)
        delivered = {r.json()["idempotency_key"] for r in sink.requests if r.status == 200}
    assert len(delivered) == len(_rows(env, "sent")) > 0, out


def _failed(env: dict[str, str]) -> list[str]:
    return _rows(env, "failed")

