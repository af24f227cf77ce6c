"""The reminder sweep on real databases: idempotence, concurrency, office hours, digest flags,
extensions and reassignments (plan: tests/reminder_world.py)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import Engine, text

from agencyflow.domain import reminders
from agencyflow.services.bulk import insert_rows
from agencyflow.services.reminders import sweep_sql, sweeps
from agencyflow.services.reminders.notice_context import load_cycles
from agencyflow.services.reminders.policy import policy_for
from agencyflow.services.writes import write_transaction
from tests.reminder_world import (
    CALENDAR,
    MODEL_ID,
    SURVEY_B,
    extend,
    notifications,
    reassign,
    render_context,
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


def test_the_outbox_row_carries_recipient_tag_digest_and_its_own_facts(engine: Engine) -> None:
    """A sweep notice stores recipient, tag, digest flag, level and working days left; the
    dispatcher reads the rest of its render context from the assignment and the plan."""
    start(engine)
    _sweep(engine)
    rows = {r["key"]: r for r in notifications(engine)}
    survey_a = rows["a2:opened:2027-01-18"]
    assert (survey_a["recipient_code"], survey_a["tag"], survey_a["digest"]) == (
        "XA-A", "xa-a", True)
    assert rows["a3:opened:2027-01-18"]["digest"] is False  # XA-B opted out of digests
    assert (survey_a["context"], survey_a["days_left"], survey_a["level"]) == (None, 19, 0)
    ctx = render_context(engine, "a2:opened:2027-01-18")
    assert ctx["recipient_name"] == "Xã An"
    assert ctx["plan"] == {"key": "tet-ocop", "title": "Kế hoạch thử nghiệm qua Tết",
                           "document_number": "7/KH-UBND", "document_date": "2027-01-04",
                           "authority": "UBND huyện Thử"}
    assert ctx["assignment"] | {"id": 0} == {
        "id": 0, "title": "Khảo sát sản phẩm", "step_id": "SURVEY", "clauses": ["Mục II.2"],
        "clause_labels": ["Mục II.2"], "lead_code": "XA-A", "lead_name": "Xã An",
        "commune_code": "XA-A", "commune_name": "Xã An",
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
    context = render_context(engine, opened["key"])
    assert context["recipient_name"] == "Văn phòng HĐND và UBND huyện"
    assert context["assignment"]["lead_name"] == "Văn phòng HĐND và UBND huyện"
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


def _varied(engine: Engine, cycle_id: int, count: int) -> None:
    """``count`` more MODEL assignments led by NN or a commune, with dates that differ row to
    row: several open days, due dates around today (some overdue, one without a due date), some
    already swept; all of them looked at today."""
    cols = ("cycle_id", "plan_key", "year", "step_id", "period", "member", "lead_code",
            "cooperating", "clauses", "title_vi", "review", "due_original", "due_current",
            "opened_on", "status", "version", "next_notice_on", "last_swept_on")
    today = date(2027, 3, 10)
    rows = []
    for i in range(count):
        opened = date(2027, 1, 18 + i % 9)
        due = None if i % 17 == 0 else date(2027, 2, 15) + (today - date(2027, 2, 15)) * (
            i % 5) / 2
        swept = None if i % 3 else date(2027, 3, 1 + i % 7)
        lead = ("NN", "XA-A", "XA-B")[i % 3]
        rows.append((cycle_id, "tet-ocop", 2027, "MODEL", "2027", f"V{i}", lead, "[]", "[]",
                     "Việc", False, due, due, opened, "open", 1, today, swept))
    with engine.begin() as conn:
        insert_rows(conn, "assignment", cols, rows)


def _expected_keys(engine: Engine, now) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(key, recipient) of every notice due at ``now``, decided row by row by the domain."""
    with engine.connect() as conn:
        [info] = load_cycles(conn, "vi")
        rows = conn.execute(text(
            "SELECT id, step_id, lead_code, opened_on, due_current, last_swept_on "
            "FROM assignment WHERE next_notice_on <= :d AND status IN ('open', 'in_progress')"),
            {"d": now.date()}).all()
    expected = set()
    for id_, step, lead, opened, due, swept in rows:
        as_date = [v if v is None or isinstance(v, date) else date.fromisoformat(v)
                   for v in (opened, due, swept)]
        state = reminders.ReminderState(as_date[0], as_date[1], True, as_date[2])
        policy = policy_for(info.spec, info.plan_hash, step)
        for n in reminders.due_notices(state, policy, CALENDAR, now, info.hours):
            recipient = lead if n.recipient == reminders.LEAD else n.recipient
            expected.add((f"a{id_}:{n.kind.value}:{n.window}", recipient))
    return expected


