"""Successor agencies in a running cycle: reading a map, its notices and its people.

The per-assignment part (leads and cooperating agencies) is planned by
:mod:`agencyflow.domain.migration` and applied by ``cycle migrate``; this module does what is
not one assignment's:

- :func:`read_map`: a successor map from a file or the name of a bundled amendment;
- :func:`check_codes`: every successor is an agency of the plan version the cycle moves to;
- :func:`redirect_notices`: notices of the cycle not delivered yet (pending or failed) that are
  addressed to an old agency go to its successor (recipient, tag, digest flag), so escalations
  to the old district, or completion notices to the old coordinator, reach who exists now;
- :func:`carry_users`: the users of an old agency whose entry says ``carry_users`` belong to its
  (first) successor from now on, each move an audit event;
- :func:`remap_products`: the plan's registered OCOP products of an old commune belong to its
  successor commune (so the sweep's re-evaluation of an expiring certificate is led by a
  commune that exists), each move a ``product.succession`` audit event; a commune split among
  several successors without a rule naming it is left as it is and listed for a decision.
  Re-evaluations already open are assignments and are re-led with the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow import plans as bundled
from agencyflow.domain.files import FileRefused, read_bounded
from agencyflow.domain.permissions import Actor
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.domain.successors import LoadedMap, SuccessorMap, load_successors_text
from agencyflow.errors import NotFound, PlanError, Problem, ValidationError
from agencyflow.i18n import _
from agencyflow.models import Agency, Notification, Product, User
from agencyflow.services.audit import trail as audit

#: Outbox statuses of notices that may still be sent.
UNDELIVERED = ("pending", "failed")
#: The largest successor map read (a national map is a few hundred kilobytes).
MAX_BYTES = 4 * 1024 * 1024


def read_map(ref: str) -> LoadedMap:
    """The successor map ``ref`` names: a YAML file, or a bundled amendment's map."""
    if ref in bundled.amendment_names():
        text, source = bundled.amendment_text(ref, successors=True)
        return load_successors_text(text, source)
    path = Path(ref)
    if not path.exists():
        raise NotFound(_("no successor map file or bundled amendment named '{ref}' (bundled: "
                         "{names})").format(ref=ref, names=", ".join(bundled.amendment_names())))
    try:
        data = read_bounded(path, MAX_BYTES)
    except FileRefused as exc:
        raise PlanError([Problem(ref, 1, 1, "<file>", str(exc))]) from None
    try:
        return load_successors_text(data.decode("utf-8-sig"), ref)
    except UnicodeDecodeError as exc:
        why = _("not UTF-8 text (byte {start})").format(start=exc.start)
        raise PlanError([Problem(ref, 1, 1, "<file>", why)]) from None


def check_codes(succession: SuccessorMap, spec: PlanSpec, source: str) -> None:
    """ValidationError unless the map is for ``spec``'s plan and names only its agencies."""
    if succession.plan != spec.key:
        raise ValidationError(_("successor map {source} is for plan {map_plan}, not {plan}")
                              .format(source=source, map_plan=succession.plan, plan=spec.key))
    known = {a.code for a in spec.agencies}
    missing = sorted(succession.new_codes() - known)
    if missing:
        raise ValidationError(
            _("successor map {source} names agencies that plan {plan} version has not: {codes}")
            .format(source=source, plan=spec.key, codes=", ".join(missing)))


def _agencies(session: Session, plan_key: str, codes: set[str]) -> dict[str, Agency]:
    rows = session.execute(select(Agency).where(col(Agency.plan_key) == plan_key,
                                                col(Agency.code).in_(codes))).scalars()
    return {a.code: a for a in rows}


def redirect_notices(session: Session, succession: SuccessorMap, *, cycle_id: int) -> int:
    """Readdress the cycle's undelivered notices to old agencies; return how many moved."""
    olds = {e.from_ for e in succession.map}
    rows = session.execute(select(Notification).where(
        col(Notification.cycle_id) == cycle_id, col(Notification.status).in_(UNDELIVERED),
        col(Notification.recipient_code).in_(olds))).scalars().all()
    news = _agencies(session, succession.plan, succession.new_codes())
    for row in rows:
        code = succession.successor(row.recipient_code) or row.recipient_code
        agency = news.get(code)
        row.recipient_code = code
        if agency is not None:
            row.tag = agency.tags[0] if agency.tags else agency.code.lower()
            row.digest = agency.digest
        session.add(row)
    session.flush()
    return len(rows)


def carry_users(session: Session, succession: SuccessorMap, *, now: datetime, actor: Actor,
                reason: str) -> list[tuple[str, str, str]]:
    """Move the users of old agencies marked ``carry_users``; return (user, old, new)."""
    moved = []
    for entry in succession.map:
        if not entry.carry_users:
            continue
        users = session.execute(select(User).where(col(User.agency_code) == entry.from_)
                                .order_by(col(User.username))).scalars().all()
        for user in users:
            new = entry.to[0]
            audit.record(session, now=now, actor=actor, action="user.succession",
                         target_type="user", target_id=user.username,
                         before={"agency_code": entry.from_}, after={"agency_code": new},
                         reason=reason)
            user.agency_code = new
            session.add(user)
            moved.append((user.username, entry.from_, new))
    session.flush()
    return moved


@dataclass(frozen=True)
class ProductMove:
    """A registered product of old commune ``old``: moved to ``new``, or (``new`` None) left
    for a decision among ``choices``."""

    id: int
    product: str
    producer: str
    old: str
    new: str | None
    choices: tuple[str, ...] = ()


def remap_products(session: Session, succession: SuccessorMap, spec: PlanSpec, *,
                   now: datetime, actor: Actor, reason: str) -> list[ProductMove]:
    """Move the plan's registered products of old communes to their successors (one audit
    append for all); return every product of an old commune, moved or left."""
    olds = {e.from_ for e in succession.map}
    rows = session.execute(select(Product).where(
        col(Product.plan_key) == spec.key, col(Product.commune).in_(olds))
        .order_by(col(Product.id))).scalars().all()
    step = spec.registry.reevaluation_step if spec.registry else ""
    moves, entries = [], []
    for row in rows:
        new = succession.commune_successor(row.commune, step=step)
        entry = succession.entry(row.commune)
        moves.append(ProductMove(row.id or 0, row.product, row.producer, row.commune, new,
                                 tuple(entry.to) if entry else ()))
        if new is None:
            continue
        entries.append(audit.Entry(now, actor, "product.succession", "product", row.id or 0,
                                   {"commune": row.commune}, {"commune": new}, reason))
        row.commune = new
        session.add(row)
    session.flush()
    audit.record_many(session, entries)
    return moves
