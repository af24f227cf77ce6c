"""Dispatch by several dispatchers at once (issue 13 part 6): ``workers`` processes of
``agencyflow dispatch --loop`` on one outbox, against the same delivery by one such process.

    python -m bench.dispatch_workers COUNT [POSTGRESQL-SERVER-URL] WORKERS...

Each is a whole dispatcher as an operator runs it (its own process, its own apprise threads,
``AGENCYFLOW_DISPATCH_PROCESSES=1``, ``CONCURRENCY`` sends at once), claiming rows with leases.
The outbox is ``bench/dispatch_e2e.build``'s: in a SQLite file (claims and records take turns
on its write lock), or in a database of its own on the PostgreSQL server (``agencyflow_
dispatch_<hex>``, dropped at the end; claims skip each other's rows), the configuration of
dispatchers on several machines. The sink is the asyncio sink of ``bench/dispatch_sink.py`` in
a process of its own; it serves every connection of every dispatcher concurrently.

**Every dispatcher starts at the same moment, warm.** Start-up (imports, the apprise
configuration: 2 s each on a quiet machine, 8–17 s at load 15) is not dispatch. When the
processes were simply started together, the first one ready sent alone while the others
imported, and their imports took the cores from it: the figure measured start-up skew more than
dispatch. Now every row is first held by a lease of the bench; the dispatchers start, find
nothing to claim and wait in their loop; when each has the outbox open and has been idle for a
second, the bench locks the outbox (SQLite's write lock; on PostgreSQL ``LOCK TABLE``), releases
the rows, waits until every dispatcher's next poll is blocked on that lock, and commits: they
all claim at once (on SQLite within its busy handler's 0.1 s step). ``seconds`` runs from that
commit until the last result is recorded (the real clock of the last attempt row).

Beside the time: each dispatcher's CPU and the sink's over the measured window, per
notification (``cpu_ms``, ``sink_cpu_ms``), ``cpu_busy`` (their CPU seconds over the window's
seconds: 2.0 would be both cores of a 2-core machine), how the rows were shared (``claimed``)
and ``startup`` (until every dispatcher was idle).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import dispatch_e2e
from bench.dispatch_sink import SINK

CONCURRENCY = 32
HOLD = "bench-hold"
_TICK = os.sysconf("SC_CLK_TCK")


def _channels(path: Path, port: int, tags: list[str]) -> None:
    groups = [", ".join(tags[i::dispatch_e2e.CHANNELS]) for i in range(dispatch_e2e.CHANNELS)]
    lines = ["urls:"]
    for i, group in enumerate(g for g in groups if g):
        lines += [f'  - "json://127.0.0.1:{port}/agency/{i}?cto=2&rto=5":',
                  f'      - tag: "{group}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


class _SQLite:
    """The outbox in a SQLite file (claims take turns under ``BEGIN IMMEDIATE``)."""

    def __init__(self, tmp: Path) -> None:
        self.path = tmp / "outbox.db"
        self.url = f"sqlite:///{self.path}"

    def sql(self, statement: str, *params: Any) -> Any:
        with sqlite3.connect(self.path, timeout=30) as conn:
            return conn.execute(statement, params).fetchall()

    def ready(self, pids: list[int]) -> set[int]:
        """The processes that have the outbox open."""
        def opened(pid: int) -> bool:
            try:
                return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(self.path)
                           for fd in os.listdir(f"/proc/{pid}/fd"))
            except OSError:
                return False
        return {pid for pid in pids if opened(pid)}

    @contextmanager
    def locked(self) -> Iterator[Callable[..., Any]]:
        """The write lock held: every claim waits (SQLite's busy handler retries within
        0.1 s of the commit)."""
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        conn.execute("BEGIN IMMEDIATE")
        yield lambda statement, *params: conn.execute(statement, params)
        conn.execute("COMMIT")
        conn.close()

    def close(self) -> None:
        pass


class _Postgres:
    """The outbox in a database of its own on the PostgreSQL server (unique name, dropped
    at the end); claims skip each other's rows (``FOR UPDATE SKIP LOCKED``)."""

    def __init__(self, server: str) -> None:
        import psycopg

        self.name = f"agencyflow_dispatch_{uuid.uuid4().hex[:10]}"
        self._admin = psycopg.connect(server.replace("+psycopg", ""), autocommit=True)
        self._admin.execute(f"CREATE DATABASE {self.name}")
        self.url = f"{server.rsplit('/', 1)[0]}/{self.name}"
        self._libpq = self.url.replace("+psycopg", "")

    def sql(self, statement: str, *params: Any) -> Any:
        import psycopg

        with psycopg.connect(self._libpq) as conn:
            cursor = conn.execute(statement.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def ready(self, pids: list[int]) -> set[int]:
        """All the processes once as many sessions as there are processes are connected."""
        connected = self._admin.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s", (self.name,)
        ).fetchone()
        return set(pids) if connected and connected[0] >= len(pids) else set()

    @contextmanager
    def locked(self) -> Iterator[Callable[..., Any]]:
        """An exclusive lock on the outbox table: every claim waits in the lock queue and
        goes on the moment it is committed."""
        import psycopg

        with psycopg.connect(self._libpq) as conn:
            conn.execute("LOCK TABLE notification IN EXCLUSIVE MODE")
            yield lambda statement, *params: conn.execute(statement.replace("?", "%s"), params)
            conn.commit()

    def close(self) -> None:
        self._admin.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self._admin.close()