@pytest.mark.parametrize("own_statement_rows", [1, 2, sweeps.OWN_STATEMENT_ROWS])
@pytest.mark.parametrize("batch_size", [1, 7, 10_000])
def test_the_set_based_sweep_writes_exactly_what_the_policy_gives_row_by_row(
        engine: Engine, batch_size: int, own_statement_rows: int) -> None:
    """Rows with differing dates share a window and one group spans several windows: the
    notices written are exactly those the domain policy decides for each row on its own, and
    every row's clock moves to the policy's next notice day. Whether a group is written with
    statements of its own (1: all of them; 2: some) or with the window's others changes
    nothing."""
    cycle_id = start(engine)
    _varied(engine, cycle_id, 60)
    now = vn(2027, 3, 10, 10)
    expected = _expected_keys(engine, now)
    assert len(expected) > 60 and {r for _, r in expected} >= {"NN", "XA-A", "LANH-DAO", "VP"}

    result = _sweep(engine, now=now, batch_size=batch_size,
                    own_statement_rows=own_statement_rows)
    written = {(r["key"], r["recipient_code"]) for r in notifications(engine)}
    assert written == expected and result.written == len(expected)
    assert sum(sum(k.values()) for k in result.by_agency.values()) == len(expected)
    by_row = {r["key"]: r for r in notifications(engine)}
    escalation = next(r for k, r in by_row.items() if ":escalation:" in k)
    assert (escalation["tag"], escalation["digest"], escalation["level"]) in {
        ("lanh-dao", False, 1), ("vp", False, 2)}

    with engine.connect() as conn:
        [info] = load_cycles(conn, "vi")
        clocks = conn.execute(text(
            "SELECT opened_on, due_current, next_notice_on, last_swept_on, step_id "
            "FROM assignment WHERE member LIKE 'V%'")).all()
    for opened, due, nxt, swept, step in clocks:
        opened, due, nxt, swept = (v if v is None or isinstance(v, date) else
                                   date.fromisoformat(v) for v in (opened, due, nxt, swept))
        assert swept == date(2027, 3, 10)
        state = reminders.ReminderState(opened, due, True, swept)
        assert nxt == reminders.next_notice_on(state, policy_for(info.spec, info.plan_hash, step),
                                               CALENDAR, swept)
    assert _sweep(engine, now=now, batch_size=batch_size).written == 0


@pytest.mark.parametrize("own_group", [True, False])
def test_a_row_changed_after_the_groups_were_read_is_left_for_the_next_sweep(
        engine: Engine, own_group: bool) -> None:
    """The concurrency guard: an assignment whose due date changes between the group query and
    the writes (an extension approved meanwhile) no longer matches its group, on either write
    path: it gets no notice and keeps its clock; the next sweep decides it from its new dates."""
    cycle_id = start(engine)
    now = vn(2027, 1, 18, 10)
    scope = sweep_sql.Scope((cycle_id,), now.date())
    with write_transaction(engine) as conn:
        [window] = sweep_sql.windows(conn, scope, 10_000)
        groups = sweep_sql.groups(conn, scope, window)
        survey = next(g for g in groups if g.step_id == "SURVEY" and g.rows == 2)
        changed = conn.execute(text(
            "SELECT min(id) FROM assignment WHERE step_id = 'SURVEY'")).scalar_one()
        conn.execute(text("UPDATE assignment SET due_current = :d WHERE id = :id"),
                     {"d": date(2027, 2, 26), "id": changed})
        with engine.connect() as probe:
            [info] = load_cycles(probe, "vi")
        decision = sweeps.decide(survey, info, now, CALENDAR)
        notices = [sweep_sql.PlannedNotice(n.kind.value, n.window, n.scheduled_on, None, None,
                                           None, n.level, n.days_left).as_json(survey.gk, i)
                   for i, n in enumerate(decision.notices)]
        new = sweep_sql.NewNotices()
        writer = sweep_sql.WindowWriter(conn, scope, window, new, lang="vi", stamp=now)
        group = survey if own_group else None
        writer.insert(notices, group)
        if group is None:
            writer.move([{"gk": survey.gk, "n": decision.following.isoformat()}])
        else:
            writer.move_group(group, decision.following)
        assert writer.finish() == len(notices)  # the other row only
    assert sum(new.counts(engine).values()) == len(notices)
    keys = {r["key"] for r in notifications(engine)}
    assert len(keys) == len(notices) and not any(k.startswith(f"a{changed}:") for k in keys)
    with engine.connect() as conn:
        swept = conn.execute(text("SELECT id, last_swept_on FROM assignment "
                                  "WHERE step_id = 'SURVEY' ORDER BY id")).all()
    assert [s is None for _, s in swept] == [True, False]
    assert _sweep(engine, now=now).written >= 1
    assert any(r["key"].startswith(f"a{changed}:") for r in notifications(engine))


