"""The board: every assignment with its official status on a given day, and counts.

The status is derived in SQL (:data:`STATUS_SQL`, a CASE over the stored state and dates) so that
filtering and counting stay index-friendly at national scale;
:func:`agencyflow.domain.status.board_status` is the same rule in Python, and a test keeps the two
in agreement on SQLite and PostgreSQL.

The queries are SQL text with ``:name`` parameters, run by :func:`agencyflow.dbapi.fetch` on a
plain DBAPI connection (``agencyflow board`` answers without importing SQLAlchemy) or on a
SQLAlchemy Session or Connection (every other caller): one definition serves both. Values come
back as the same Python types on both databases: dates as ``date``, the JSON columns as lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from agencyflow.dbapi import CHUNK_ROWS, fetch, stream
from agencyflow.domain import suggest
from agencyflow.domain.deadlines import DayCounter
from agencyflow.domain.ids import clamp_limit, storable
from agencyflow.domain.status import BoardStatus
from agencyflow.errors import NotFound
from agencyflow.i18n import N_, _
from agencyflow.services.board import asof
from agencyflow.services.board.members import members

#: Working days before the due date from which an unfinished assignment is "due soon".
DUE_SOON_WORKING_DAYS = 3

#: The board status of assignment ``a`` on ``:today`` (see domain.status.board_status); unfinished
#: work due by ``:soon_until`` is due soon. ``{due}`` is the date lateness is measured against.
STATUS_SQL = """CASE
    WHEN a.status = 'cancelled' THEN 'cancelled'
    WHEN a.status = 'done' AND a.completed_on <= :today
         AND ({due} IS NULL OR a.completed_on <= {due}) THEN 'done_on_time'
    WHEN a.status = 'done' AND a.completed_on <= :today THEN 'done_late'
    WHEN a.status = 'waiting' OR {due} IS NULL OR a.opened_on IS NULL OR a.opened_on > :today
         THEN 'waiting'
    WHEN {due} < :today THEN 'overdue'
    WHEN {due} <= :soon_until THEN 'due_soon'
    ELSE 'in_progress'
  END"""

#: A cycle's ``late_against`` → the column ``{due}`` stands for.
DUE_COLUMN = {"current": "a.due_current", "original": "a.due_original"}

#: ``{source}`` is the assignments: the table itself (``assignment a``), or the same columns as
#: known at an earlier moment (:func:`agencyflow.services.board.asof.source`).
ROWS_SQL = """SELECT a.id, a.step_id, a.period, a.member, a.lead_code, a.cooperating, a.title_vi,
  a.title_en, a.due_original, a.due_current, a.completed_on, a.status,
  {status} AS board_status, a.clauses, c.year, c.plan_key, a.recorded_late_by
FROM {source} JOIN cycle c ON c.id = a.cycle_id{where}
ORDER BY a.due_current IS NULL, a.due_current, a.id"""

COUNTS_SQL = """SELECT a.lead_code, {status} AS board_status, count(*)
FROM {source}{where}
GROUP BY a.lead_code, board_status"""

STATUS_OF_SQL = "SELECT {status} FROM {source} WHERE a.id = :id"

#: The fields of the past the board reads (see :mod:`agencyflow.services.board.asof`).
PAST_FIELDS = ("status", "lead_code", "cooperating", "due_original", "due_current", "opened_on",
               "completed_on")

CYCLE_SQL = """SELECT c.id, c.plan_key, c.year, c.late_against, v.title_vi, v.title_en
FROM cycle c LEFT JOIN plan_version v ON v.id = c.plan_version_id{where}
ORDER BY c.year DESC, c.id DESC
LIMIT 1"""


@dataclass(frozen=True)
class BoardFilter:
    """What to show: one cycle (or all), and optional agency, commune and status filters;
    ``due_from``/``due_to``: only the assignments whose current due date lies between them (a
    report's quarter or month)."""

    cycle_id: int | None = None
    agency: str | None = None
    commune: str | None = None
    status: str | None = None
    late_against: str = "current"
    due_from: date | None = None
    due_to: date | None = None


@dataclass(frozen=True)
class Board:
    """Rows (dicts, ready for table/JSON/CSV) and counts per (agency, status)."""

    today: date
    rows: list[dict[str, Any]]
    counts: dict[str, dict[str, int]]


@dataclass(frozen=True)
class BoardCycle:
    """The cycle a board shows, with the titles of its plan version (None if it is missing)."""

    id: int
    plan_key: str
    year: int
    late_against: str
    title_vi: str | None
    title_en: str | None


def status_sql(late_against: str = "current") -> str:
    """:data:`STATUS_SQL` measuring lateness against the current or the original due date."""
    due = DUE_COLUMN["original" if late_against == "original" else "current"]
    return STATUS_SQL.format(due=due)


def _params(today: date, calendar: DayCounter) -> dict[str, Any]:
    return {"today": today,
            "soon_until": calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)}


