"""The reminder sweep on real databases: idempotence, concurrency, office hours, digest flags,
extensions and reassignments (plan: tests/reminder_world.py)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import Engine, text

from agencyflow.services import sweeps
from agencyflow.services.bulk import insert_rows
from tests.reminder_world import (
    CALENDAR,
    MODEL_ID,
    SURVEY_B,
    extend,
    notifications,
    reassign,
    start,
    vn,
)

OPENING = vn(2027, 1, 18)


def _sweep(engine: Engine, now=OPENING, **kw):  # type: ignore[no-untyped-def]
    return sweeps.sweep(engine, now=now, calendar=CALENDAR, **kw)


def test_a_rerun_writes_nothing_even_when_the_clock_is_reset(engine: Engine) -> None:
    start(engine)
    first = _sweep(engine)
    assert first.written == 6 and first.by_kind == {"opened": 6}
    assert first.by_agency == {"NN": {"opened": 2}, "XA-A": {"opened": 2},
                               "XA-B": {"opened": 2}}

    again = _sweep(engine)
    assert (again.scanned, again.written) == (0, 0)
    with engine.begin() as conn:
        conn.execute(text("UPDATE assignment SET next_notice_on = :d, last_swept_on = NULL"),
                     {"d": date(2027, 1, 18)})
    reset = _sweep(engine)
    assert (reset.scanned, reset.written, reset.existing) == (6, 0, 6)
    assert len(notifications(engine)) == 6


def test_the_outbox_row_carries_recipient_tag_digest_and_render_context(engine: Engine) -> None:
    start(engine)
    _sweep(engine)
    rows = {r["key"]: r for r in notifications(engine)}
    survey_a = rows["a2:opened:2027-01-18"]
    assert (survey_a["recipient_code"], survey_a["tag"], survey_a["digest"]) == (
        "XA-A", "xa-a", True)
    assert rows["a3:opened:2027-01-18"]["digest"] is False  # XA-B opted out of digests
    ctx = survey_a["context"]
    assert ctx["recipient_name"] == "Xã An"
    assert ctx["plan"] == {"title": "Kế hoạch thử nghiệm qua Tết", "document_number": "7/KH-UBND",
                           "document_date": "2027-01-04", "authority": "UBND huyện Thử"}
    assert ctx["assignment"] | {"id": 0} == {
        "id": 0, "title": "Khảo sát sản phẩm", "step_id": "SURVEY", "clauses": ["Mục II.2"],
        "lead_code": "XA-A", "lead_name": "Xã An", "commune_name": "Xã An",
        "cooperating_names": ["Phòng Nông nghiệp"], "due": "2027-02-19",
        "original_due": "2027-02-19", "days_left": 19, "status": "open"}


@pytest.mark.parametrize("when", [vn(2027, 1, 18, 18), vn(2027, 1, 23), vn(2027, 2, 5)],
                         ids=["evening", "saturday", "tet"])
def test_outside_office_hours_nothing_is_written_and_the_next_window_is_given(
        engine: Engine, when) -> None:  # type: ignore[no-untyped-def]
    start(engine)
    result = _sweep(engine, now=when)
    assert not result.in_office_hours
    assert result.written == 0 and notifications(engine) == []
    expected = {vn(2027, 1, 18, 18): vn(2027, 1, 19, 7, 30),
                vn(2027, 1, 23): vn(2027, 1, 25, 7, 30),
                vn(2027, 2, 5): vn(2027, 2, 11, 7, 30)}[when]
    assert result.next_window == expected
    with engine.connect() as conn:  # the clock of every assignment is untouched
        assert conn.execute(text("SELECT count(*) FROM assignment WHERE last_swept_on IS NOT "
                                 "NULL")).scalar_one() == 0


def test_preview_computes_the_same_notices_and_writes_nothing(engine: Engine) -> None:
    start(engine)
    planned = sweeps.preview(engine, now=OPENING, calendar=CALENDAR)
    assert planned.written == 6 and notifications(engine) == []
    assert sorted(p.key for p in planned.planned) == sorted(
        f"a{i}:opened:2027-01-18" for i in range(1, 7))
    _sweep(engine)
    assert sweeps.preview(engine, now=OPENING, calendar=CALENDAR).written == 0


def test_shards_split_the_work_without_overlap(engine: Engine) -> None:
    start(engine)
    parts = [_sweep(engine, shard=(i, 3)) for i in range(3)]
    assert [p.written for p in parts] == [2, 2, 2]
    assert len({r["key"] for r in notifications(engine)}) == 6


def test_an_extension_supersedes_pending_notices_and_moves_the_next_ones(engine: Engine) -> None:
    start(engine)
    _sweep(engine)
    reminder = _sweep(engine, now=vn(2027, 2, 12))  # 5 working days before 19/2
    assert reminder.by_agency["XA-B"] == {"reminder": 1}
    extend(engine, SURVEY_B, date(2027, 3, 5), vn(2027, 2, 12, 10))

    statuses = {r["key"]: r["status"] for r in notifications(engine, f"assignment_id = {SURVEY_B}")}
    assert statuses["a3:reminder:before-5:2027-02-12"] == "superseded"
    assert statuses["a3:opened:2027-01-18"] == "pending"  # the opening notice stays valid
    assert statuses["a3:extension_decided:1"] == "pending"  # the lead hears of the decision
    for day in (15, 16, 17, 18, 19, 22, 23, 24, 25):
        _sweep(engine, now=vn(2027, 2, day))
    assert len(notifications(engine, f"assignment_id = {SURVEY_B}")) == 3  # nothing new
    _sweep(engine, now=vn(2027, 2, 26))
    keys = {r["key"] for r in notifications(engine, f"assignment_id = {SURVEY_B}")}
    assert keys == {"a3:opened:2027-01-18", "a3:reminder:before-5:2027-02-12",
                    "a3:extension_decided:1",
                    "a3:reminder:before-5:2027-02-26"}  # 5 working days before 5/3


def test_a_reassignment_redirects_pending_and_later_notices(engine: Engine) -> None:
    start(engine)
    _sweep(engine)
    reassign(engine, MODEL_ID, "VP", vn(2027, 1, 18, 10))
    [opened] = notifications(engine, f"assignment_id = {MODEL_ID}")
    assert (opened["recipient_code"], opened["tag"]) == ("VP", "vp")
    assert opened["context"]["recipient_name"] == "Văn phòng HĐND và UBND huyện"
    assert opened["context"]["assignment"]["lead_name"] == "Văn phòng HĐND và UBND huyện"
    later = _sweep(engine, now=vn(2027, 1, 29))  # 5 working days before 12/2
    assert later.by_agency == {"NN": {"due_today": 1}, "VP": {"reminder": 1}}  # PLAN stays


def _many(engine: Engine, cycle_id: int, count: int) -> None:
    """``count`` more open NN assignments (members M0…), due 26/2, all due a notice today."""
    cols = ("cycle_id", "plan_key", "year", "step_id", "period", "member", "lead_code",
            "cooperating", "clauses", "title_vi", "review", "due_original", "due_current",
            "opened_on", "status", "version", "next_notice_on")
    day, due = date(2027, 1, 18), date(2027, 2, 26)
    rows = [(cycle_id, "tet-ocop", 2027, "PLAN", "2027", f"M{i}", "NN", "[]", "[]", "Việc",
             False, due, due, day, "open", 1, day) for i in range(count)]
    with engine.begin() as conn:
        insert_rows(conn, "assignment", cols, rows)


@pytest.mark.postgres
def test_four_sweeps_at_once_create_each_notice_exactly_once(pg_engine: Engine) -> None:
    cycle_id = start(pg_engine)
    _many(pg_engine, cycle_id, 3000)
    barrier = threading.Barrier(4)
    results: list[sweeps.SweepResult] = []

    def run() -> None:
        barrier.wait()
        results.append(_sweep(pg_engine, batch_size=250))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with pg_engine.connect() as conn:
        total, distinct = conn.execute(text(
            "SELECT count(*), count(DISTINCT key) FROM notification")).one()
    assert total == distinct == 3006
    assert sum(r.written for r in results) == 3006  # each notice counted by its one writer
