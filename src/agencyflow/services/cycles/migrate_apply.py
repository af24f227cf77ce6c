"""What ``cycle migrate`` needs besides the plan: reading the target version, dating a change,
creating new assignments and the reasons it records (in the language of the context)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session

from agencyflow import plans as bundled
from agencyflow.domain.calendar import TIMEZONE, local_date
from agencyflow.domain.lifecycle import Status
from agencyflow.domain.migration import Cancel, Create, Update
from agencyflow.domain.permissions import Actor
from agencyflow.domain.plan_loader import LoadedPlan, load_plan_text
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.domain.plan_words import FIELD_NAMES
from agencyflow.i18n import _
from agencyflow.models import Assignment, Cycle
from agencyflow.services.audit import trail as audit
from agencyflow.services.plans import store as plans


def read_plan(ref: str) -> LoadedPlan:
    """The plan a migration moves to: a bundled amendment's, or a plan file / bundled plan."""
    if ref in bundled.amendment_names():
        return load_plan_text(*bundled.amendment_text(ref))
    return plans.read_source(ref)


def dated(at: datetime, opened_on: date | None, *, late: bool) -> datetime:
    """When a change to an assignment is dated: ``at``, or — for a ``late`` entry, which may
    not be dated before the assignment opened — the start of the day it opened, if later."""
    if not late or opened_on is None or local_date(at) >= opened_on:
        return at
    return datetime.combine(opened_on, time(0), TIMEZONE).astimezone(UTC)


@dataclass(frozen=True)
class Words:
    """The reasons a migration records, from version ``old`` to ``new`` effective ``day``."""

    old: int
    new: int
    day: date
    spec: PlanSpec | None

    def late_reason(self) -> str:
        """Why the changes are dated as they are (and the reason of the cycle's event)."""
        return _("cycle migrated from plan version {old} to {new}, effective {day}").format(
            old=self.old, new=self.new, day=f"{self.day:%d/%m/%Y}")

    def update(self, upd: Update) -> str:
        """Why one assignment changed: the successor map and/or the plan fields."""
        causes = [_("successor agencies") if c == "successor" else _(FIELD_NAMES.get(c, c))
                  for c in upd.why]
        return _("{base}: {causes}").format(base=self.late_reason(),
                                            causes=", ".join(causes) or _("plan changed"))

    def cancel(self, cancel: Cancel) -> str:
        """Why one assignment is withdrawn."""
        slot = cancel.slot
        if cancel.why == "step":
            text = _("step {step} is not in plan version {new}")
        elif cancel.why == "period":
            text = _("period {period} of step {step} is not in plan version {new}")
        else:
            text = _("{member} is not in the group of step {step} in plan version {new}, "
                     "and no successor of it is")
        return text.format(step=slot.step_id, period=slot.period, member=slot.member,
                           new=self.new)

    def create(self) -> str:
        """Why new assignments appear."""
        return _("new in plan version {new}, effective {day}").format(
            new=self.new, day=f"{self.day:%d/%m/%Y}")


def create(session: Session, cycle: Cycle, creates: Sequence[Create], *, spec: PlanSpec,
           actor: Actor, at: datetime, reason: str) -> list[Assignment]:
    """Insert the new assignments of ``spec``'s steps, one ``assignment.create`` event each."""
    rows = []
    for c in creates:
        step = spec.step(c.step_id)
        opened = None if c.waits else max(c.period.start, local_date(at))
        row = Assignment(
            cycle_id=cycle.id or 0, plan_key=cycle.plan_key, year=cycle.year, step_id=c.step_id,
            period=c.period.label, member=c.member, lead_code=c.lead,
            cooperating=list(c.cooperating), clauses=list(step.clauses), title_vi=step.title.vi,
            title_en=step.title.en, review=step.review, due_original=c.due, due_current=c.due,
            opened_on=opened, next_notice_on=opened,
            status=(Status.WAITING if c.waits else Status.OPEN).value)
        session.add(row)
        rows.append(row)
    session.flush()
    for row in rows:
        audit.record(session, now=at, actor=actor, action="assignment.create",
                     target_type="assignment", target_id=row.id or 0, reason=reason,
                     after={"step": row.step_id, "period": row.period, "member": row.member,
                            "lead_code": row.lead_code, "due_current": row.due_current,
                            "status": row.status})
    return rows