def _source(conn: Any, known_at: datetime | None, fields: tuple[str, ...] = PAST_FIELDS
            ) -> tuple[str, dict[str, Any]]:
    """The assignments as known at ``known_at`` (None: as they are) and their parameters: the
    table itself when nothing was recorded after that moment; ``fields``: the changeable
    columns the query reads."""
    if asof.is_current(conn, known_at):
        return "assignment a", {}
    assert known_at is not None
    return asof.source(conn, fields), asof.params(known_at)


def _where(flt: BoardFilter, status: str) -> tuple[str, dict[str, Any]]:
    """The WHERE clause of ``flt`` (empty, or starting with a new line) and its parameters."""
    clauses, params = _conditions(flt, status)
    return ("\nWHERE " + " AND ".join(clauses) if clauses else ""), params


def _conditions(flt: BoardFilter, status: str) -> tuple[list[str], dict[str, Any]]:
    """The conditions of ``flt`` (``status``: the board status expression) and their
    parameters."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if flt.cycle_id is not None:
        clauses.append("a.cycle_id = :cycle_id")
        params["cycle_id"] = flt.cycle_id
    if flt.agency:
        clauses.append("(a.lead_code = :agency OR a.cooperating LIKE :agency_in_list)")
        params.update(agency=flt.agency, agency_in_list=f'%"{flt.agency}"%')
    if flt.commune:
        clauses.append("a.member = :commune")
        params["commune"] = flt.commune
    if flt.status:
        clauses.append(f"{status} = :status")
        params["status"] = status_named(flt.status)
    if flt.due_from is not None:
        clauses.append("a.due_current >= :due_from")
        params["due_from"] = flt.due_from
    if flt.due_to is not None:
        clauses.append("a.due_current <= :due_to")
        params["due_to"] = flt.due_to
    return clauses, params


def _rows(found: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Result rows of :data:`ROWS_SQL` as dicts, with dates and lists whatever the database."""
    return _chunk(found, {None: None}, {None: None})


def _streamed(found: Iterable[list[tuple[Any, ...]]]) -> Iterator[dict[str, Any]]:
    """:func:`_rows` of result rows that come chunk by chunk."""
    days: dict[Any, date | None] = {None: None}  # SQLite gives ISO text; a few dates recur
    lists: dict[str | None, list[str] | None] = {None: None}  # JSON text, decoded once
    for chunk in found:
        if len(days) + len(lists) > 100_000:  # decoded once, but never without bound
            days, lists = {None: None}, {None: None}
        yield from _chunk(chunk, days, lists)


def _chunk(found: list[tuple[Any, ...]], days: dict[Any, date | None],
           lists: dict[str | None, list[str] | None]) -> list[dict[str, Any]]:
    rows = []
    for (id_, step_id, period, member, lead_code, cooperating, title_vi, title_en, due_original,
         due_current, completed_on, status, board_status, clauses, year, plan_key,
         recorded_late_by) in found:
        for value in (due_original, due_current, completed_on):
            if value not in days:
                days[value] = date.fromisoformat(value) if isinstance(value, str) else value
        for text in (cooperating, clauses):
            if text not in lists:
                lists[text] = json.loads(text)
        coop, cl = lists[cooperating], lists[clauses]
        rows.append({
            "id": id_, "step_id": step_id, "period": period, "member": member,
            "lead_code": lead_code, "cooperating": None if coop is None else list(coop),
            "title_vi": title_vi, "title_en": title_en, "due_original": days[due_original],
            "due_current": days[due_current], "completed_on": days[completed_on],
            "status": status, "board_status": board_status,
            "clauses": None if cl is None else list(cl), "year": year, "plan_key": plan_key,
            "recorded_late_by": recorded_late_by})
    return rows


