"""``cycle migrate``: move a running cycle to a new plan version (and to successor agencies).

One transaction. What changes is planned purely (:mod:`agencyflow.domain.migration`), then
applied here: every updated assignment gets one ``assignment.migrate`` audit event (before/after
of the fields it changed) and its reminders follow (:mod:`agencyflow.services.reminders.hooks`:
undelivered notices of a new lead are readdressed, those of a moved due date superseded);
withdrawn work is cancelled through the ``cancel`` use case (reason, pending extensions
withdrawn); new slots are created with an ``assignment.create`` event; with a successor map the
undelivered notices to old agencies are redirected and their users carried
(:mod:`agencyflow.services.plans.successors`), and the plan's registered OCOP products of old
communes are moved to their successor communes (those of a commune split without a rule for it
are listed for a decision); waiting assignments whose prerequisites are now
finished open. The cycle then points at the new version (``cycle.migrate`` event: the old
version and hash are its ``before``; history keeps them).

**When.** Every change is dated at the start of the effective day (Vietnam time) — or at ``now``
when that is today — so that the history says who led from when. (The board "as of" a moment
shows what was known then, :mod:`agencyflow.services.board.asof`: a migration run on the day
switches the board at the date; a late one from the moment it is recorded.) A date in the past
is a late entry (a coordinator's, with the migration as its reason; an assignment opening after
the effective day is changed as of the day it opens: a late entry is never dated before its
assignment opened); an effective date after today is refused: run the migration on or after it.

**Dry run.** Everything is done, reported and rolled back: what the dry run prints is what the
same migration applied prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.calendar import TIMEZONE, check_in_calendar, local_date
from agencyflow.domain.clock import TOLERANCE
from agencyflow.domain.deadlines import DayCounter
from agencyflow.domain.migration import MigrationPlan, Slot, plan_migration
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.successors import LoadedMap, SuccessorMap
from agencyflow.errors import NotFound, ValidationError
from agencyflow.i18n import _
from agencyflow.models import Assignment, Cycle, PlanVersion
from agencyflow.services import clock
from agencyflow.services.assignments import core, dependents
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.audit import trail as audit
from agencyflow.services.cycles import migrate_apply as apply
from agencyflow.services.plans import store as plans
from agencyflow.services.plans import successors as succ
from agencyflow.services.reminders import hooks as reminder_hooks


@dataclass
class MigrationReport:
    """What a migration did (or, dry, would do)."""

    cycle: Cycle
    old: PlanVersion
    new: PlanVersion
    effective: date
    plan: MigrationPlan
    dry_run: bool
    succession: LoadedMap | None = None
    superseded: int = 0
    redirected: int = 0
    opened: list[int] = field(default_factory=list)
    users: list[tuple[str, str, str]] = field(default_factory=list)
    products: list[succ.ProductMove] = field(default_factory=list)


def _version(session: Session, cycle: Cycle, to: str, *, now: datetime, actor: Actor
             ) -> PlanVersion:
    """The version ``to`` names: a stored version number of the cycle's plan, else a plan
    file or bundled amendment (stored first if new)."""
    if to.strip().isdigit():
        row = session.execute(select(PlanVersion).where(
            col(PlanVersion.key) == cycle.plan_key,
            col(PlanVersion.version) == int(to))).scalar_one_or_none()
        if row is None:
            raise NotFound(_("plan {plan} has no stored version {version}").format(
                plan=cycle.plan_key, version=to))
        return row
    version, _created = plans.store(session, apply.read_plan(to), now=now, actor=actor)
    if version.key != cycle.plan_key:
        raise ValidationError(_("{ref} is plan {key}; cycle {id} runs plan {plan}").format(
            ref=to, key=version.key, id=cycle.id, plan=cycle.plan_key))
    return version


def _moment(day: date, now: datetime) -> datetime:
    """When the changes are dated: ``now`` on the effective day itself, else its start."""
    today = local_date(now)
    if day > today:
        raise ValidationError(_("the effective date {day} is after today ({today}): run the "
                                "migration on or after it").format(
            day=f"{day:%d/%m/%Y}", today=f"{today:%d/%m/%Y}"))
    return now if day == today else datetime.combine(day, time(0), TIMEZONE).astimezone(UTC)


def _slots(session: Session, cycle_id: int) -> list[Slot]:
    rows = session.execute(select(Assignment).where(col(Assignment.cycle_id) == cycle_id)
                           .order_by(col(Assignment.id))).scalars().all()
    return [Slot(a.id or 0, a.step_id, a.period, a.member, a.lead_code, tuple(a.cooperating),
                 a.status, a.due_original, a.due_current, a.opened_on, a.title_vi, a.title_en,
                 a.review, tuple(a.clauses)) for a in rows]


def _once_done_elsewhere(session: Session, cycle: Cycle) -> set[str]:
    stmt = (select(col(Assignment.step_id)).join(Cycle, col(Cycle.id) == col(Assignment.cycle_id))
            .where(col(Cycle.plan_key) == cycle.plan_key, col(Cycle.id) != cycle.id))
    return set(session.execute(stmt.distinct()).scalars())


def _late_clock(session: Session, at: datetime, now: datetime, reason: str) -> bool:
    """A past date is a late entry whose reason is the migration (a simulated clock claims
    any time already); return whether it is one."""
    base = clock.of(session)
    late = abs(at - now) > TOLERANCE and not base.simulated
    if late:
        clock.use(session, replace(base, late_reason=reason))
    return late


def migrate(session: Session, *, cycle_id: int, to: str, now: datetime, actor: Actor,
            calendar: DayCounter, effective: date | None = None,
            succession: LoadedMap | None = None, dry_run: bool = False) -> MigrationReport:
    """Move cycle ``cycle_id`` to the plan version ``to`` (see the module docstring)."""
    require(actor, Action.CYCLE_MIGRATE, target=_("cycle {id}").format(id=cycle_id))
    cycle = session.get(Cycle, cycle_id) if 0 < cycle_id < 2**63 else None
    if cycle is None:
        raise NotFound(_("cycle {id} does not exist").format(id=cycle_id))
    old = plans.by_id(session, cycle.plan_version_id)
    new = _version(session, cycle, to, now=now, actor=actor)
    new_spec = plans.spec_of(new)
    if succession is not None:
        succ.check_codes(succession.succession, new_spec, succession.source)
    if new.id == old.id and succession is None:
        raise ValidationError(_("cycle {id} already runs version {version} of plan {plan}: "
                                "nothing to migrate").format(id=cycle.id, version=new.version,
                                                             plan=new.key))
    day = check_in_calendar(effective or (succession.succession.effective if succession
                                          else None) or local_date(now), _("the effective date"))
    at = _moment(day, now)
    plan = plan_migration(plans.spec_of(old), new_spec, _slots(session, cycle.id or 0),
                          year=cycle.year, start=cycle.start_date, calendar=calendar,
                          succession=succession.succession if succession else None,
                          once_done=_once_done_elsewhere(session, cycle))
    report = MigrationReport(cycle, old, new, day, plan, dry_run, succession)
    words = apply.Words(old.version, new.version, day, new_spec)
    late = _late_clock(session, at, now, words.late_reason())
    _apply(session, report, words, actor=actor, at=at, calendar=calendar, late=late)
    if dry_run:
        session.rollback()
    return report


def _apply(session: Session, report: MigrationReport, words: apply.Words, *, actor: Actor,
           at: datetime, calendar: DayCounter, late: bool) -> None:
    """Apply the plan in the caller's transaction (see the module docstring)."""
    cycle, plan = report.cycle, report.plan
    _updates(session, report, words, actor=actor, at=at, late=late)
    for cancel in plan.cancels:
        a = core.load(session, cancel.slot.id)
        assignments.cancel(session, assignment_id=a.id or 0, actor=actor,
                           now=apply.dated(at, a.opened_on, late=late), calendar=calendar,
                           reason=words.cancel(cancel))
        report.superseded += reminder_hooks.on_due_changed(session, a, at)
    apply.create(session, cycle, plan.creates, spec=plans.spec_of(report.new), actor=actor, at=at,
                 reason=words.create())
    if report.succession is not None:
        _succeed(session, report, report.succession.succession, words.late_reason(),
                 actor=actor, at=at)
    _point(session, report, actor=actor, at=at)
    report.opened = dependents.open_any_ready(session, cycle, actor=actor, now=at,
                                              calendar=calendar, why=words.late_reason())


