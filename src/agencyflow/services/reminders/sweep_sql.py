"""The SQL of a set-based reminder sweep, for SQLite and PostgreSQL.

Assignments of one step that share their dates (a commune fan-out: thousands of rows) are due
exactly the same notices, so a sweep decides per **group** — (cycle, step, opened on, due, last
swept on) — and lets the database apply the decision to every row of the group:

- :func:`windows` — id ranges of at most ``size`` assignments (fixed-width over a whole cycle,
  cut from the due ids when only some lead agencies are swept): each is one transaction;
- :func:`groups` — per window, one ``GROUP BY`` of its due rows, with each group's key (``gk``,
  computed by the database from those five columns), row count and id range;
- :class:`WindowWriter` — per window, ``INSERT … SELECT … ON CONFLICT (key) DO NOTHING`` of the
  notices decided per group (the *plan*) and ``UPDATE`` of each row's ``next_notice_on`` and
  ``last_swept_on``. A large group (a fan-out) gets statements of its own that match its rows
  on its five columns over its id range; the smaller groups of a window share one statement
  pair that joins each row to its group's decisions on the group key. The new notices are
  counted per recipient and kind in the database, never returned row by row;
- :func:`candidates` — the same ``SELECT`` as the shared insert, for a dry run.

The decisions reach the database as a temporary table with an index on the group key (SQLite:
the rows are read by rowid range and each looks its group up; the scope's other terms are
written ``+column`` so that SQLite does not prefer a worse index) or as a JSON parameter
unpacked by ``jsonb_to_recordset`` (PostgreSQL hashes it).

Matching a row to its group, on the key or on the columns, is also the concurrency guard: a row
whose dates changed after the group query (an extension, another sweep) no longer matches and
is left for the next sweep; the unique key makes any overlap harmless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast

from sqlalchemy import (
    BindParameter,
    Connection,
    Date,
    Engine,
    Integer,
    String,
    TextClause,
    TextualSelect,
    bindparam,
    text,
)

from agencyflow.domain.lifecycle import ACTIVE
from agencyflow.models.types import dumps

#: The states that get reminders, as an SQL list (constants of the lifecycle, not user input).
_ACTIVE_SQL = "(" + ", ".join(f"'{s.value}'" for s in sorted(ACTIVE)) + ")"
#: The due rule, written once: an active assignment with a notice due by ``:today``. The sweep's
#: scope (:meth:`Scope.sql`) and the quick checks (:func:`any_due`, :func:`due_by_lead`) use it.
DUE_TERMS = ("a.next_notice_on <= :today", f"a.status IN {_ACTIVE_SQL}")
#: A textual statement, plain or with typed result columns (both take ``bindparams``).
Clause = TypeVar("Clause", TextClause, TextualSelect)


@dataclass(frozen=True)
class Group:
    """Assignments that share cycle, step and dates: they are due the same notices."""

    gk: str
    cycle_id: int
    step_id: str
    opened_on: date | None
    due: date | None
    last_swept_on: date | None
    rows: int
    first_id: int
    last_id: int


def _group_key(day: str, head: str) -> str:
    """SQL of a row's group key; unambiguous (dates are fixed-width or empty)."""
    return " || '|' || ".join([head, *(day.format(c) for c in
                                       ("opened_on", "due_current", "last_swept_on"))])


@dataclass(frozen=True)
class Dialect:
    """What differs between SQLite and PostgreSQL in a sweep's SQL, named once: each helper
    takes the dialect of its connection (:func:`dialect`) instead of asking the connection."""

    pg: bool
    #: A row's group key (see :func:`groups`).
    group_key: str
    #: The first tag of an agency's JSON list of tags.
    first_tag: str
    #: The false literal.
    false: str
    #: Null-safe equality.
    same: str
    #: Prefix that makes a term unindexable, so that SQLite keeps to the rowid range.
    plus: str
    #: How new notices are ordered by the insert (SQLite already reads them in order).
    insert_order: str

    def table(self, scope: Scope) -> str:
        """``assignment AS a``; on SQLite, restricted to some leads, with the index that finds
        their rows (SQLite's planner would otherwise walk the whole cycle for every window)."""
        hint = "" if self.pg or scope.leads is None else " INDEXED BY ix_assignment_cycle_lead"
        return f"assignment AS a{hint}"

    def where(self, scope: Scope) -> str:
        """The scope's WHERE terms as this dialect reads a window (by rowid on SQLite)."""
        return scope.sql(by_rowid=not self.pg)

    def source(self, name: str) -> str:
        """How a statement names the rows staged as ``name`` (see :func:`_stage`)."""
        return name if self.pg else f"temp.sweep_{name} AS {name}"