def test_a_dry_run_lists_what_a_sweep_then_writes(engine: Engine) -> None:
    cycle_id = start(engine)
    _varied(engine, cycle_id, 30)
    now = vn(2027, 3, 10, 10)
    planned = sweeps.preview(engine, now=now, calendar=CALENDAR, batch_size=5)
    assert notifications(engine) == []
    _sweep(engine, now=now, batch_size=5)
    rows = notifications(engine)
    assert sorted((p.key, p.recipient_code, p.tag, p.digest, p.days_left, p.level)
                  for p in planned.planned) == sorted(
        (r["key"], r["recipient_code"], r["tag"], r["digest"], r["days_left"], r["level"])
        for r in rows)


def test_agency_batches_together_write_what_one_sweep_writes(engine: Engine) -> None:
    """The Prefect flow sweeps by batches of lead agencies (SQLite reads them through the
    (cycle, lead) index): the batches write exactly the notices of one whole sweep."""
    cycle_id = start(engine)
    _varied(engine, cycle_id, 45)
    now = vn(2027, 3, 10, 10)
    expected = _expected_keys(engine, now)
    parts = [_sweep(engine, now=now, batch_size=8, leads=leads)
             for leads in (["NN"], ["XA-A", "XA-B"], ["VP", "LANH-DAO"])]
    assert [p.written > 0 for p in parts] == [True, True, False]  # VP/LANH-DAO lead nothing
    written = {(r["key"], r["recipient_code"]) for r in notifications(engine)}
    assert written == expected and sum(p.written for p in parts) == len(expected)
    assert _sweep(engine, now=now).written == 0


def test_the_counts_of_new_notices_leave_out_rows_written_between_windows(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sweep counts its new notices in the database (SQLite: by the id ranges each window
    wrote under its lock). A notification someone else writes between two windows is not
    counted, however the ranges are cut into queries."""
    monkeypatch.setattr(sweep_sql.NewNotices, "RANGES_PER_QUERY", 1)
    cycle_id = start(engine)
    now = OPENING
    scope = sweep_sql.Scope((cycle_id,), now.date())
    with engine.connect() as conn:
        [info] = load_cycles(conn, "vi")
        windows = sweep_sql.windows(conn, scope, 2)
    new, written = sweep_sql.NewNotices(), 0
    for i, window in enumerate(windows):
        with write_transaction(engine) as conn:
            writer = sweep_sql.WindowWriter(conn, scope, window, new, lang="vi", stamp=now)
            for group in sweep_sql.groups(conn, scope, window):
                notices = [sweep_sql.PlannedNotice(n.kind.value, n.window, n.scheduled_on, None,
                                                   None, None, n.level, n.days_left
                                                   ).as_json(group.gk, j)
                           for j, n in enumerate(sweeps.decide(group, info, now,
                                                               CALENDAR).notices)]
                writer.insert(notices, group if i % 2 else None)
            written += writer.finish()
        with engine.begin() as conn:  # someone else's notice, between two windows
            conn.execute(text(
                "INSERT INTO notification (\"key\", kind, \"window\", recipient_code, tag, "
                "level, lang, digest, status, attempts, created_at, next_attempt_at) VALUES "
                "(:k, 'digest', 'w', 'OTHER', 'other', 0, 'vi', :f, 'pending', 0, :t, :t)"),
                {"k": f"other-{i}", "f": False, "t": now})
    assert len(windows) >= 3 and written == 6
    counts = new.counts(engine)
    assert counts == {("NN", "opened"): 2, ("XA-A", "opened"): 2, ("XA-B", "opened"): 2}
