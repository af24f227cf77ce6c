"""``/targets`` and ``/notifications``: the plan's targets, the outbox and its retries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from agencyflow.domain.calendar import TIMEZONE, local_date
from agencyflow.domain.permissions import Action, require
from agencyflow.services import board, delivery
from agencyflow.web.api.deps import Context, CurrentActor, Reader, Writer
from agencyflow.web.api.problems import COMMON
from agencyflow.web.api.schemas import Schema, Strict

router = APIRouter(tags=["targets and notifications"], responses=COMMON)

NotificationStatus = Literal["pending", "sent", "failed", "dead", "superseded", "digested"]


class TargetPeriodPublic(Schema):
    """One target over one period: its value against its minimum."""

    model_config = {"json_schema_extra": {"examples": [{
        "target": "T-1", "title_vi": "Sản phẩm 3 sao", "title_en": None, "period": "2027",
        "from_year": 2027, "to_year": 2027, "value": 1, "min": 1, "stretch": 2,
        "status": "met", "stretch_reached": False}]}}
    target: str
    title_vi: str
    title_en: str | None
    period: str
    from_year: int
    to_year: int
    value: float
    min: float | None
    stretch: float | None
    status: str = Field(description="met, not_met (the period is over) or in_progress.")
    stretch_reached: bool | None


class TargetsPublic(Schema):
    """The targets of a plan as they stood on ``today``."""

    plan_key: str
    plan_version: int
    today: date
    periods: list[TargetPeriodPublic]


@router.get("/targets", response_model=TargetsPublic, summary="Targets of a plan")
def get_targets(session: Reader, actor: CurrentActor,
                plan: Annotated[str, Query(min_length=1, max_length=100)],
                year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                now: Annotated[date | None, Query(description="As of this day.")] = None
                ) -> TargetsPublic:
    """Each target's value per period from the outputs of completed assignments; with ``now``
    only what was completed by that day counts."""
    today = now or local_date(datetime.now(TIMEZONE))
    report = board.targets_report(session, plan, today=today, actor=actor, year=year)
    periods = [TargetPeriodPublic(
        target=r.target_id, title_vi=r.title.vi, title_en=r.title.en, period=r.period,
        from_year=r.from_year, to_year=r.to_year, value=r.value, min=r.min, stretch=r.stretch,
        status=r.status.value, stretch_reached=r.stretch_reached) for r in report.results]
    return TargetsPublic(plan_key=report.spec.key, plan_version=report.plan_version,
                         today=today, periods=periods)


class NotificationPublic(Schema):
    """A message in the outbox and how its delivery went."""

    id: int
    status: str
    kind: str
    recipient_code: str
    tag: str
    assignment_id: int | None
    scheduled_on: date | None
    level: int
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime


class NotificationList(Schema):
    """Notifications, newest first, and the number per status."""

    items: list[NotificationPublic]
    counts: dict[str, int]


class RetryIn(Strict):
    """Which notifications to queue again: ids, or every dead one."""

    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [{"all_dead": True}]}}
    ids: list[int] = Field(default_factory=list, max_length=1000)
    all_dead: bool = False


class Retried(Schema):
    """The notifications queued again."""

    queued: list[int]


@router.get("/notifications", response_model=NotificationList, summary="List notifications")
def list_notifications(session: Reader, actor: CurrentActor,
                       status: Annotated[NotificationStatus | None, Query()] = None,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> NotificationList:
    """Newest first, e.g. ``status=dead`` with their last error."""
    require(actor, Action.READ, target="notifications")
    rows = delivery.list_notifications(session, status=status, limit=limit)
    return NotificationList(items=[NotificationPublic.model_validate(n.model_dump())
                                   for n in rows], counts=delivery.counts(session))


@router.post("/notifications/retry", response_model=Retried,
             summary="Queue dead or failed notifications again (coordinator)")
def retry_notifications(body: RetryIn, session: Writer, ctx: Context, actor: CurrentActor
                        ) -> Retried:
    """The next dispatch sends them, with a fresh attempt budget."""
    queued = delivery.retry_as(session, actor, ids=body.ids or None, all_dead=body.all_dead,
                               now=ctx.now())
    session.commit()
    return Retried(queued=queued)