POSTGRESQL = Dialect(
    pg=True,
    group_key=_group_key("coalesce(to_char(a.{}, 'YYYY-MM-DD'), '')",
                         "CAST(a.cycle_id AS TEXT) || '|' || a.step_id"),
    first_tag="CAST(ag.tags AS jsonb) ->> 0", false="false", same="IS NOT DISTINCT FROM",
    plus="", insert_order="ORDER BY assignment_id, o ")
SQLITE = Dialect(
    pg=False, group_key=_group_key("ifnull(a.{}, '')", "a.cycle_id || '|' || a.step_id"),
    first_tag="json_extract(ag.tags, '$[0]')", false="0", same="IS", plus="+",
    insert_order="")


def dialect(conn: Connection) -> Dialect:
    """The dialect of ``conn``'s database."""
    return POSTGRESQL if conn.dialect.name == "postgresql" else SQLITE


@dataclass(frozen=True)
class Scope:
    """Which assignments a sweep looks at: active, with a notice due by ``today``, in
    ``cycle_ids``; optionally one ``shard`` (index, count) of the ids, or some lead agencies."""

    cycle_ids: tuple[int, ...]
    today: date
    shard: tuple[int, int] | None = None
    leads: tuple[str, ...] | None = None

    def sql(self, *, by_rowid: bool = False) -> str:
        """The WHERE terms; ``by_rowid`` (SQLite, within an id window): keep the planner on the
        rowid range by making the other terms unindexable (unary ``+``)."""
        plus = "+" if by_rowid else ""
        # Restricted to some lead agencies, (cycle_id, lead_code) is the index to use (see
        # table()): a batch of 25 communes has a few hundred rows spread over the whole id range.
        by_lead = "" if self.leads is not None else plus
        where = [*(plus + term for term in DUE_TERMS), f"{by_lead}a.cycle_id IN :cycles"]
        if self.shard is not None:
            where.append("a.id % :shard_count = :shard_index")
        if self.leads is not None:
            where.append("a.lead_code IN :leads")
        return " AND ".join(where)

    def bind(self, clause: Clause) -> Clause:
        """``clause`` with this scope's parameters bound."""
        params: list[Any] = [bindparam("today", self.today, type_=Date),
                             bindparam("cycles", list(self.cycle_ids), expanding=True)]
        if self.shard is not None:
            params += [bindparam("shard_index", self.shard[0]),
                       bindparam("shard_count", self.shard[1])]
        if self.leads is not None:
            params.append(bindparam("leads", list(self.leads), expanding=True))
        return clause.bindparams(*params)


Window = tuple[int, int]
"""Assignment ids ``(after, until]``."""


def windows(conn: Connection, scope: Scope, size: int) -> list[Window]:
    """The id windows a sweep of ``scope`` walks, each one transaction of at most ``size``
    assignments.

    A whole cycle: consecutive windows ``size`` ids wide over the cycle's id range (the due rows
    of a fan-out are dense in it, and finding their ids first would cost as much as a window).
    Some lead agencies only: their due rows are few and spread over the whole range, so the
    windows are cut from their ids (read through the (cycle, lead) index), ``size`` rows each —
    usually one window.
    """
    if scope.leads is not None:
        table = dialect(conn).table(scope)
        stmt = text(f"SELECT a.id FROM {table} WHERE {scope.sql()} ORDER BY a.id")
        ids = list(conn.execute(scope.bind(stmt)).scalars())
        return [(ids[i] - 1, ids[min(i + size, len(ids)) - 1])
                for i in range(0, len(ids), size)]
    cycles: BindParameter[Any] = bindparam("cycles", list(scope.cycle_ids), expanding=True)
    stmt = text("SELECT min(a.id), max(a.id) FROM assignment AS a WHERE a.cycle_id IN :cycles")
    lo, hi = conn.execute(stmt.bindparams(cycles)).one()
    if lo is None:
        return []
    return [(after, after + size) for after in range(int(lo) - 1, int(hi), size)]


