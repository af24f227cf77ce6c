"""Assignments as SQL text: load, check, write with the version check, audit — one implementation
for a SQLAlchemy session (the full path, :mod:`agencyflow.services.assignments.core`) and a plain
DBAPI connection (the CLI's quick writes, :mod:`agencyflow.services.assignments.quick`), which
then imports no SQLAlchemy.

A change is written with one ``UPDATE assignment SET …, version = version + 1 WHERE id = :id AND
version = :v``. When no row matches, someone else changed the assignment since it was read and
:class:`~agencyflow.errors.ConflictError` is raised; the caller's transaction then rolls back, so
nothing is half-written (the audit event is appended in the same transaction, after the update).

The functions take the assignment as a model row or a :class:`Row` (the same attribute names)
and a :class:`Tx`: the connection and the clock whose real time the audit records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from agencyflow.dbapi import decode, dialect_of, execute, fetch, stored
from agencyflow.domain.clock import LATE, Clock
from agencyflow.domain.ids import storable
from agencyflow.domain.lifecycle import Move, Status, next_status
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.plan_spec import PlanSpec, StepSpec
from agencyflow.errors import ConflictError, NotFound, TransitionError, ValidationError
from agencyflow.i18n import _
from agencyflow.labels import label as words
from agencyflow.services.assignments.views import FIELDS
from agencyflow.services.audit import append as audit
from agencyflow.services.plans import specs

#: ``target_type`` of audit events about assignments.
TARGET = "assignment"

#: Sets a column's value on the object that carries an assignment (``setattr`` for a
#: :class:`Row`; the full path passes SQLAlchemy's ``set_committed_value``).
Apply = Callable[[Any, str, Any], None]


class Row(SimpleNamespace):
    """An assignment read with SQL text: the columns of the table as attributes."""

    def model_dump(self) -> dict[str, Any]:
        """The columns as a dict (as a model row gives them)."""
        return dict(vars(self))


@dataclass(frozen=True)
class Tx:
    """One transaction: its connection (a SQLAlchemy Session or a DBAPI connection) and the
    clock of its writes (:mod:`agencyflow.domain.clock`)."""

    conn: Any
    clock: Clock

    @property
    def postgres(self) -> bool:
        """Whether the database is PostgreSQL (rows can be locked with FOR UPDATE)."""
        return dialect_of(self.conn) == "postgresql"


def tx_of(conn: Any) -> Tx:
    """``conn`` as a :class:`Tx`: a session carries its clock (:mod:`agencyflow.services.clock`)
    and writes what it holds first (SQL text follows); a bare DBAPI connection gets the real
    clock, which allows no claim."""
    if isinstance(conn, Tx):
        return conn
    if hasattr(conn, "get_bind"):
        from agencyflow.services import clock

        conn.flush()
        return Tx(conn, clock.of(conn))
    return Tx(conn, Clock())


#: Ids per ``SELECT … WHERE id IN (…)`` of :func:`load_many`.
CHUNK = 500
_COLUMNS = ", ".join(FIELDS)


def select(tx: Tx, where: str, params: Mapping[str, Any], *, lock: bool = False) -> list[Row]:
    """The assignments matching ``where`` (SQL text), by id; ``lock``: FOR UPDATE (PostgreSQL;
    SQLite serialises writers anyway)."""
    sql = f"SELECT {_COLUMNS} FROM assignment WHERE {where} ORDER BY id"
    if lock and tx.postgres:
        sql += " FOR UPDATE"
    return [Row(**{c: decode(k, v) for (c, k), v in zip(FIELDS.items(), values, strict=True)})
            for values in fetch(tx.conn, sql, params)]


def in_list(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``name IN (:name_0, …)`` and its parameters."""
    params = {f"{name}_{i}": v for i, v in enumerate(values)}
    return f"{name} IN ({', '.join(':' + p for p in params) or 'NULL'})", params


def by_ids(assignment_ids: Sequence[int], read: Callable[[list[int]], Iterable[Any]]
           ) -> list[Any]:
    """The assignments with ``assignment_ids``, in that order, as ``read`` gives them for each
    :data:`CHUNK` of ids (SQL text here, model rows on the full path); NotFound names the first
    that does not exist."""
    wanted = [i for i in assignment_ids if storable(i)]
    found: dict[int, Any] = {}
    for start in range(0, len(wanted), CHUNK):
        found |= {a.id: a for a in read(wanted[start:start + CHUNK])}
    missing = next((i for i in assignment_ids if i not in found), None)
    if missing is not None:
        raise NotFound(_("assignment {id} does not exist").format(id=missing))
    return [found[i] for i in assignment_ids]


def load_many(tx: Tx, assignment_ids: Sequence[int]) -> list[Row]:
    """The assignments with ``assignment_ids``, in that order (see :func:`by_ids`)."""
    return by_ids(assignment_ids, lambda chunk: select(tx, *in_list("id", chunk)))


def label(a: Any) -> str:
    """How errors and permission messages name an assignment: ``12 (XA-4 XA-KIM-LUONG)``."""
    return f"{a.id} ({a.step_id} {a.lead_code})"


def authorise(actor: Actor, action: Action, a: Any, *, author: str | None = None) -> None:
    """Raise PermissionDenied unless ``actor`` may take ``action`` on ``a`` (deciding on
    something ``author`` asked for)."""
    require(actor, action, target=_("assignment {label}").format(label=label(a)), lead=a.lead_code,
            cooperating=a.cooperating, author=author)


def check_version(a: Any, expected_version: int | None) -> int:
    """The version to update from: ``expected_version`` (what the user saw) or the one loaded."""
    if expected_version is not None and expected_version != a.version:
        raise ConflictError(_(
            "assignment {label} is at version {version}, you acted on version {expected}: "
            "someone changed it meanwhile; show it again and retry").format(
                label=label(a), version=a.version, expected=expected_version))
    return int(a.version)