Outbox = _SQLite | _Postgres


def _wait_idle(procs: list[subprocess.Popen[bytes]], outbox: Outbox,
               timeout: float = 600) -> None:
    """Until every process has the outbox open and has used < 10 ms of CPU in each quarter
    of a second for a second (imports done, waiting in its loop)."""
    deadline = time.monotonic() + timeout
    quiet: dict[int, float] = {}
    while len(quiet) < len(procs) or any(time.monotonic() - t < 1.0 for t in quiet.values()):
        if time.monotonic() > deadline:
            raise RuntimeError("the dispatchers did not settle")
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode(errors="replace")[-2000:])  # type: ignore[union-attr]
        before = {p.pid: _cpu(p.pid) for p in procs}
        time.sleep(0.25)
        opened = outbox.ready([p.pid for p in procs])
        for p in procs:
            if _cpu(p.pid) - before[p.pid] > 0.0075 or p.pid not in opened:
                quiet.pop(p.pid, None)
            else:
                quiet.setdefault(p.pid, time.monotonic())


def _release(outbox: Outbox, interval: float) -> datetime:
    """Give the held rows to the dispatchers at one moment (module docstring); that moment."""
    with outbox.locked() as execute:
        execute("UPDATE notification SET lease_owner = NULL, lease_until = NULL "
                "WHERE lease_owner = ?", HOLD)
        time.sleep(interval + 0.5)  # every dispatcher's next poll now waits for this lock
        released = datetime.now(UTC)
    return released


def _finished(outbox: Outbox, expected: int, timeout: float = 1800) -> datetime:
    """Wait until every notification is sent; the real time its last result was recorded."""
    deadline = time.monotonic() + timeout
    while outbox.sql("SELECT COUNT(*) FROM notification WHERE status = 'sent'")[0][0] < expected:
        if time.monotonic() > deadline:
            raise RuntimeError("the dispatchers did not send every notification")
        time.sleep(0.1)
    last = outbox.sql("SELECT MAX(at) FROM delivery_attempt")[0][0]
    return (datetime.fromisoformat(last) if isinstance(last, str) else last).replace(tzinfo=UTC)


def _run(outbox: Outbox, tmp: Path, sink_pid: int, workers: int, expected: int
         ) -> dict[str, Any]:
    interval = 1
    env = os.environ | {"AGENCYFLOW_DATABASE_URL": outbox.url,
                        "AGENCYFLOW_APPRISE_CONFIG": str(tmp / "channels.yaml"),
                        "AGENCYFLOW_DATA_DIR": str(tmp / "data"),
                        "AGENCYFLOW_DISPATCH_PROCESSES": "1",
                        "AGENCYFLOW_DISPATCH_CONCURRENCY": str(CONCURRENCY),
                        "AGENCYFLOW_DISPATCH_INTERVAL_SECONDS": str(interval)}
    command = [str(Path(sys.executable).with_name("agencyflow")), "dispatch", "--loop",
               "--now", "2027-01-18T09:05", "--format", "json"]
    started = time.perf_counter()
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(workers)]
    try:
        _wait_idle(procs, outbox)
        startup = time.perf_counter() - started
        pids = [p.pid for p in procs] + [sink_pid]
        cpu = [_cpu(pid) for pid in pids]
        released = _release(outbox, interval)
        last = _finished(outbox, expected)
        cpu = [_cpu(pid) - c for pid, c in zip(pids, cpu, strict=True)]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
    claimed = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(err.decode(errors="replace")[-2000:])
        claimed.append(sum(json.loads(line)["claimed"] for line in out.decode().splitlines()
                           if line.startswith("{")))
    seconds = (last - released).total_seconds()
    return {"seconds": round(seconds, 3), "startup": round(startup, 1), "claimed": claimed,
            "cpu_ms": [round(c * 1000 / expected, 2) for c in cpu[:-1]],
            "sink_cpu_ms": round(cpu[-1] * 1000 / expected, 3),
            "cpu_busy": round(sum(cpu) / seconds, 2)}