def groups(conn: Connection, scope: Scope, window: Window) -> list[Group]:
    """The groups of the window's due rows (read by rowid range)."""
    d = dialect(conn)
    stmt = text(
        f"SELECT {d.group_key} AS gk, a.cycle_id, a.step_id, a.opened_on, a.due_current, "
        "a.last_swept_on, count(*) AS n, min(a.id) AS first_id, max(a.id) AS last_id "
        f"FROM {d.table(scope)} WHERE {d.where(scope)} AND {_range()} "
        "GROUP BY a.cycle_id, a.step_id, a.opened_on, a.due_current, a.last_swept_on"
    ).columns(gk=String, cycle_id=Integer, step_id=String, opened_on=Date, due_current=Date,
              last_swept_on=Date, n=Integer, first_id=Integer, last_id=Integer)
    stmt = scope.bind(stmt).bindparams(after=window[0], until=window[1])
    return [Group(*row) for row in conn.execute(stmt)]


@dataclass(frozen=True)
class PlannedNotice:
    """A notice decided for a group: recipient None means each row's lead agency (its tag and
    digest flag are then read from the agency table)."""

    kind: str
    window: str
    scheduled_on: date
    recipient: str | None
    tag: str | None
    digest: bool | None
    level: int
    days_left: int | None

    def as_json(self, gk: str, order: int) -> dict[str, Any]:
        """The notice as a row of the JSON plan (``order``: its place among the group's)."""
        return {"gk": gk, "o": order, "k": self.kind, "w": self.window,
                "d": self.scheduled_on.isoformat(), "r": self.recipient, "t": self.tag,
                "g": self.digest, "l": self.level, "dl": self.days_left}


_PLAN_COLUMNS = {"gk": "text", "o": "int", "k": "text", "w": "text", "d": "date", "r": "text",
                 "t": "text", "g": "boolean", "l": "int", "dl": "int"}
_MOVE_COLUMNS = {"gk": "text", "n": "date"}


def _stage(conn: Connection, d: Dialect, name: str, columns: Mapping[str, str],
           rows: Sequence[Mapping[str, Any]]) -> str:
    """Make ``rows`` available to the next statement as ``name``; return the SQL prefix
    (PostgreSQL: a ``WITH`` over a JSON parameter ``:name``; SQLite: nothing, the rows go to an
    indexed temporary table of the connection, emptied first)."""
    if d.pg:
        cols = ", ".join(f"{c} {t}" for c, t in columns.items())
        return (f"WITH {name} AS MATERIALIZED (SELECT * FROM jsonb_to_recordset("
                f"CAST(:{name} AS jsonb)) AS x({cols})) ")
    table = f"temp.sweep_{name}"
    conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS sweep_{name} "
                         f"({', '.join(columns)})")
    conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS temp.ix_sweep_{name} "
                         f"ON sweep_{name} (gk)")
    conn.exec_driver_sql(f"DELETE FROM {table}")
    conn.exec_driver_sql(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})",
                         [tuple(r[c] for c in columns) for r in rows])
    return ""


def _range() -> str:
    return "a.id > :after AND a.id <= :until"


_COLUMNS = ('"key", assignment_id, cycle_id, kind, "window", scheduled_on, recipient_code, tag, '
            'level, digest, days_left')


