"""Reading cycles: one by plan and year, or all of them (no plan parsing, cheap to import)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.ids import storable
from agencyflow.errors import NotFound
from agencyflow.models import Cycle


def find(session: Session, plan_key: str, year: int, *, missing_ok: bool = False
         ) -> Cycle | None:
    """The cycle of ``plan_key`` for ``year``; NotFound unless ``missing_ok``."""
    row = session.execute(
        select(Cycle).where(col(Cycle.plan_key) == plan_key, col(Cycle.year) == year)
    ).scalar_one_or_none() if storable(year) else None
    if row is None and not missing_ok:
        raise NotFound(
            f"no cycle {year} of plan {plan_key} (start it with `agencyflow cycle start`)")
    return row


def list_cycles(session: Session, plan_key: str | None = None) -> list[Cycle]:
    """Every cycle, newest year first, optionally of one plan."""
    stmt = select(Cycle).order_by(col(Cycle.plan_key), col(Cycle.year).desc())
    if plan_key:
        stmt = stmt.where(col(Cycle.plan_key) == plan_key)
    return list(session.execute(stmt).scalars())