def board(conn: Any, flt: BoardFilter, *, today: date, calendar: DayCounter,
          limit: int | None = None, known_at: datetime | None = None) -> Board:
    """The board on ``today`` for ``flt``: rows ordered by due date, and counts.

    ``conn`` is a DBAPI connection (sqlite3, psycopg) or a SQLAlchemy Session or Connection.
    ``known_at`` (usually the moment ``today`` stands for) shows what was known then: what was
    recorded later (completions, extensions, reassignments, cancellations) is left out.
    """
    return Board(today, rows(conn, flt, today=today, calendar=calendar, limit=limit,
                             known_at=known_at),
                 counts(conn, flt, today=today, calendar=calendar, known_at=known_at))


def rows(conn: Any, flt: BoardFilter, *, today: date, calendar: DayCounter,
         limit: int | None = None, known_at: datetime | None = None) -> list[dict[str, Any]]:
    """The rows of the board (keys: the columns of :data:`ROWS_SQL`), ordered by due date,
    at most ``limit``, as known at ``known_at``."""
    sql, params = _rows_query(conn, flt, today, calendar, limit, known_at)
    return _rows(fetch(conn, sql, params))


def stream_rows(conn: Any, flt: BoardFilter, *, today: date, calendar: DayCounter,
                limit: int | None = None, known_at: datetime | None = None,
                chunk: int = CHUNK_ROWS) -> Iterator[dict[str, Any]]:
    """:func:`rows`, read from the cursor ``chunk`` rows at a time as they are consumed
    (consume them while ``conn`` is open): a listing of a million assignments never holds them
    all."""
    sql, params = _rows_query(conn, flt, today, calendar, limit, known_at)
    yield from _streamed(stream(conn, sql, params, chunk))


def _rows_query(conn: Any, flt: BoardFilter, today: date, calendar: DayCounter,
                limit: int | None, known_at: datetime | None) -> tuple[str, dict[str, Any]]:
    status = status_sql(flt.late_against)
    where, params = _where(flt, status)
    source, past = _source(conn, known_at)
    sql = ROWS_SQL.format(status=status, where=where, source=source)
    limit = clamp_limit(limit)
    if limit:
        sql += "\nLIMIT :limit"
        params["limit"] = limit
    return sql, {**params, **past, **_params(today, calendar)}


def counts(conn: Any, flt: BoardFilter, *, today: date, calendar: DayCounter,
           known_at: datetime | None = None) -> dict[str, dict[str, int]]:
    """Number of assignments per lead agency and board status (one GROUP BY), as known at
    ``known_at``."""
    status = status_sql(flt.late_against)
    where, params = _where(flt, status)
    source, past = _source(conn, known_at)
    sql = COUNTS_SQL.format(status=status, where=where, source=source)
    out: dict[str, dict[str, int]] = {}
    for lead, st, n in fetch(conn, sql, {**params, **past, **_params(today, calendar)}):
        out.setdefault(lead, {})[st] = n
    return out


def status_of(conn: Any, assignment_id: int, *, today: date, calendar: DayCounter,
              late_against: str = "current", known_at: datetime | None = None) -> BoardStatus:
    """The board status of one assignment on ``today``, as known at ``known_at`` (NotFound if
    there is none)."""
    source, past = _source(conn, known_at)
    sql = STATUS_OF_SQL.format(status=status_sql(late_against), source=source)
    found = fetch(conn, sql, {"id": assignment_id, **past, **_params(today, calendar)}
                  ) if storable(assignment_id) else []
    if not found:
        raise NotFound(_("assignment {id} does not exist").format(id=assignment_id))
    return BoardStatus(found[0][0])


