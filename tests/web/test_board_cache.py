"""The board page's counts and menus come from :class:`BoardCache`: computed once per audit
head, recomputed as soon as anything is recorded, and shown one page of agencies at a time."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from agencyflow.services.board import listing as board
from agencyflow.services.board import page as board_page
from tests.factories import CALENDAR
from tests.reminder_world import SURVEY_B, complete, start, vn

DAY = vn(2027, 3, 12)


def _fresh(engine: Engine) -> tuple[board.BoardFilter, board_page.BoardCache]:
    """The cycle started, its filter and an empty cache."""
    return board.BoardFilter(cycle_id=start(engine)), board_page.BoardCache()


def _totals(tally: board_page.Tally) -> dict[str, int]:
    return {status: n for status, n in tally.totals if n}


def test_counts_follow_every_recorded_change(engine: Engine) -> None:
    flt, cache = _fresh(engine)
    with Session(engine) as s:
        first = cache.tally(s, flt, today=DAY.date(), calendar=CALENDAR)
    complete(engine, SURVEY_B, vn(2027, 3, 10, 10))
    with Session(engine) as s:
        again = cache.tally(s, flt, today=DAY.date(), calendar=CALENDAR)
        fresh = board.counts(s, flt, today=DAY.date(), calendar=CALENDAR)
    assert "done_late" not in _totals(first)
    assert _totals(again)["done_late"] == 1
    assert dict(again.rows)["XA-B"] == [(st, fresh["XA-B"].get(st, 0))
                                         for st, _n in again.totals]


def test_counts_come_one_page_of_agencies_at_a_time(engine: Engine) -> None:
    flt, cache = _fresh(engine)
    with Session(engine) as s:
        everything = board.counts(s, flt, today=DAY.date(), calendar=CALENDAR)
        seen, after = [], None
        while True:
            tally = cache.tally(s, flt, today=DAY.date(), calendar=CALENDAR,
                                after_agency=after, size=2)
            seen += [code for code, _cells in tally.rows]
            assert tally.agencies == len(everything)
            if tally.next_agency is None:
                break
            after = tally.next_agency
    assert seen == sorted(everything) and len(seen) > 2
    assert sum(n for _s, n in tally.totals) == sum(
        n for per in everything.values() for n in per.values())


def test_memo_is_kept_until_the_head_moves(engine: Engine) -> None:
    start(engine)
    cache = board_page.BoardCache()
    calls: list[int] = []
    with Session(engine) as s:
        for _ in range(3):
            cache.memo(s, ("x",), lambda: calls.append(1))
    complete(engine, SURVEY_B, vn(2027, 3, 10, 10))
    with Session(engine) as s:
        cache.memo(s, ("x",), lambda: calls.append(1))
    assert len(calls) == 2
