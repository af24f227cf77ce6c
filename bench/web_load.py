"""Web figures of `make bench`: `GET /api/v1/assignments` under load, beside its SQL floor.

Usage: python -m bench.web_load DB   (DB: a database with the national cycle started)

The API is served for real by uvicorn (``--workers 2``, the machine's cores) on a copy of DB with
a coordinator's token; the load comes from ``wrk`` in another process — 20 connections (clients)
on 2 threads, keep-alive, a Lua script adding the ``Authorization`` header and reporting p50/p95
(installed with ``apt-get install -y wrk`` when missing, see :func:`_ensure_wrk`). Two pages are
measured: the first page of the cycle (100 rows) and a page deep in it (its keyset cursor,
half-way through the 200,000 rows). The floor is the same page query in plain ``sqlite3`` in
this process, one query after the other. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

TODAY = date(2027, 6, 15)
LIMIT = 100
CLIENTS, THREADS, SECONDS = 20, 2, 15
WORKERS = 2

LUA = """wrk.headers["%s"] = "%s"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, '
    .. '"p95_us": %%d, "p99_us": %%d, "errors": %%d, "non2xx": %%d}\\n', summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def _has_web_app() -> bool:
    """True when stream webpages' app (the board page) is in this tree."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in (
        "agencyflow.web.app", "agencyflow.services.people.sessions",
        "agencyflow.services.people.passwords"))


def _cookie(db: Path) -> str:
    """A logged-in browser session of the bench coordinator: the Cookie header's value."""
    from agencyflow.db import make_engine, session_scope
    from agencyflow.domain.permissions import Actor, Role
    from agencyflow.services.people import passwords
    from agencyflow.services.people import sessions as web_sessions  # type: ignore[attr-defined]
    from agencyflow.web.context import SESSION_COOKIE  # type: ignore[import-not-found]

    engine = make_engine(f"sqlite:///{db}")
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        passwords.set_password(session, "bench", "bench-password-2027", now=now,
                               actor=Actor("bench", Role.SYSTEM))
    with session_scope(engine) as session:
        result = web_sessions.login(session, username="bench", password="bench-password-2027",
                                    address="127.0.0.1", now=now)
    engine.dispose()
    assert result.cookie, result
    return f"{SESSION_COOKIE}={result.cookie}"


def _token(db: Path) -> tuple[str, int]:
    """A coordinator with an API token in ``db``; returns (token, cycle id)."""
    from sqlalchemy import select

    from agencyflow.db import make_engine, session_scope, upgrade
    from agencyflow.domain.permissions import Actor, Role
    from agencyflow.models import Cycle
    from agencyflow.services.people import users

    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)  # the prepared database may be from an older run of the bench
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        system = Actor("bench", Role.SYSTEM)
        users.add_user(session, username="bench", role="coordinator", now=now, actor=system)
        secret = users.create_token(session, "bench", now=now, actor=system).secret
        cycle_id = session.execute(select(Cycle.id)).scalar_one()
    engine.dispose()
    return secret, int(cycle_id)


def _page_sql(cycle_id: int, after: Any) -> list[tuple[str, dict[str, Any]]]:
    """The page queries the API runs (its index scans, in order), as plain sqlite3 text."""
    from agencyflow.dbapi import _for_driver
    from agencyflow.services.board import listing as board
    from agencyflow.services.board import pages as board_pages
    from agencyflow.services.plans.calendar_store import cached_calendar

    flt = board.BoardFilter(cycle_id=cycle_id)
    status = board.status_sql(flt.late_against)
    calendar = cached_calendar(Path(tempfile.gettempdir()) / "agencyflow-bench-cal")
    common = board._params(TODAY, calendar) | {"limit": LIMIT + 1}
    if after is not None:
        common |= {"after_id": after.id, "after_due": after.due}
    out = []
    for scan in board_pages._scans(after):
        sql, params = board_pages._sql(flt, status, scan)
        used = {k: v for k, v in common.items() if f":{k}" in sql}
        out.append(_for_driver(True, sql, params | used))
    return out