def _matching(d: Dialect, group: Group | None) -> tuple[str, str]:
    """How a statement picks its rows and their decisions: (the join condition to the staged
    rows, extra WHERE terms). A whole window: each row joins its group's rows on the group key
    the database computes. One group (:class:`WindowWriter` writes a large group on its own):
    its rows are those with the group's columns, all joined to the staged rows of that group,
    without computing any key (``+column`` on SQLite: read by rowid over the group's ids)."""
    if group is None:
        return f"plan.gk = {d.group_key}", ""
    plus = d.plus
    terms = [f"{plus}a.cycle_id = :g_cycle", f"{plus}a.step_id = :g_step",
             *(f"{plus}a.{c} {d.same} :g_{c}"
               for c in ("opened_on", "due_current", "last_swept_on"))]
    return "plan.gk = :gk", " AND " + " AND ".join(terms)


def _group_params(group: Group | None, keyed: bool) -> list[BindParameter[Any]]:
    """The parameters of :func:`_matching`'s terms (``keyed``: and of its join)."""
    if group is None:
        return []
    key: list[BindParameter[Any]] = [bindparam("gk", group.gk)] if keyed else []
    return [*key, bindparam("g_cycle", group.cycle_id),
            bindparam("g_step", group.step_id),
            bindparam("g_opened_on", group.opened_on, type_=Date),
            bindparam("g_due_current", group.due, type_=Date),
            bindparam("g_last_swept_on", group.last_swept_on, type_=Date)]


def _select(d: Dialect, scope: Scope, group: Group | None) -> str:
    """The notification rows of one window (or of one group in it): the rows joined to the
    notices decided for their group."""
    join, where = _matching(d, group)
    return (
        "SELECT 'a' || a.id || ':' || plan.k || ':' || plan.w AS \"key\", a.id AS assignment_id, "
        'a.cycle_id, plan.k AS kind, plan.w AS "window", plan.d AS scheduled_on, '
        "coalesce(plan.r, a.lead_code) AS recipient_code, "
        f"coalesce(plan.t, {d.first_tag}, lower(a.lead_code)) AS tag, plan.l AS level, "
        f"coalesce(plan.g, ag.digest, {d.false}) AS digest, plan.dl AS days_left, plan.o AS o "
        f"FROM {d.table(scope)} JOIN {d.source('plan')} ON {join} "
        "LEFT JOIN agency AS ag ON ag.plan_key = a.plan_key AND ag.code = a.lead_code "
        f"WHERE {d.where(scope)} AND {_range()}{where}"
    )


def _bind(clause: Clause, d: Dialect, scope: Scope, window: Window,
          staged: Mapping[str, Sequence[Mapping[str, Any]]], group: Group | None = None,
          keyed: bool = True) -> Clause:
    if group is not None:  # the group's own ids, within the window
        window = (max(window[0], group.first_id - 1), min(window[1], group.last_id))
    clause = scope.bind(clause).bindparams(*_group_params(group, keyed), after=window[0],
                                           until=window[1])
    if d.pg:
        clause = clause.bindparams(**{k: dumps(list(v)) for k, v in staged.items()})
    return clause


#: New notices per recipient and kind (a commune fan-out: one recipient per commune).
_COUNT = "SELECT recipient_code, kind, count(*) FROM {} GROUP BY recipient_code, kind"