def dispatch_workers(count: str, workers: str, server: str = "") -> dict[str, Any]:
    """``workers`` dispatchers at once over ``count`` notifications (module docstring); the
    outbox on SQLite, or on the PostgreSQL ``server`` (a URL) when one is given."""
    with tempfile.TemporaryDirectory(prefix="dispatch-workers-") as tmp:
        outbox: Outbox = _Postgres(server) if server else _SQLite(Path(tmp))
        try:
            expected = dispatch_e2e.build(outbox.url, int(count))
            outbox.sql("UPDATE notification SET lease_owner = ?, lease_until = ?", HOLD,
                       datetime(2999, 1, 1) if server else "2999-01-01 00:00:00.000000")
            tags = [t for (t,) in outbox.sql("SELECT DISTINCT tag FROM notification ORDER BY tag")]
            sink = subprocess.Popen([sys.executable, "-c", SINK], stdout=subprocess.PIPE,
                                    text=True)
            try:
                port = int(sink.stdout.readline())  # type: ignore[union-attr]
                _channels(Path(tmp) / "channels.yaml", port, tags)
                figures = _run(outbox, Path(tmp), sink.pid, int(workers), expected)
            finally:
                sink.terminate()
                sink.wait()
        finally:
            outbox.close()
    return figures | {"rows": expected, "peak_mib": None, "database": outbox.url.split(":")[0],
                      "load": round(os.getloadavg()[0], 1)}


#: One sender of the floor: ``CONCURRENCY`` threads, each with a keep-alive connection, POST
#: ``BODY`` to the sink until ``count`` are sent; it starts when it reads a line (the release).
_SENDER = r"""
import http.client, sys, threading
port, count, threads, body = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
left, lock = [count], threading.Lock()
def send():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while True:
        with lock:
            if left[0] == 0:
                break
            left[0] -= 1
        conn.request("POST", "/agency/0", body=body.encode(),
                     headers={"Content-Type": "application/json"})
        conn.getresponse().read()
    conn.close()
print("ready", flush=True)
sys.stdin.readline()
workers = [threading.Thread(target=send) for _ in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
print("done", flush=True)
"""

#: A body of the size and shape of a reminder's JSON webhook (apprise's fields and ours).
BODY = json.dumps({
    "version": "1.0", "title": "[Nhắc việc] Hoàn thiện hồ sơ sản phẩm OCOP năm 2027",
    "message": "Kính gửi: UBND xã Kim Anh. Nhiệm vụ khảo sát, đánh giá sản phẩm sắp đến hạn "
               "ngày 15/03/2027 (còn 5 ngày làm việc). " * 4, "type": "info", "attachments": [],
    "agencyflow": {"notification_id": 123456, "key": "n123456-c0", "kind": "before_due",
                   "level": 0, "assignment_id": 98765, "plan": "kim-thanh-ocop",
                   "step": "XA-2", "lead": "XA-KIM-ANH", "commune": "XA-KIM-ANH",
                   "due": "2027-03-15", "days": 5,
                   "url": "https://agencyflow.example/assignments/98765"}}, ensure_ascii=False)


def floor(count: str, processes: str) -> dict[str, Any]:
    """The floor of a dispatch: ``count`` POSTs of :data:`BODY` to the same sink, in
    ``processes`` processes of ``CONCURRENCY`` threads with keep-alive connections (plain
    ``http.client``: no outbox, no claims, no apprise, no records), released at one moment;
    ``seconds`` from the release until the last process is done."""
    n, workers = int(count), int(processes)
    sink = subprocess.Popen([sys.executable, "-c", SINK], stdout=subprocess.PIPE, text=True)
    try:
        port = sink.stdout.readline().strip()  # type: ignore[union-attr]
        shares = [n // workers + (1 if i < n % workers else 0) for i in range(workers)]
        senders = [subprocess.Popen([sys.executable, "-c", _SENDER, port, str(share),
                                     str(CONCURRENCY), BODY], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True) for share in shares]
        for proc in senders:
            assert proc.stdout.readline().strip() == "ready"  # type: ignore[union-attr]
        started = time.perf_counter()
        for proc in senders:
            proc.stdin.write("go\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        for proc in senders:
            assert proc.stdout.readline().strip() == "done"  # type: ignore[union-attr]
        seconds = time.perf_counter() - started
        for proc in senders:
            proc.wait(timeout=60)
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/count") as response:
            delivered = int(response.read())
        if delivered != n:
            raise RuntimeError(f"the floor's sink received {delivered} of {n}")
    finally:
        sink.terminate()
        sink.wait()
    return {"seconds": round(seconds, 3), "rows": n, "peak_mib": None}


if __name__ == "__main__":
    # python -m bench.dispatch_workers COUNT [SERVER-URL] WORKERS...
    pg = sys.argv[2] if "://" in sys.argv[2] else ""
    for n in sys.argv[3 if pg else 2:]:
        print(json.dumps(dispatch_workers(sys.argv[1], n, pg)), flush=True)
