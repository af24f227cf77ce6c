"""Products entering the registry, and reading it (rules in :mod:`agencyflow.domain.products`).

:func:`record_evaluation` runs in the transaction that makes an evaluation assignment done
(:mod:`agencyflow.services.assignments.moves`): every item of the plan's registry output with a
product and a producer becomes a certificate row — its commune the item's ``commune`` or the
assignment's member (or lead), its stars as recorded (or from the plan's bands), its decision
number and date the item's ``decision_number``/``decision_date`` (default: the completion day),
its criteria set the item's ``criteria`` or the plan's. A certificate already registered
(same product, producer and decision date) is kept as it is: approving twice adds nothing.
Each new row is an audit event ``product.record``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.calendar import local_date
from agencyflow.domain.ids import storable
from agencyflow.domain.permissions import Actor
from agencyflow.domain.plan_parts import RegistrySpec
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.domain.products import ProductStatus, expires_on, product_key, status_on, text_of
from agencyflow.domain.targets import CompletedOutputs
from agencyflow.errors import NotFound
from agencyflow.models import Assignment, Product
from agencyflow.services.audit import trail as audit

#: ``target_type`` of the registry's audit events.
TARGET = "product"


@dataclass(frozen=True)
class NewProduct:
    """One certificate to register (from an evaluation output or an import row)."""

    product: str
    producer: str
    commune: str
    decision_date: date
    criteria: str
    score: float | None = None
    stars: int | None = None
    level: str | None = None
    decision_number: str | None = None


def add(session: Session, spec: PlanSpec, new: NewProduct, *, source: str, actor: Actor,
        now: datetime, assignment_id: int | None = None) -> Product | None:
    """Register ``new`` under ``spec``'s registry; None when that certificate is registered."""
    registry = _registry(spec)
    key = product_key(new.product, new.producer)
    there = session.execute(select(col(Product.id)).where(
        col(Product.plan_key) == spec.key, col(Product.product_key) == key,
        col(Product.decision_date) == new.decision_date)).first()
    if there is not None:
        return None
    row = Product(plan_key=spec.key, product_key=key, product=new.product,
                  producer=new.producer, commune=new.commune, score=new.score, stars=new.stars,
                  level=new.level, decision_number=new.decision_number,
                  decision_date=new.decision_date, criteria=new.criteria,
                  expires_on=expires_on(new.decision_date, new.stars, registry), source=source,
                  assignment_id=assignment_id, recorded_at=now, recorded_by=actor.username)
    session.add(row)
    session.flush()
    audit.record(session, now=now, actor=actor, action="product.record", target_type=TARGET,
                 target_id=row.id or 0, after=_facts(row))
    return row


def record_evaluation(session: Session, a: Assignment, spec: PlanSpec, *, actor: Actor,
                      now: datetime) -> list[Product]:
    """Register the products rated in ``a``'s outputs (when ``a`` is a registry step's)."""
    registry = spec.registry
    if registry is None or a.step_id not in registry.steps:
        return []
    items = (a.outputs or {}).get(registry.output)
    found: list[Product] = []
    for item in items if isinstance(items, list) else []:
        new = (_from_item(item, a, spec, local_date(now), registry)
               if isinstance(item, Mapping) else None)
        if new is not None and (row := add(session, spec, new, source="evaluation",
                                           actor=actor, now=now, assignment_id=a.id)):
            found.append(row)
    return found


def _from_item(item: Mapping[str, Any], a: Assignment, spec: PlanSpec, today: date,
               registry: RegistrySpec) -> NewProduct | None:
    fields = dict(item)
    product, producer = text_of(fields, "product"), text_of(fields, "producer")
    if product is None or producer is None:
        return None
    score = fields.get("score") if isinstance(fields.get("score"), int | float) else None
    stars = fields.get("stars")
    if not isinstance(stars, int) or isinstance(stars, bool):
        stars = spec.stars_for(score) if score is not None else None
    decided = fields.get("decision_date")
    day = date.fromisoformat(decided) if isinstance(decided, str) else a.completed_on
    return NewProduct(product=product, producer=producer,
                      commune=text_of(fields, "commune") or a.member or a.lead_code,
                      decision_date=day or today, score=score, stars=stars,
                      criteria=text_of(fields, "criteria") or registry.criteria,
                      level=text_of(fields, "level"),
                      decision_number=text_of(fields, "decision_number"))


def _registry(spec: PlanSpec) -> RegistrySpec:
    if spec.registry is None:
        raise NotFound(f"plan {spec.key} keeps no product registry (it has no plan.registry)")
    return spec.registry


def _facts(row: Product) -> dict[str, Any]:
    return {k: getattr(row, k) for k in (
        "plan_key", "product", "producer", "commune", "score", "stars", "level",
        "decision_number", "decision_date", "criteria", "expires_on", "source",
        "assignment_id")}


def products(session: Session, plan_key: str) -> list[Product]:
    """Every certificate of the plan's registry, by product then decision date."""
    stmt = (select(Product).where(col(Product.plan_key) == plan_key)
            .order_by(col(Product.product_key), col(Product.decision_date), col(Product.id)))
    return list(session.execute(stmt).scalars())


def product(session: Session, product_id: int) -> Product:
    """The registry row ``product_id``, or NotFound."""
    row = session.get(Product, product_id) if storable(product_id) else None
    if row is None:
        raise NotFound(f"product {product_id} is not in the registry")
    return row


def status(row: Product, spec: PlanSpec, today: date) -> ProductStatus:
    """Where ``row`` stands on ``today``."""
    return status_on(today, row.decision_date, row.expires_on, _registry(spec))


def as_outputs(rows: list[Product], spec: PlanSpec) -> list[CompletedOutputs]:
    """The registry's certificates as target inputs: one item of the registry output each,
    valid from its decision date until its expiry."""
    registry = spec.registry
    if registry is None:
        return []
    return [CompletedOutputs(r.decision_date.year, registry.steps[0], {registry.output: [{
        "product": r.product, "producer": r.producer, "commune": r.commune, "score": r.score,
        "stars": r.stars, "level": r.level}]}, r.decision_date, r.decision_date, r.expires_on)
        for r in rows]
