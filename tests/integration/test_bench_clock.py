"""The benchmark keeps the product's clock rule (GUIDE, "Habits"): what its set-up writes is
recorded at the real time and claims nothing — no simulated clock, no backdating — while the
sweep and the dispatch it measures are asked about a moment of the benchmark's year, as
``agencyflow sweep --now`` would be. Checked on the small outbox of ``bench/dispatch_e2e``
(plan stored, cycle started, swept) and on the SQLite cycle-start scenario."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import dispatch_e2e, scenarios


def _events(db: Path) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT action, at, recorded_at, claim FROM audit_event ORDER BY seq").fetchall()


def _assert_real(events: list[tuple[str, str, str, str | None]], before: datetime,
                 actions: set[str]) -> None:
    after = datetime.now(UTC) + timedelta(seconds=1)
    assert actions <= {action for action, *_ in events}
    for action, at, recorded_at, claim in events:
        assert claim is None, (action, claim)
        for moment in (at, recorded_at):
            when = datetime.fromisoformat(moment).replace(tzinfo=UTC)
            assert before - timedelta(seconds=1) <= when <= after, (action, moment)


def test_dispatch_outbox_is_recorded_at_the_real_time(tmp_path: Path) -> None:
    before = datetime.now(UTC)
    written = dispatch_e2e.build(tmp_path / "outbox.db", 40)
    assert written == 40
    _assert_real(_events(tmp_path / "outbox.db"), before, {"plan.load", "cycle.start"})
    with sqlite3.connect(tmp_path / "outbox.db") as conn:  # the sweep decided at its `now`
        assert conn.execute("SELECT MIN(created_at) FROM notification").fetchone()[0] \
            .startswith("2027-01-18 02:00")


def test_sqlite_cycle_start_scenario_is_recorded_at_the_real_time(tmp_path: Path) -> None:
    db = str(tmp_path / "bench.db")
    before = datetime.now(UTC)
    scenarios.prepare(db, "30", "4")
    assert scenarios.cycle_start(db)["rows"] == 120
    _assert_real(_events(Path(db)), before, {"plan.load", "cycle.start"})
