"""deploy/monitor.sql, the monitoring query of the runbook, on a real PostgreSQL database: it
counts dead notifications and the notifications due but unsent, and a sweep lag that the next
sweep clears."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import Engine, text

from agencyflow.notifications import RecordingNotifier, Renderer
from agencyflow.services.delivery import dispatch
from agencyflow.services.reminders import sweeps
from tests.cluster_world import REPO
from tests.reminder_world import CALENDAR, queue_opened, vn

pytestmark = pytest.mark.postgres

LATER = vn(2027, 1, 25, 10)


def _monitor(engine: Engine, at: str) -> dict[str, tuple[int, str]]:
    url = engine.url.render_as_string(hide_password=False).replace("+psycopg", "")
    done = subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-F", "|", "-v", f"at={at}",
                           "-f", str(REPO / "deploy" / "monitor.sql")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr, done.stderr
    lines = [line.split("|") for line in done.stdout.splitlines() if line]
    return {what: (int(count), since) for what, count, since in lines}


def test_the_monitoring_query_shows_dead_notices_dispatch_lag_and_sweep_lag(
        pg_engine: Engine) -> None:
    queue_opened(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(text("UPDATE notification SET status = 'dead' WHERE recipient_code = 'NN'"))
    seen = _monitor(pg_engine, LATER.isoformat())
    assert seen["dead notifications"][0] == 2
    assert seen["due and not yet sent (dispatch lag)"][0] == 4
    lag, since = seen["sweep lag: open assignments whose notice day has passed"]
    assert lag > 0 and since.startswith("2027-01-2"), seen

    sweeps.sweep(pg_engine, now=LATER, calendar=CALENDAR)
    dispatch.dispatch(pg_engine, RecordingNotifier(), Renderer, now=LATER, worker_id="m")
    after = _monitor(pg_engine, LATER.isoformat())
    assert after["due and not yet sent (dispatch lag)"][0] == 0
    assert after["sweep lag: open assignments whose notice day has passed"][0] == 0
    assert _monitor(pg_engine, "2027-01-18 09:00+07")["dead notifications"][0] == 2