class NewNotices:
    """The notices a sweep inserted, per (recipient, kind), counted by the database.

    PostgreSQL counts each insert's ``RETURNING`` rows in the statement. SQLite inserts under
    the write lock, and an ``INTEGER PRIMARY KEY`` grows by one, so a window's new rows are the
    ids above the highest one before it, up to the highest one at its end; :meth:`counts` then
    groups all the windows' ranges in one query (a fan-out's 10,000 communes come back once, not
    once per window).
    """

    #: Id ranges per counting query (two parameters each; SQLite allows 32,766).
    RANGES_PER_QUERY = 500

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], int] = {}
        self._ranges: list[tuple[int, int]] = []

    def add(self, counts: Sequence[tuple[str, str, int]]) -> None:
        for recipient, kind, n in counts:
            self._counts[recipient, kind] = self._counts.get((recipient, kind), 0) + n

    def add_ids(self, after: int, until: int) -> None:
        if self._ranges and self._ranges[-1][1] == after:
            after = self._ranges.pop()[0]
        self._ranges.append((after, until))

    def counts(self, engine: Engine) -> dict[tuple[str, str], int]:
        """(recipient, kind) → notices inserted."""
        if self._ranges:
            with engine.connect() as conn:
                # Thousands of rows: fetched at once from the driver's cursor (SQLAlchemy's
                # row objects would cost about as much as the query).
                cursor = conn.connection.cursor()
                try:
                    for i in range(0, len(self._ranges), self.RANGES_PER_QUERY):
                        part = self._ranges[i:i + self.RANGES_PER_QUERY]
                        where = " OR ".join("(id > ? AND id <= ?)" for _ in part)
                        cursor.execute(_COUNT.format(f"notification WHERE {where}"),
                                       [n for r in part for n in r])
                        self.add(cursor.fetchall())
                finally:
                    cursor.close()
            self._ranges = []
        return self._counts


class WindowWriter:
    """Writes one window's notices and moves its clocks, in the caller's transaction (on
    SQLite one that holds the write lock: ``BEGIN IMMEDIATE``).

    Each call writes either the window's rows of all the groups it is given, joined to their
    decisions on the computed group key, or the rows of one ``group``, matched on its columns
    (cheaper per row: a large fan-out group gets its own statements). The new notices are
    counted in ``new`` by the database; the rows themselves never come back (``RETURNING``
    10,000 rows costs SQLite about as much again as the insert).
    """

    def __init__(self, conn: Connection, scope: Scope, window: Window, new: NewNotices, *,
                 lang: str, stamp: Any) -> None:
        self.conn, self.scope, self.window, self.new = conn, scope, window, new
        self.lang, self.stamp, self.d = lang, stamp, dialect(conn)
        self.inserted = 0
        # New rows take ids in assignment order, then in the order of the group's notices.
        # SQLite reads the assignments by rowid and looks each one's notices up in the staged
        # table's index, which keeps them in the order they were staged: that is already the
        # order, and sorting it again costs a sixth of the insert. PostgreSQL hash-joins.
        self._before = None if self.d.pg else self._last_id()

    def _last_id(self) -> int:
        return int(self.conn.exec_driver_sql(
            "SELECT coalesce(max(id), 0) FROM notification").scalar_one())

    def insert(self, plan: Sequence[dict[str, Any]], group: Group | None = None) -> None:
        """Write the notices ``plan`` (:meth:`PlannedNotice.as_json` rows) decides, for the
        window's rows of its groups or for ``group``'s rows; existing keys are skipped."""
        if not plan:
            return
        insert = ('INSERT INTO notification ("key", assignment_id, cycle_id, kind, "window", '
                  "scheduled_on, recipient_code, tag, level, digest, days_left, lang, status, "
                  "attempts, created_at, next_attempt_at) "
                  f"SELECT {_COLUMNS}, :lang, 'pending', 0, :stamp, :stamp "
                  f"FROM ({_select(self.d, self.scope, group)}) AS due WHERE true "
                  f'{self.d.insert_order}ON CONFLICT ("key") DO NOTHING')
        prefix = _stage(self.conn, self.d, "plan", _PLAN_COLUMNS, plan)
        if self.d.pg:  # the new rows are counted by the statement itself
            insert = (f"{prefix.rstrip()}, new AS ({insert} RETURNING recipient_code, kind) "
                      + _COUNT.format("new"))
        stmt = _bind(text(insert), self.d, self.scope, self.window, {"plan": plan}, group)
        result = self.conn.execute(stmt.bindparams(lang=self.lang, stamp=self.stamp))
        if self.d.pg:
            counts = [(r, k, n) for r, k, n in result]
            self.new.add(counts)
            self.inserted += sum(n for _, _, n in counts)
        else:
            self.inserted += result.rowcount

    def move(self, moves: Sequence[dict[str, Any]]) -> None:
        """Set each row of the window's groups to its group's next notice day (``moves``:
        ``{"gk", "n"}`` per group) and ``last_swept_on = today``."""
        if not moves:
            return
        sql = (_stage(self.conn, self.d, "moves", _MOVE_COLUMNS, moves) +
               f"UPDATE {self.d.table(self.scope)} SET next_notice_on = moves.n, "
               f"last_swept_on = :today FROM {self.d.source('moves')} "
               f"WHERE moves.gk = {self.d.group_key} AND {self._where()}")
        self.conn.execute(_bind(text(sql), self.d, self.scope, self.window, {"moves": moves}))

    def move_group(self, group: Group, following: date | None) -> None:
        """Set ``group``'s rows to the next notice day ``following`` and ``last_swept_on =
        today``."""
        sql = (f"UPDATE {self.d.table(self.scope)} SET next_notice_on = :n, "
               f"last_swept_on = :today WHERE {self._where()}{_matching(self.d, group)[1]}")
        stmt = text(sql).bindparams(bindparam("n", following, type_=Date))
        self.conn.execute(_bind(stmt, self.d, self.scope, self.window, {}, group, keyed=False))

    def flag_group(self, group: Group, why: str) -> None:
        """Record ``why`` on ``group``'s rows, which need a person's attention, and take them
        out of later sweeps (no next notice day) until their dates or lead change."""
        sql = (f"UPDATE {self.d.table(self.scope)} SET next_notice_on = NULL, "
               "last_swept_on = :today, attention = :why, attention_on = :today "
               f"WHERE {self._where()}{_matching(self.d, group)[1]}")
        stmt = text(sql).bindparams(why=why)
        self.conn.execute(_bind(stmt, self.d, self.scope, self.window, {}, group, keyed=False))

    def _where(self) -> str:
        return f"{self.d.where(self.scope)} AND {_range()}"

    def finish(self) -> int:
        """Record this window's new notices in ``new``; return how many it inserted."""
        if not self.d.pg and self.inserted:
            self.new.add_ids(self._before or 0, self._last_id())
        return self.inserted


