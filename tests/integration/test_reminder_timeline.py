"""Time travel over a whole cycle across Tết 2027: the exact notices each agency receives.

Sweep and dispatch run at 09:00 on every calendar day from the cycle start (Mon 18/01/2027) to
31/03/2027 — weekends and the Tết days off (Thu 4/2 – Wed 10/2) included, and they must produce
nothing. Lifecycle events happen at 10:00, after that day's run. The expected set below is worked
out by hand from the working-day calendar (see tests/reminder_world.py for the plan):

- PLAN (NN, due Fri 29/1) is completed on time on Wed 27/1;
- SURVEY of XA-A (due 19/2) is completed late on 24/2 (overdue and escalated that morning);
- SURVEY of XA-B (due 19/2) is extended on 15/2 to Fri 5/3 and completed on 3/3;
- REPORT of XA-A (due 26/2) is completed on 22/2, REPORT of XA-B on 25/2;
- MODEL (NN, due Fri 12/2, the day after Tết's last working-day gap) stays overdue, is escalated
  to the leader (level 1, 17/2) and the coordinator (level 2, 22/2), and is completed on 3/3.

XA-A is in digest mode: its two notices of 18/1 and of 19/2 arrive as one message each.

Besides the sweep's notices, the use cases write event notices, sent by the next morning's
dispatch: each completion tells the plan's coordinator (VP, not in digest mode) with a
``completed`` notice, and the approved extension tells its lead (XA-B) with ``extension_decided``.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine

from agencyflow.domain.calendar import local_date
from agencyflow.notifications import RecordingNotifier, Renderer
from agencyflow.services.delivery import dispatch
from agencyflow.services.reminders import sweeps
from tests.reminder_world import (
    CALENDAR,
    MODEL_ID,
    PLAN_ID,
    REPORT_A,
    REPORT_B,
    SURVEY_A,
    SURVEY_B,
    complete,
    extend,
    notifications,
    start,
    vn,
)

D = date
EXPECTED = {
    # NN: its two assignments
    ("NN", "opened", PLAN_ID, D(2027, 1, 18)), ("NN", "opened", MODEL_ID, D(2027, 1, 18)),
    ("NN", "reminder", PLAN_ID, D(2027, 1, 22)), ("NN", "reminder", PLAN_ID, D(2027, 1, 27)),
    ("NN", "reminder", MODEL_ID, D(2027, 1, 29)), ("NN", "reminder", MODEL_ID, D(2027, 2, 3)),
    ("NN", "due_today", MODEL_ID, D(2027, 2, 12)),
    ("NN", "overdue", MODEL_ID, D(2027, 2, 17)), ("NN", "overdue", MODEL_ID, D(2027, 2, 22)),
    ("NN", "overdue", MODEL_ID, D(2027, 2, 25)), ("NN", "overdue", MODEL_ID, D(2027, 3, 2)),
    # escalations: the leader (level 1), the coordinator's office (level 2)
    ("LANH-DAO", "escalation", MODEL_ID, D(2027, 2, 17)),
    ("LANH-DAO", "escalation", SURVEY_A, D(2027, 2, 24)),
    ("VP", "escalation", MODEL_ID, D(2027, 2, 22)),
    # XA-A (digest mode)
    ("XA-A", "opened", SURVEY_A, D(2027, 1, 18)), ("XA-A", "opened", REPORT_A, D(2027, 1, 18)),
    ("XA-A", "reminder", SURVEY_A, D(2027, 2, 12)), ("XA-A", "reminder", SURVEY_A, D(2027, 2, 17)),
    ("XA-A", "due_today", SURVEY_A, D(2027, 2, 19)), ("XA-A", "reminder", REPORT_A, D(2027, 2, 19)),
    ("XA-A", "overdue", SURVEY_A, D(2027, 2, 24)),
    # XA-B: the extension moves SURVEY's reminders from 17/2 (gone) to 26/2 and 3/3
    ("XA-B", "opened", SURVEY_B, D(2027, 1, 18)), ("XA-B", "opened", REPORT_B, D(2027, 1, 18)),
    ("XA-B", "reminder", SURVEY_B, D(2027, 2, 12)),
    ("XA-B", "reminder", REPORT_B, D(2027, 2, 19)), ("XA-B", "reminder", REPORT_B, D(2027, 2, 24)),
    ("XA-B", "reminder", SURVEY_B, D(2027, 2, 26)), ("XA-B", "reminder", SURVEY_B, D(2027, 3, 3)),
    # event notices (written at 10:00 by the use case, sent by the next day's 09:00 dispatch):
    # the extension of SURVEY/XA-B approved on Mon 15/2 → its lead hears on Tue 16/2
    ("XA-B", "extension_decided", SURVEY_B, D(2027, 2, 16)),
    # every completion → the coordinator VP (it leads none of them), the day after:
    ("VP", "completed", PLAN_ID, D(2027, 1, 28)),  # PLAN done Wed 27/1
    ("VP", "completed", REPORT_A, D(2027, 2, 23)),  # REPORT/XA-A done Mon 22/2
    ("VP", "completed", SURVEY_A, D(2027, 2, 25)),  # SURVEY/XA-A done Wed 24/2
    ("VP", "completed", REPORT_B, D(2027, 2, 26)),  # REPORT/XA-B done Thu 25/2
    ("VP", "completed", SURVEY_B, D(2027, 3, 4)),  # SURVEY/XA-B done Wed 3/3
    ("VP", "completed", MODEL_ID, D(2027, 3, 4)),  # MODEL done Wed 3/3
}

#: Messages each tag receives (XA-A: two digests and three single notices; VP: one escalation
#: and six completions; XA-B: seven reminders and the extension decision).
MESSAGES = {"nn": 11, "lanh-dao": 2, "vp": 7, "xa-a": 5, "xa-b": 8}

EVENTS = {
    D(2027, 1, 27): [("complete", PLAN_ID)],
    D(2027, 2, 15): [("extend", SURVEY_B, D(2027, 3, 5))],
    D(2027, 2, 22): [("complete", REPORT_A)],
    D(2027, 2, 24): [("complete", SURVEY_A)],
    D(2027, 2, 25): [("complete", REPORT_B)],
    D(2027, 3, 3): [("complete", SURVEY_B), ("complete", MODEL_ID)],
}


def _act(engine: Engine, day: date) -> None:
    at = vn(day.year, day.month, day.day, 10)
    for event in EVENTS.get(day, []):
        if event[0] == "complete":
            complete(engine, event[1], at)
        else:
            extend(engine, event[1], event[2], at)


def _received(engine: Engine) -> set[tuple[str, str, int, date]]:
    """(recipient, kind, assignment, local day sent) of every delivered item, digests opened."""
    rows = notifications(engine)
    by_id = {r["id"]: r for r in rows}
    out = set()
    for row in rows:
        carrier = by_id[row["digest_id"]] if row["status"] == "digested" else row
        if row["kind"] == "digest" or carrier["status"] != "sent":
            continue
        sent_day = local_date(carrier["sent_at"])
        out.add((row["recipient_code"], row["kind"], row["assignment_id"], sent_day))
    return out


def test_a_whole_cycle_across_tet_sends_exactly_the_expected_notices(sqlite_engine) -> None:
    engine = sqlite_engine
    start(engine)
    notifier = RecordingNotifier()
    day, quiet_days = D(2027, 1, 18), []
    while day <= D(2027, 3, 31):
        now = vn(day.year, day.month, day.day)
        swept = sweeps.sweep(engine, now=now, calendar=CALENDAR)
        sent = dispatch.dispatch(engine, notifier, Renderer, now=now, worker_id="timeline")
        if not CALENDAR.is_working_day(day):
            assert not swept.in_office_hours and swept.written == 0, day
            quiet_days.append(day)
        assert sent.failed == sent.dead == 0, day
        _act(engine, day)
        day += timedelta(days=1)

    assert _received(engine) == EXPECTED
    per_tag: dict[str, int] = {}
    for tag, _message in notifier.sent:
        per_tag[tag] = per_tag.get(tag, 0) + 1
    assert per_tag == MESSAGES
    leftovers = notifications(engine, "status NOT IN ('sent', 'digested')")
    assert leftovers == []
    assert D(2027, 2, 4) in quiet_days and D(2027, 2, 10) in quiet_days  # Tết
