"""The distributed topology of README "Deployment at scale", started for real by a test.

A Prefect server on PostgreSQL (a database of its own on the shared server, ``pg_trgm``), the
process work pool ``agencyflow``, the deployments of ``prefect.yaml`` (``prefect deploy --all``
from the repository root), the crash-zombie automation of ``deploy/prefect/`` and two workers
(``prefect worker start``), each a process of its own in a working directory of its own. Every
step is the command of the runbook, run as a subprocess; nothing is started in the test's process.

Test-only settings, each said where it is set: the server's scheduler is off (the test starts
every run itself, so that the schedules of ``prefect.yaml`` do not start runs of their own with
the real clock), workers poll every 2 s instead of 10, and the crash detector's window is 60 s
instead of the runbook's 90 (:data:`CRASH_WINDOW`). Each worker carries a mark in its
environment (:mod:`tests.processes`), so that the test finds its flow-run processes and their
children.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import text

from agencyflow.db import make_engine
from tests.conftest import PG_URL
from tests.processes import MARK, marked
from tests.sinks import free_port

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
POOL = "agencyflow"
AUTOMATION = REPO / "deploy" / "prefect" / "crash-zombies.yaml"
#: Seconds between a flow run's heartbeats (Prefect's minimum is 30).
HEARTBEAT = 30
#: The crash detector's ``within`` in the test: a run is Crashed 60 s after its last heartbeat
#: (two heartbeats missed) instead of the runbook's 90 (three), so that the killed run shows
#: Crashed half a minute sooner; every live run of the test ends well within it.
CRASH_WINDOW = 60
QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
         "PREFECT_SERVER_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "INFO",
         "PREFECT_SERVER_EPHEMERAL_ENABLED": "false"}


def prefect(args: list[str], env: dict[str, str], timeout: float = 180) -> str:
    """Run ``prefect <args>`` from the repository root; its output (AssertionError on failure)."""
    done = subprocess.run([str(BIN / "prefect"), "--no-prompt", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"prefect {' '.join(args)}: {done.stdout}\n{done.stderr}")
    return done.stdout


def _healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as answer:  # noqa: S310
            return bool(answer.status == 200)
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@contextmanager
def prefect_database() -> Iterator[str]:
    """A fresh PostgreSQL database for the Prefect server (asyncpg URL); dropped afterwards."""
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"pf_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_URL.rpartition("/")[0]
    own = make_engine(f"{base}/{name}")
    with own.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    own.dispose()
    try:
        yield f"{base}/{name}".replace("postgresql+psycopg://", "postgresql+asyncpg://")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Worker:
    """``prefect worker start --pool agencyflow --name <name>`` in its own directory."""

    name: str
    workdir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def mark(self) -> str:
        """The mark every process of this worker carries (its flow runs and their children)."""
        return self.env[MARK]

    def start(self) -> Worker:
        """Start the worker (it polls the pool until stopped)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / "worker.log", "ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--name", self.name],
                cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        return self

    def kill(self, *pids: int) -> None:
        """``kill -9`` the worker and the given processes of it (its flow-run processes)."""
        assert self.process is not None
        for pid in (self.process.pid, *pids):
            os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the worker (SIGTERM, then SIGKILL), then any process of it still alive."""
        if self.process is not None:
            _stop(self.process)
        for pid in marked(self.mark):
            os.kill(pid, signal.SIGKILL)

    def log(self) -> str:
        """What the worker wrote (for a failing test's message)."""
        path = self.workdir / "worker.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@dataclass
class Cluster:
    """A running Prefect server with the deployments and two workers; ``api`` is its URL."""

    root: Path
    api: str
    env: dict[str, str]
    workers: list[Worker] = field(default_factory=list)

    def worker_of(self, pid: int) -> Worker:
        """The worker whose mark the process ``pid`` carries."""
        environ = (Path("/proc") / str(pid) / "environ").read_bytes().split(b"\0")
        for worker in self.workers:
            if f"{MARK}={worker.mark}".encode() in environ:
                return worker
        raise AssertionError(f"process {pid} belongs to no worker of the cluster")


def start_server(home: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``prefect server start`` on 127.0.0.1:``port`` with ``PREFECT_HOME=home`` (its log
    there), once it answers; ``env`` is its environment (add the database URL to it)."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "server.log", "ab") as log:
        server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env | {"PREFECT_HOME": str(home)}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 240
    while not _healthy(api):
        if server.poll() is not None or time.monotonic() > deadline:
            _stop(server)
            text = (home / "server.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"Prefect server did not start: {text}")
        time.sleep(0.5)
    return server


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop a server of :func:`start_server` (SIGTERM, then SIGKILL)."""
    _stop(server)


def crash_detector(root: Path, within: int) -> Path:
    """The runbook's automation (``deploy/prefect/crash-zombies.yaml``) with its window set to
    ``within`` seconds, as a file in ``root``."""
    spec = yaml.safe_load(AUTOMATION.read_text(encoding="utf-8"))
    old = spec["trigger"]["within"]
    spec["trigger"]["within"] = within
    for action in spec["actions"]:
        action["message"] = action["message"].replace(f"{old} s", f"{within} s")
    path = root / AUTOMATION.name
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def quiet_env() -> dict[str, str]:
    """This process's environment without its Prefect settings, plus :data:`QUIET`."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | QUIET


@contextmanager
def running_cluster(root: Path, worker_env: dict[str, str]) -> Iterator[Cluster]:
    """The whole topology (module docstring); ``worker_env`` is added to each worker's
    environment (the application's settings). Everything is stopped on exit."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    base = quiet_env()
    client_env = base | {"PREFECT_API_URL": api, "PREFECT_HOME": str(root / "client"),
                         "AGENCYFLOW_REPO_DIR": str(REPO)}
    with prefect_database() as database:
        server = start_server(root / "server", port, base | {
            "PREFECT_SERVER_DATABASE_CONNECTION_URL": database,
            "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"})
        cluster = Cluster(root, api, client_env)
        try:
            prefect(["work-pool", "create", POOL, "--type", "process"], client_env)
            prefect(["deploy", "--all"], client_env)
            prefect(["automation", "create", "--from-file",
                     str(crash_detector(root, CRASH_WINDOW))], client_env)
            mark = uuid.uuid4().hex
            for name in ("worker-1", "worker-2"):
                env = client_env | worker_env | {
                    "PREFECT_HOME": str(root / name / "prefect"),
                    "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT),
                    "PREFECT_WORKER_QUERY_SECONDS": "2", MARK: f"{mark}-{name}"}
                cluster.workers.append(Worker(name, root / name, env).start())
            yield cluster
        finally:
            for worker in cluster.workers:  # workers first: without a server they linger
                worker.stop()
            _stop(server)