def candidates(conn: Connection, scope: Scope, window: Window,
               plan: Sequence[dict[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows :meth:`WindowWriter.insert` would offer to the outbox (for a dry run)."""
    if not plan:
        return []
    d = dialect(conn)
    sql = (_stage(conn, d, "plan", _PLAN_COLUMNS, plan) + _select(d, scope, None) +
           " ORDER BY a.id, plan.o")
    stmt = _bind(text(sql).columns(scheduled_on=Date), d, scope, window, {"plan": plan})
    # RowMapping is also keyed by column objects; callers only ever read it by name.
    return [cast(Mapping[str, Any], row._mapping) for row in conn.execute(stmt)]


def _due(today: date, cycle_id: int | None) -> tuple[str, dict[str, Any]]:
    """:data:`DUE_TERMS` (of ``cycle_id``, if given) and their parameters."""
    terms = list(DUE_TERMS) + (["a.cycle_id = :cycle"] if cycle_id is not None else [])
    return " AND ".join(terms), {"today": today, "cycle": cycle_id}


def any_due(conn: Connection, today: date, cycle_id: int | None) -> bool:
    """Whether any active assignment (of ``cycle_id``) has a notice due by ``today`` (stops at
    the first)."""
    where, params = _due(today, cycle_id)
    stmt = text(f"SELECT a.id FROM assignment AS a WHERE {where} LIMIT 1").bindparams(
        bindparam("today", type_=Date))
    return conn.execute(stmt, params).first() is not None


def due_by_lead(conn: Connection, today: date, cycle_id: int | None) -> dict[str, int]:
    """Lead agency → active assignments (of ``cycle_id``) with a notice due by ``today``."""
    where, params = _due(today, cycle_id)
    stmt = text(f"SELECT a.lead_code, count(*) FROM assignment AS a WHERE {where} "
                "GROUP BY a.lead_code").bindparams(bindparam("today", type_=Date))
    return {lead: int(n) for lead, n in conn.execute(stmt, params)}
