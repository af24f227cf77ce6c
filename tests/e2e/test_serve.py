"""`agencyflow serve` for real: it runs its own local Prefect server (the temporary one has no
scheduler), and the scheduled dispatch delivers what a sweep queued to a real webhook sink."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from agencyflow.domain.plan_loader import load_plan_text
from agencyflow.plans import bundled_plan_text
from tests.sinks import WebhookSink

pytestmark = pytest.mark.prefect

BIN = Path(sys.executable).with_name("agencyflow")
#: serve's runner asks its Prefect server for due runs every second (Prefect's
#: PREFECT_RUNNER_POLL_FREQUENCY, default 10 s): a scheduled run starts within a second of
#: its time, so that the tests wait for the schedule, not for the poll.
POLL = {"PREFECT_RUNNER_POLL_FREQUENCY": "1"}


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
               AGENCYFLOW_DISPATCH_INTERVAL_SECONDS="5", PREFECT_LOGGING_LEVEL="WARNING",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               AGENCYFLOW_LANGUAGE="en", **POLL)  # read in English
    # A past working day, so that the queued notices are due for the real clock of the dispatcher.
    _run(env, "cycle", "start", "--plan", "kim-thanh-ocop", "--year", "2026")
    _run(env, "remind", "--now", "2026-01-05T09:00")  # no channels configured: all stay pending
    assert len(_pending(env)) > 20
    spec = load_plan_text(*bundled_plan_text("kim-thanh-ocop")).spec
    with WebhookSink() as sink:
        config = tmp_path / "channels.yaml"
        _channels(config, sink.json_url(), sorted({t for a in spec.agencies for t in a.tags}))
        env["AGENCYFLOW_APPRISE_CONFIG"] = str(config)
        server = _start_serve(env)
        try:
            deadline = time.monotonic() + 360
            while time.monotonic() < deadline and _pending(env):
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(1)
            received = len(sink.requests)
        finally:
            out = _stop(server, signal.SIGINT)
    assert _pending(env) == [], out
    sent = _rows(env, "sent")
    assert received == len(sent) > 0, out
    assert "Prefect API: http://127.0.0.1:" in out and "stopped" in out


@pytest.mark.timeout(300)
@pytest.mark.parametrize("moment", ["starting", "running", "killed"])
def test_serve_stops_on_sigterm_and_takes_its_prefect_server_with_it(tmp_path: Path,
                                                                     moment: str) -> None:
    """A process manager stops `serve` with SIGTERM, whether it is still starting or has been
    running flows: it exits, and the Prefect server it started stops with it. Even when `serve`
    is killed outright (kill -9), its Prefect server does not stay behind."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "AGENCYFLOW_"))}
    env.update(AGENCYFLOW_DATA_DIR=str(tmp_path / "data"), PREFECT_HOME=str(tmp_path / "ph"),
               AGENCYFLOW_DISPATCH_INTERVAL_SECONDS="5", PREFECT_LOGGING_LEVEL="WARNING",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               AGENCYFLOW_LANGUAGE="en", **POLL)  # read in English
    server = _start_serve(env)
    try:
        assert server.stdout is not None
        lines = []
        for line in server.stdout:  # up once it says what it serves
            lines.append(line)
            if line.startswith("serving "):
                break
        api = next(ln.split()[-1] for ln in lines if ln.startswith("Prefect API:"))
        if moment == "running":  # until a scheduled dispatch has run (to its end)
            deadline = time.monotonic() + 120
            while _finished_runs(api) == 0:
                assert time.monotonic() < deadline and server.poll() is None, "".join(lines)
                time.sleep(1)
        if moment == "killed":
            server.kill()
            server.communicate(timeout=10)
        else:
            out = "".join(lines) + _stop(server, signal.SIGTERM)
            assert server.returncode == 0 and "stopped" in out, out
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while _answers(api):  # the local Prefect server is gone too
        assert time.monotonic() < deadline, f"the Prefect server at {api} is still up"
        time.sleep(0.5)


def _answers(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2):  # noqa: S310
            return True
    except OSError:
        return False


def _finished_runs(api: str) -> int:
    body = json.dumps({"flow_runs": {"state": {"type": {"any_": [
        "COMPLETED", "FAILED", "CRASHED"]}}}}).encode()
    request = urllib.request.Request(f"{api}/flow_runs/count", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return int(json.load(response))


def _start_serve(env: dict[str, str]) -> subprocess.Popen[str]:
    """`agencyflow serve` in a process group of its own, as a terminal would run it."""
    return subprocess.Popen([str(BIN), "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _stop(server: subprocess.Popen[str], sig: signal.Signals) -> str:
    """Send ``sig`` as a terminal (Ctrl+C: the whole foreground group) or a process manager
    would; return the output once `serve` exited. If it is still running a minute later, kill
    its group (no orphaned server or flow runs) and fail."""
    if sig == signal.SIGINT:
        os.killpg(server.pid, sig)
    else:
        server.send_signal(sig)
    try:
        out, _ = server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        out, _ = server.communicate()
        pytest.fail(f"serve did not stop within 60 s of {sig.name}:\n{out}")
    return out


def _rows(env: dict[str, str], status: str) -> list[str]:
    return _run(env, "notifications", "--status", status, "--format", "csv").splitlines()[1:]


def _pending(env: dict[str, str]) -> list[str]:
    return _rows(env, "pending")