def floor(db: Path, cycle_id: int, after: Any, runs: int = 300) -> dict[str, Any]:
    """p50/p95 and pages/s of the page's queries in plain sqlite3, one page after the other."""
    import sqlite3

    queries = _page_sql(cycle_id, after)
    conn = sqlite3.connect(db)
    plan = " / ".join(row[3] for sql, params in queries
                      for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        rows: list[Any] = []
        for sql, params in queries:
            rows += conn.execute(sql, params).fetchall()
            if len(rows) > LIMIT:
                break
        times.append(time.perf_counter() - start)
    conn.close()
    assert len(rows) > LIMIT
    times.sort()
    return {"p50_ms": round(statistics.median(times) * 1000, 2),
            "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 2),
            "per_s": round(runs / sum(times)), "plan": plan}


def counts_floor(db: Path, cycle_id: int, runs: int = 20) -> dict[str, Any]:
    """The board page's SQL floor: its first page (the API's) plus the counts per agency ×
    status of the cycle, in plain sqlite3."""
    import sqlite3

    from agencyflow.dbapi import _for_driver
    from agencyflow.services.board import listing as board
    from agencyflow.services.plans.calendar_store import cached_calendar

    flt = board.BoardFilter(cycle_id=cycle_id)
    status = board.status_sql(flt.late_against)
    where, params = board._where(flt, status)
    calendar = cached_calendar(Path(tempfile.gettempdir()) / "agencyflow-bench-cal")
    counts = _for_driver(True, board.COUNTS_SQL.format(status=status, where=where,
                                                       source="assignment a"),
                         params | board._params(TODAY, calendar))
    pages = _page_sql(cycle_id, None)
    conn = sqlite3.connect(db)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        conn.execute(*counts).fetchall()
        for sql, values in pages[:1]:
            conn.execute(sql, values).fetchall()
        times.append(time.perf_counter() - start)
    conn.close()
    times.sort()
    return {"p50_ms": round(statistics.median(times) * 1000, 2),
            "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 2),
            "per_s": round(runs / sum(times))}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, data: Path, port: int, app: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "AGENCYFLOW_DATABASE_URL": f"sqlite:///{db}",
           "AGENCYFLOW_DATA_DIR": str(data)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory",
         app, "--host", "127.0.0.1", "--port",
         str(port), "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning"],
        env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("uvicorn did not start")


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process ``pid`` and its children's threads."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids += [int(c) for c in (task / "children").read_text().split()]
    ticks = 0
    for p in pids:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(url: str, header: tuple[str, str], seconds: int = SECONDS, server: int | None = None
        ) -> dict[str, Any]:
    """One wrk run against ``url``: requests/s, p50/p95/p99 in ms, errors, and the server's CPU
    per request (``server``: the uvicorn process id)."""
    cpu_before = _cpu_seconds(server) if server else 0.0
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % header)
    try:
        out = subprocess.run(["wrk", "-t", str(THREADS), "-c", str(CLIENTS), "-d", f"{seconds}s",
                              "--timeout", "30s", "-s", script.name, url],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(script.name)
    cpu = _cpu_seconds(server) - cpu_before if server else 0.0
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    raw = json.loads(line.removeprefix("RESULT "))
    return {"cpu_ms_per_request": round(cpu * 1000 / max(raw["requests"], 1), 2),
            "per_s": round(raw["requests"] / (raw["duration_us"] / 1e6)),
            "p50_ms": round(raw["p50_us"] / 1000, 1), "p95_ms": round(raw["p95_us"] / 1000, 1),
            "p99_ms": round(raw["p99_us"] / 1000, 1), "requests": raw["requests"],
            "errors": raw["errors"], "non2xx": raw["non2xx"]}


def warm(url: str, header: tuple[str, str], server: int, rounds: int = 6) -> None:
    """Short runs until the rate settles (two in a row within 15 %): uvicorn answers as soon as
    one worker is up while the others may still be importing the app, and each worker fills its
    caches on its first requests — a single fixed warm-up left that in the first measured run
    (295 requests/s and 4.1 ms CPU a request for the first page, 958 and 1.9 ms for the next)."""
    last = 0
    for _ in range(rounds):
        rate = wrk(url, header, 2, server=server)["per_s"]
        if last and abs(rate - last) <= 0.15 * max(rate, last):
            return
        last = rate


def _ensure_wrk() -> str | None:
    """Install ``wrk`` with apt-get when it is missing (as ``.ci/run`` does for Chromium); the
    reason it is still missing, or None. wrk rather than a pip-installed generator: it is written
    in C and needs one thread per core at most, so it leaves the server (Python, 2 workers on
    this 2-core machine) nearly all the CPU, where a Python generator (locust) would take a core
    of its own and measure itself as much as the server."""
    if shutil.which("wrk") is not None:
        return None
    if shutil.which("apt-get") is None:
        return "wrk is not installed and there is no apt-get to install it"
    print("installing wrk (the web figures' load generator)", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    for command in (["apt-get", "install", "-y", "wrk"],
                    ["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        subprocess.run(sudo + command, check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        if shutil.which("wrk") is not None:
            return None
    return "wrk is not installed and apt-get install -y wrk failed"


def main(source: str) -> dict[str, Any]:
    """Every web figure, as one JSON-ready dict."""
    missing = _ensure_wrk()
    if missing:
        return {"skipped": missing}
    work = Path(tempfile.mkdtemp(prefix="agencyflow-web-bench-"))
    try:
        db = work / "web.db"
        shutil.copy(source, db)
        token, cycle_id = _token(db)
        first = f"/api/v1/assignments?cycle={cycle_id}&limit={LIMIT}&now={TODAY}"
        board = _has_web_app()
        cookie = _cookie(db) if board else ""
        app = ("agencyflow.web.app:factory" if board
               else "agencyflow.web.api:standalone_from_environment")
        deep = _deep_cursor(db, cycle_id)
        bearer = ("Authorization", f"Bearer {token}")
        port = _free_port()
        server = _serve(db, work / "data", port, app)
        out: dict[str, Any] = {}
        try:
            base = f"http://127.0.0.1:{port}"
            warm(base + first, bearer, server.pid)
            out["api"] = wrk(base + first, bearer, server=server.pid)
            out["api_deep"] = wrk(base + first + f"&cursor={deep.encode()}", bearer,
                                  server=server.pid)
            if board:
                page = f"{base}/board?asof={TODAY}"
                # One request first: it refreshes the session's last-seen time, which the page
                # then leaves alone for a minute (20 first requests at once would all write it).
                request = urllib.request.Request(page, headers={"Cookie": cookie})
                assert urllib.request.urlopen(request, timeout=120).status == 200
                warm(page, ("Cookie", cookie), server.pid)
                out["board"] = wrk(page, ("Cookie", cookie), server=server.pid)
        finally:
            server.terminate()
            server.wait(timeout=60)
        return {**out, "floor": floor(db, cycle_id, None),
                "floor_deep": floor(db, cycle_id, deep), "board_floor": counts_floor(db, cycle_id),
                "limit": LIMIT, "clients": CLIENTS, "workers": WORKERS,
                "loadavg": round(os.getloadavg()[0], 1)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _deep_cursor(db: Path, cycle_id: int) -> Any:
    """The cursor of the row half-way through the cycle's order (found once with OFFSET; what
    is timed is the page after it, which the API reads by keyset)."""
    import sqlite3

    from agencyflow.services.board.pages import Cursor

    conn = sqlite3.connect(db)
    due, id_ = conn.execute(
        "SELECT due_current, id FROM assignment WHERE cycle_id = ? AND due_current IS NOT NULL "
        "ORDER BY due_current, id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM assignment)",
        (cycle_id,)).fetchone()
    conn.close()
    return Cursor(date.fromisoformat(due), int(id_))


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), ensure_ascii=False))