def _succeed(session: Session, report: MigrationReport, succession: SuccessorMap, why: str, *,
             actor: Actor, at: datetime) -> None:
    """What the successor map moves besides assignments: notices, users, registered products."""
    report.redirected = succ.redirect_notices(session, succession,
                                              cycle_id=report.cycle.id or 0)
    report.users = succ.carry_users(session, succession, now=at, actor=actor, reason=why)
    report.products = succ.remap_products(session, succession, plans.spec_of(report.new),
                                          now=at, actor=actor, reason=why)


def _updates(session: Session, report: MigrationReport, words: apply.Words, *, actor: Actor,
             at: datetime, late: bool) -> None:
    """The updates in batches (one query to load, one audit head lock), then their reminders."""
    updates = report.plan.updates
    rows = core.load_many(session, [u.slot.id for u in updates])
    written = core.write_many(session, [(a, u.changes, None) for a, u in zip(rows, updates,
                                                                              strict=True)])
    whens = [apply.dated(at, a.opened_on, late=late) for a in rows]
    core.record_many(session, [
        core.Event(a, actor, when, "assignment.migrate", before, after, words.update(u))
        for a, u, when, (before, after) in zip(rows, updates, whens, written, strict=True)])
    for a, u, when in zip(rows, updates, whens, strict=True):
        if "lead_code" in u.changes:
            reminder_hooks.on_lead_changed(session, a, when, old_lead=u.slot.lead_code)
        if "due_current" in u.changes or "due_original" in u.changes:
            report.superseded += reminder_hooks.on_due_changed(session, a, when)


def _point(session: Session, report: MigrationReport, *, actor: Actor, at: datetime) -> None:
    """The cycle points at the new version; its event keeps the old one."""
    cycle, plan = report.cycle, report.plan
    before: dict[str, Any] = {"version": report.old.version, "hash": report.old.content_hash}
    cycle.plan_version_id, cycle.plan_version = report.new.id or 0, report.new.version
    cycle.plan_hash = report.new.content_hash
    cycle.assignment_count += len(plan.creates)
    session.add(cycle)
    session.flush()
    after = {"version": report.new.version, "hash": report.new.content_hash,
             "effective": report.effective, "updated": len(plan.updates),
             "cancelled": len(plan.cancels), "created": len(plan.creates), "kept": plan.kept,
             "successors": report.succession.source if report.succession else None}
    audit.record(session, now=at, actor=actor, action="cycle.migrate", target_type="cycle",
                 target_id=cycle.id or 0, before=before, after=after,
                 reason=apply.Words(report.old.version, report.new.version, report.effective,
                                    None).late_reason())

