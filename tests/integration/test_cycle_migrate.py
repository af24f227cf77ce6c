"""A 2025 cycle of the bundled Kim Thành plan running across 1 July 2025, migrated to the bundled
amendment with its successor map, on SQLite and PostgreSQL.

Before the date: NN-3 and TT-PHU-THAI's XA-1 are done, KTHT-6 was reassigned by hand to TNMT,
XA-KIM-ANH's XA-5 got an extension, NN has an officer, a sweep wrote notices. The migration is
run first dry, then applied; the test checks the dry run equals what was applied, that finished
work is untouched, open work went to the successors (by step for KTHT-7, per commune for XA-*),
notices were readdressed, the board on both sides of the date, and the audit chain.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from agencyflow import plans as bundled
from agencyflow.db import session_scope
from agencyflow.domain.calendar import TIMEZONE, default_calendar
from agencyflow.domain.permissions import Actor, Role
from agencyflow.errors import PermissionDenied, ValidationError
from agencyflow.models import Assignment, AuditEvent, Cycle, Notification, User
from agencyflow.services import cycles
from agencyflow.services.assignments import extensions
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.audit import trail as audit
from agencyflow.services.board import listing as board
from agencyflow.services.board import targets
from agencyflow.services.cycles import migrate, migrate_report
from agencyflow.services.people import users
from agencyflow.services.plans import successors as succ
from agencyflow.services.reminders import sweeps
from tests.conftest import real_clock, vn

#: What the default language (Vietnamese) says is what these tests read.
pytestmark = pytest.mark.vietnamese


CALENDAR = default_calendar()
SYSTEM = Actor("system:test", Role.SYSTEM)
COORD = Actor("dieu.phoi", Role.COORDINATOR, "NN")
AMENDMENT = "kim-thanh-ocop-2025-07"
OLD_AGENCIES = {"NN", "KTHT", "TNMT", "UBND-HUYEN", "HOI-DONG"}


def _id(session: Session, step: str, member: str = "") -> int:
    return session.execute(select(col(Assignment.id)).where(
        col(Assignment.step_id) == step, col(Assignment.member) == member)).scalar_one()


def _row(session: Session, step: str, member: str = "") -> Assignment:
    found = session.get(Assignment, _id(session, step, member), populate_existing=True)
    assert found is not None
    return found


@pytest.fixture
def first_half(engine: Engine) -> Engine:
    """The cycle as it stood on 30 June 2025."""
    with session_scope(engine) as s:
        cycles.start_plan(s, plan="kim-thanh-ocop", year=2025, now=vn(2025, 1, 2),
                          actor=SYSTEM, calendar=CALENDAR, start_date=date(2025, 1, 2))
        users.add_user(s, username="dieu.phoi", role="coordinator", now=vn(2025, 1, 2),
                       actor=SYSTEM, agency_code="NN")
        users.add_user(s, username="can.bo.nn", role="officer", now=vn(2025, 1, 2),
                       actor=SYSTEM, agency_code="NN")
    with session_scope(engine) as s:
        assignments.complete(s, assignment_id=_id(s, "NN-3"), actor=SYSTEM, now=vn(2025, 2, 10),
                             calendar=CALENDAR, outputs={"decision_number": "12/QĐ-UBND",
                                                         "decision_date": "2025-02-07"})
        assignments.complete(s, assignment_id=_id(s, "XA-1", "TT-PHU-THAI"), actor=SYSTEM,
                             now=vn(2025, 3, 20), calendar=CALENDAR,
                             outputs={"steering_decision": "5/QĐ-UBND", "meetings": 3})
        extensions.reassign(s, assignment_id=_id(s, "KTHT-6"), actor=SYSTEM,
                            now=vn(2025, 4, 2), new_lead="TNMT", reason="Phân công lại")
        ext = extensions.request_extension(s, assignment_id=_id(s, "XA-5", "XA-KIM-ANH"),
                                           actor=SYSTEM, now=vn(2025, 5, 5),
                                           new_due=date(2025, 10, 15), reason="Chờ quy hoạch")
        extensions.decide_extension(s, extension_id=ext.id or 0, actor=COORD,
                                    now=vn(2025, 5, 6), approve=True)
    sweeps.sweep(engine, now=vn(2025, 6, 30, 8), calendar=CALENDAR)
    return engine


def _migrate(engine: Engine, *, dry_run: bool) -> list[str]:
    with session_scope(engine) as s:
        report = migrate.migrate(s, cycle_id=1, to=AMENDMENT, now=vn(2025, 7, 1, 8),
                                 actor=COORD, calendar=CALENDAR,
                                 succession=succ.read_map(AMENDMENT), dry_run=dry_run)
        return migrate_report.lines(report)


def _events(engine: Engine) -> int:
    with Session(engine) as s:
        return s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def test_the_dry_run_is_what_is_applied(first_half: Engine) -> None:
    events = _events(first_half)
    dry = _migrate(first_half, dry_run=True)
    assert _events(first_half) == events  # nothing saved
    with Session(first_half) as s:
        assert s.get(Cycle, 1).plan_version == 1  # type: ignore[union-attr]
    applied = _migrate(first_half, dry_run=False)
    assert dry[0].startswith("DRY RUN") or dry[0] != applied[0]
    assert dry[1:] == applied[1:]
    assert len(applied) > 50 and _events(first_half) > events + 50


def test_finished_work_stays_open_work_goes_to_the_successors(first_half: Engine) -> None:
    _migrate(first_half, dry_run=False)
    with Session(first_half) as s:
        done = _row(s, "NN-3")
        assert (done.status, done.lead_code, done.version) == ("done", "NN", 2)
        commune_done = _row(s, "XA-1", "TT-PHU-THAI")
        assert (commune_done.status, commune_done.lead_code) == ("done", "TT-PHU-THAI")
        assert _row(s, "NN-2").lead_code == "SO-NNMT"
        assert _row(s, "KTHT-7").lead_code == "SO-KHCN"  # the per-step rule
        assert _row(s, "KTHT-1").lead_code == "SO-CT"
        assert _row(s, "KTHT-6").lead_code == "SO-NNMT"  # reassigned to TNMT, TNMT's successor
        xuyen = _row(s, "XA-1", "XA-KIM-XUYEN")
        assert (xuyen.lead_code, xuyen.member, xuyen.status) == ("XA-PHU-THAI", "XA-KIM-XUYEN",
                                                                 "open")
        assert _row(s, "XA-2", "XA-NGU-PHUC").lead_code == "XA-AN-THANH"
        assert _row(s, "XA-2", "XA-TUAN-VIET").lead_code == "XA-LAI-KHE"
        zoning = _row(s, "XA-5", "XA-KIM-ANH")  # extended to 15/10; the plan now says 31/10
        assert (zoning.due_original, zoning.due_current) == (date(2025, 10, 31),
                                                             date(2025, 10, 31))
        assert _row(s, "XA-5", "XA-TAM-KY").due_current == date(2025, 10, 31)
        coop = _row(s, "NN-2").cooperating
        assert not set(coop) & OLD_AGENCIES and "SO-NNMT" not in coop and "SO-CT" in coop
        count = s.execute(select(func.count()).select_from(Assignment)).scalar_one()
        assert count == s.get(Cycle, 1).assignment_count  # type: ignore[union-attr]
        cycle = s.get(Cycle, 1)
        assert cycle is not None and cycle.plan_version == 2
        event = s.execute(select(AuditEvent).where(col(AuditEvent.action) == "cycle.migrate")
                          ).scalar_one()
        assert event.before is not None and event.before["version"] == 1
        officer = s.execute(select(User).where(col(User.username) == "can.bo.nn")).scalar_one()
        assert officer.agency_code == "SO-NNMT"
        assert audit.verify(s) > 0


def test_unsent_notices_follow_the_successors(first_half: Engine) -> None:
    with Session(first_half) as s:
        pending = s.execute(select(Notification).where(
            col(Notification.status) == "pending")).scalars().all()
        assert {n.recipient_code for n in pending} & OLD_AGENCIES  # there is something to move
    _migrate(first_half, dry_run=False)
    with Session(first_half) as s:
        rows = s.execute(select(Notification).where(
            col(Notification.status).in_(("pending", "failed")))).scalars().all()
        old_communes = {"XA-KIM-XUYEN", "XA-TAM-KY", "TT-PHU-THAI", "XA-LAI-VU"}
        assert rows and not {n.recipient_code for n in rows} & (OLD_AGENCIES | old_communes)


def test_the_board_is_right_on_both_sides_of_the_date(first_half: Engine) -> None:
    _migrate(first_half, dry_run=False)
    with Session(first_half) as s:
        ids = {k: _id(s, *k) for k in [("NN-2",), ("KTHT-7",), ("XA-1", "XA-KIM-XUYEN"),
                                        ("NN-3",), ("XA-5", "XA-KIM-ANH")]}
        flt = board.BoardFilter(cycle_id=1)
        before = board.board(s, flt, today=date(2025, 6, 30), calendar=CALENDAR,
                             known_at=vn(2025, 6, 30, 17))
        after = board.board(s, flt, today=date(2025, 7, 2), calendar=CALENDAR,
                            known_at=vn(2025, 7, 2, 9))
    old = {r["id"]: r for r in before.rows}
    new = {r["id"]: r for r in after.rows}
    assert [old[ids[k]]["lead_code"] for k in ids] == [
        "NN", "KTHT", "XA-KIM-XUYEN", "NN", "XA-KIM-ANH"]
    assert [new[ids[k]]["lead_code"] for k in ids] == [
        "SO-NNMT", "SO-KHCN", "XA-PHU-THAI", "NN", "XA-PHU-THAI"]
    assert old[ids[("XA-1", "XA-KIM-XUYEN")]]["board_status"] == "overdue"
    assert new[ids[("XA-1", "XA-KIM-XUYEN")]]["board_status"] == "overdue"
    assert old[ids[("NN-3",)]]["board_status"] == new[ids[("NN-3",)]]["board_status"]
    assert old[ids[("XA-5", "XA-KIM-ANH")]]["due_current"] == date(2025, 10, 15)
    assert new[ids[("XA-5", "XA-KIM-ANH")]]["due_current"] == date(2025, 10, 31)


def test_run_later_it_is_a_late_entry_dated_on_the_effective_day(first_half: Engine) -> None:
    """A site running the migration today (real clock) for 1 July 2025: every change is a
    coordinator's late entry claiming the start of that day; an officer may not backdate it.
    "As of" is what was known (services.board.asof): the board of 2 July 2025 still shows the
    old lead — nobody knew of the change then — and from the moment it was recorded the new."""
    real = real_clock(first_half)
    now = datetime.now(UTC)
    officer = Actor("can.bo.nn", Role.OFFICER, "NN")
    with pytest.raises(PermissionDenied), session_scope(real) as s:
        migrate.migrate(s, cycle_id=1, to=AMENDMENT, now=now, actor=officer, calendar=CALENDAR,
                        succession=succ.read_map(AMENDMENT))
    with session_scope(real) as s:
        migrate.migrate(s, cycle_id=1, to=AMENDMENT, now=now, actor=COORD, calendar=CALENDAR,
                        succession=succ.read_map(AMENDMENT))
    with Session(real) as s:
        moved = s.execute(select(AuditEvent).where(
            col(AuditEvent.action) == "assignment.migrate")).scalars().all()
        assert moved and {e.claim for e in moved} == {"late"}
        effective = datetime(2025, 6, 30, 17, tzinfo=UTC)  # 01/07/2025 00:00 in Vietnam
        nn2 = _id(s, "NN-2")
        for e in moved:  # the effective day, or the day a later-opening assignment opens
            opened = s.get(Assignment, int(e.target_id)).opened_on  # type: ignore[union-attr]
            later = datetime.combine(opened, time(0), TIMEZONE) if opened else effective
            assert e.at == max(effective, later), e
        flt = board.BoardFilter(cycle_id=1)
        before = board.board(s, flt, today=date(2025, 6, 30), calendar=CALENDAR,
                             known_at=vn(2025, 6, 30, 17))
        then = board.board(s, flt, today=date(2025, 7, 2), calendar=CALENDAR,
                           known_at=vn(2025, 7, 2, 9))
        known = board.board(s, flt, today=date(2025, 7, 2), calendar=CALENDAR,
                            known_at=datetime.now(UTC))
        assert audit.verify(s) > 0
    assert {r["id"]: r["lead_code"] for r in before.rows}[nn2] == "NN"
    assert {r["id"]: r["lead_code"] for r in then.rows}[nn2] == "NN"
    assert {r["id"]: r["lead_code"] for r in known.rows}[nn2] == "SO-NNMT"


def test_an_effective_date_after_today_is_refused(first_half: Engine) -> None:
    with pytest.raises(ValidationError, match="01/07/2025"), session_scope(first_half) as s:
        migrate.migrate(s, cycle_id=1, to=AMENDMENT, now=vn(2025, 6, 20), actor=COORD,
                        calendar=CALENDAR, succession=succ.read_map(AMENDMENT))


def _rate(engine: Engine, assignment_id: int, product: str, when: datetime) -> None:
    with session_scope(engine) as s:
        assignments.submit(s, assignment_id=assignment_id, actor=SYSTEM, now=when,
                           calendar=CALENDAR, outputs={"products": [
                               {"product": product, "producer": "HTX " + product,
                                "producer_type": "cooperative", "score": 75,
                                "level": "province"}]})
        assignments.approve(s, assignment_id=assignment_id, actor=COORD, now=when,
                            calendar=CALENDAR)


def _t4_2025(engine: Engine) -> float:
    with Session(engine) as s:
        found = targets.report(s, "kim-thanh-ocop", today=date(2025, 12, 31), actor=COORD,
                               year=2025)
    [t4] = [r for r in found.results if r.target_id == "T-4"]
    return t4.value


def test_targets_carry_over(first_half: Engine) -> None:
    """A product rated before the date still counts after it; one rated by a new commune
    after it counts too."""
    with session_scope(first_half) as s:
        council = _id(s, "NN-4")
        assignments.submit(s, assignment_id=council, actor=SYSTEM, now=vn(2025, 5, 20),
                           calendar=CALENDAR, outputs={"decision_number": "30/QĐ-UBND",
                                                       "decision_date": "2025-05-19",
                                                       "members": 7})
        assignments.approve(s, assignment_id=council, actor=COORD, now=vn(2025, 5, 21),
                            calendar=CALENDAR)
        before_date, after_date = _id(s, "XA-4", "XA-KIM-TAN"), _id(s, "XA-4", "XA-KIM-XUYEN")
    _rate(first_half, before_date, "Vải thiều Kim Tân", vn(2025, 6, 25))
    assert _t4_2025(first_half) == 1
    _migrate(first_half, dry_run=False)
    assert _t4_2025(first_half) == 1
    with Session(first_half) as s:
        assert _row(s, "XA-4", "XA-KIM-XUYEN").lead_code == "XA-PHU-THAI"
    _rate(first_half, after_date, "Rượu Phú Thái", vn(2025, 8, 20))
    assert _t4_2025(first_half) == 2


def _without(text: str, *steps: str) -> str:
    for step in steps:
        text = re.sub(rf"(?ms)^  - id: {re.escape(step)}\n.*?(?=^  - id: |^targets:)", "", text)
        text = re.sub(rf"(?m)^  {re.escape(step)}: {{label: .*\n", "", text)
    return text


def test_a_removed_step_cancels_open_work_and_keeps_done_work_readable(
        first_half: Engine, tmp_path: Path) -> None:
    plan = tmp_path / "kim-thanh-2025-07-trimmed.yaml"
    plan.write_text(_without(bundled.amendment_text(AMENDMENT)[0], "NN-3", "KTHT-7"),
                    encoding="utf-8")
    with session_scope(first_half) as s:
        report = migrate.migrate(s, cycle_id=1, to=str(plan), now=vn(2025, 7, 1, 8),
                                 actor=COORD, calendar=CALENDAR,
                                 succession=succ.read_map(AMENDMENT))
        assert [c.slot.step_id for c in report.plan.cancels] == ["KTHT-7"]
    with Session(first_half) as s:
        ip = _row(s, "KTHT-7")
        assert ip.status == "cancelled"
        [event] = [e for e in audit.log(s, assignment_id=ip.id) if e.action.endswith("cancel")]
        assert event.reason == "nhiệm vụ KTHT-7 không còn trong phiên bản kế hoạch 2"
        shown = assignments.show(s, _id(s, "NN-3"), COORD, now=vn(2025, 7, 2),
                                 calendar=CALENDAR)
        assert shown["assignment"]["status"] == "done"