def begin_many(tx: Tx, wanted: Sequence[tuple[int, int | None]], actor: Actor,
               action: Action) -> list[Row]:
    """Load the (assignment id, expected version) pairs, check permission, then the version the
    user acted on (before any state check)."""
    rows = load_many(tx, [i for i, _version in wanted])
    check_many(rows, wanted, actor, action)
    return rows


def check_many(rows: Sequence[Any], wanted: Sequence[tuple[int, int | None]], actor: Actor,
               action: Action) -> None:
    """Permission, then the version the user acted on, of each loaded row."""
    for a, (_id, expected) in zip(rows, wanted, strict=True):
        authorise(actor, action, a)
        check_version(a, expected)


def move(a: Any, which: Move) -> Status:
    """The state ``which`` leads to from ``a``'s state (TransitionError if refused)."""
    return next_status(a.status, which, review=a.review, label=label(a))


def require_state(a: Any, allowed: Iterable[Status], doing: str) -> None:
    """Raise TransitionError unless ``a`` is in one of the ``allowed`` states."""
    allowed = list(allowed)
    if Status(a.status) not in allowed:
        names = ", ".join(words("state", s) for s in allowed)
        raise TransitionError(_(
            "assignment {label} is {state}: cannot {doing} (only when {states})").format(
                label=label(a), state=words("state", a.status), doing=doing, states=names))


def require_reason(reason: str | None, doing: str) -> str:
    """The stripped reason, or ValidationError when it is missing."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("a reason is required to {doing}").format(doing=doing))
    return text


Change = tuple[Any, Mapping[str, Any], int | None]


def write_many(tx: Tx, changes: Sequence[Change], apply: Apply = setattr
               ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Apply each (assignment, changes, expected version) with one version-checked UPDATE, in
    order; return (before, after) of each for the audit — only the changed fields plus the
    version; the assignment carries them. The first conflict raises (the caller's transaction
    rolls back)."""
    out = []
    for a, fields, expected_version in changes:
        version = check_version(a, expected_version)
        before = {k: getattr(a, k) for k in fields} | {"version": version}
        sets = ", ".join(f"{name} = :{name}" for name in (*fields, "version"))
        params = {**{k: stored(v) for k, v in fields.items()}, "version": version + 1,
                  "at_id": a.id, "at_version": version}
        sql = f"UPDATE assignment SET {sets} WHERE id = :at_id AND version = :at_version"
        if execute(tx.conn, sql, params) != 1:
            raise ConflictError(_(
                "assignment {label} was changed by someone else since version {version}: "
                "nothing was saved; show it again and retry").format(label=label(a),
                                                                     version=version))
        for name, value in (*fields.items(), ("version", version + 1)):
            apply(a, name, value)
        out.append((before, dict(fields) | {"version": version + 1}))
    return out


@dataclass(frozen=True)
class Event:
    """The audit event of one change to an assignment (see :func:`record_many`)."""

    assignment: Any
    actor: Actor | str
    now: datetime
    action: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None


_STAMP = ("UPDATE assignment SET recorded_at = :to_at, recorded_late_by = :to_late "
          "WHERE id = :at_id")


def record_many(tx: Tx, events: Sequence[Event], apply: Apply = setattr) -> None:
    """Append the audit events of changes to assignments, in order (same transaction). A change
    (``before`` given: :func:`write_many` made it) also stamps the row with the event's real
    time and, for a late entry, who recorded it later (``recorded_late_by``, shown on the
    board)."""
    appended = audit.append_many(tx.conn, [
        audit.Entry(e.now, e.actor, e.action, TARGET, e.assignment.id or 0, e.before, e.after,
                    e.reason, e.assignment.opened_on) for e in events], tx.clock)
    for e, event in zip(events, appended, strict=True):
        if e.before is None:
            continue
        late_by = event["actor"] if event["claim"] == LATE else None
        execute(tx.conn, _STAMP, {"at_id": e.assignment.id, "to_at": stored(event["recorded_at"]),
                                  "to_late": late_by})
        apply(e.assignment, "recorded_at", event["recorded_at"])
        apply(e.assignment, "recorded_late_by", late_by)


def cycle_start(tx: Tx, a: Any) -> date:
    """The first day of ``a``'s cycle."""
    rows = fetch(tx.conn, "SELECT start_date FROM cycle WHERE id = :id", {"id": a.cycle_id})
    if not rows:
        raise NotFound(_("cycle {cycle} of assignment {label} does not exist").format(
            cycle=a.cycle_id, label=label(a)))
    return decode("date", rows[0][0])  # type: ignore[no-any-return]


def spec_for(tx: Tx, a: Any) -> PlanSpec:
    """The plan spec ``a``'s cycle was started from."""
    return specs.of_cycle(tx.conn, a.cycle_id)


def step_of(tx: Tx, a: Any) -> tuple[PlanSpec, StepSpec]:
    """The plan spec and the step ``a`` was created from: the cycle's version, or — for a
    step that a later version removed (``cycle migrate`` keeps its finished assignments) — the
    newest earlier version of the plan that has it."""
    spec = spec_for(tx, a)
    if a.step_id in {s.id for s in spec.steps}:
        return spec, spec.step(a.step_id)
    for older in reversed(specs.versions_of(tx.conn, a.plan_key)):
        if a.step_id in {s.id for s in older.steps}:
            return older, older.step(a.step_id)
    return spec, spec.step(a.step_id)  # NotFound, naming the step


def iso(value: date | None) -> str | None:
    """A date as ``YYYY-MM-DD`` (None stays None)."""
    return value.isoformat() if value else None