def agency_names(conn: Any, plan_key: str | None = None) -> dict[str, str]:
    """Agency code → Vietnamese name, for display."""
    if plan_key:
        found = fetch(conn, "SELECT code, name_vi FROM agency WHERE plan_key = :plan_key",
                      {"plan_key": plan_key})
    else:
        found = fetch(conn, "SELECT code, name_vi FROM agency", {})
    return {code: name for code, name in found}


def cycle_for(conn: Any, plan: str | None = None, year: int | None = None) -> BoardCycle:
    """The cycle to show: of ``plan`` (default: any) in ``year`` (default: the newest year).

    NotFound says what there is instead: the plans and years that have cycles, or the nearest
    plan keys to an unknown one."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if plan:
        clauses.append("c.plan_key = :plan")
        params["plan"] = plan
    if year and not storable(year):
        raise NotFound(_("no cycle {year}").format(year=year))
    if year:
        clauses.append("c.year = :year")
        params["year"] = year
    where = "\nWHERE " + " AND ".join(clauses) if clauses else ""
    found = fetch(conn, CYCLE_SQL.format(where=where), params)
    if not found:
        raise NotFound(_no_cycle(conn, plan, year))
    return BoardCycle(*found[0])


def _no_cycle(conn: Any, plan: str | None, year: int | None) -> str:
    """Why no cycle matches ``plan`` and ``year``, naming the cycles there are."""
    cycles: dict[str, list[int]] = {}
    for key, y in fetch(conn, "SELECT plan_key, year FROM cycle ORDER BY plan_key, year", {}):
        cycles.setdefault(key, []).append(y)
    start = "`agencyflow cycle start --plan KEY --year YEAR`"
    if not cycles:
        return _("no cycle started yet: run {start}").format(start=start)
    there = "; ".join(f"{key} {', '.join(map(str, ys))}" for key, ys in cycles.items())
    if plan and plan not in cycles:
        stored = [k for (k,) in fetch(conn, "SELECT DISTINCT key FROM plan_version", {})]
        if plan in stored:
            return _("plan {plan} has no cycle yet (start one with {start}); cycles: {cycles}"
                     ).format(plan=plan, start=start, cycles=there)
        return _("unknown plan '{plan}': {hint} (cycles: {cycles})").format(
            plan=plan, hint=suggest.hint(plan, set(stored) | set(cycles)), cycles=there)
    if plan:
        return _("plan {plan} has no cycle {year} (its cycles: {years}; start one with {start})"
                 ).format(plan=plan, year=year, years=", ".join(map(str, cycles[plan])),
                          start=start)
    return _("no cycle of {year} (cycles: {cycles})").format(year=year, cycles=there)


def resolve_filter(conn: Any, cycle: BoardCycle, *, agency: str | None = None,
                   commune: str | None = None, status: str | None = None) -> BoardFilter:
    """The filter of ``cycle``'s board for what a person typed: names are matched exactly or
    ignoring case; an unknown agency, commune or status is an error naming the nearest valid
    ones (an empty board would look like "nothing to do")."""
    if agency or commune:
        kinds = dict(fetch(conn, "SELECT code, kind FROM agency WHERE plan_key = :plan",
                           {"plan": cycle.plan_key}))
        agency = _known(N_("unknown agency '{value}' in plan {plan}: {hint}"), agency, kinds,
                        cycle.plan_key)
        communes = dict(members(conn, cycle.id).options) or kinds
        commune = _known(N_("unknown commune '{value}' in plan {plan}: {hint}"), commune, kinds,
                         cycle.plan_key, suggest_from=communes)
    return BoardFilter(cycle_id=cycle.id, agency=agency, commune=commune,
                       status=status_named(status) if status else None,
                       late_against=cycle.late_against)


def status_named(value: str) -> str:
    """The board status ``value`` names (case ignored), or ValidationError naming the nearest."""
    return suggest.status_in(value, [s.value for s in BoardStatus])


def _known(message: str, value: str | None, valid: dict[str, str], plan_key: str,
           suggest_from: dict[str, str] | None = None) -> str | None:
    if not value:
        return None
    found = suggest.match(value, valid)
    if found is None:
        names = suggest_from if suggest_from is not None else valid
        raise NotFound(_(message).format(value=value, plan=plan_key,
                                         hint=suggest.hint(value, names)))
    return found
