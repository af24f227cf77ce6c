"""The board "as of" a day on the web page and in the API shows what was known then: the CLI's
rule (services.board.asof, 09:00 of the day asked), on SQLite and PostgreSQL.

SURVEY_B (due 19/02/2027) is completed on 10/03/2027, recorded at 10:00 that day. On the board
of 10/03 — 09:00, before it was recorded — it is still overdue, although its completion day is
not after that day (the status rule alone would call it done late); from 11/03 on it is done
late. A page deep in the list and the counts agree with the rows.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.domain.permissions import Actor, Role
from agencyflow.services.board import listing as board
from agencyflow.services.board import page as board_page
from agencyflow.services.people import passwords, users
from tests.factories import CALENDAR
from tests.reminder_world import SURVEY_B, complete, start, vn
from tests.web_world import COORDINATOR, PASSWORD, login, now

SYSTEM = Actor("test", Role.SYSTEM)
DONE = vn(2027, 3, 10, 10)
BEFORE, AFTER = "10/03/2027", "11/03/2027"


def _season(engine: Engine) -> int:
    """The reminder world's cycle with SURVEY_B's completion, and the coordinator (NN)."""
    cycle_id = start(engine)
    complete(engine, SURVEY_B, DONE)
    with session_scope(engine) as s:
        user = users.add_user(s, username=COORDINATOR.username, role="coordinator",
                              now=now(), actor=SYSTEM, agency_code="NN")
        user.password_hash = passwords.hash_password(PASSWORD)
        s.add(user)
    return cycle_id


def _statuses(html: str) -> dict[int, str]:
    """Assignment id → board status of the rows of a board page."""
    rows = re.findall(r'<tr><td>(\d+)</td>.*?class="badge s-(\w+)"', html, re.S)
    return {int(ident): status for ident, status in rows}


def test_the_service_page_is_the_past_one(engine: Engine) -> None:
    cycle_id = _season(engine)
    flt = board.BoardFilter(cycle_id=cycle_id)
    with Session(engine) as s:
        for day, moment, expected in ((vn(2027, 3, 10).date(), vn(2027, 3, 10), "overdue"),
                                      (vn(2027, 3, 11).date(), vn(2027, 3, 11), "done_late")):
            found = board_page.page(s, flt, today=day, calendar=CALENDAR, known_at=moment,
                                    limit=2)
            rows = list(found.rows)
            while found.next is not None:  # later pages read the same past
                found = board_page.page(s, flt, today=day, calendar=CALENDAR, limit=2,
                                        known_at=moment, after=found.next)
                rows += found.rows
            whole = board.rows(s, flt, today=day, calendar=CALENDAR, known_at=moment)
            assert [r["id"] for r in rows] == [r["id"] for r in whole]
            assert {r["id"]: r["board_status"] for r in rows}[SURVEY_B] == expected
            assert {r["id"]: r["completed_on"] for r in rows}[SURVEY_B] == (
                None if expected == "overdue" else DONE.date())


def test_the_known_at_rule_is_the_clis(engine: Engine) -> None:
    real = now()
    assert board_page.known_at(vn(2027, 3, 10).date(), real) == vn(2027, 3, 10, 9)
    assert board_page.known_at(real.date(), real) == real


def test_board_page_as_of_hides_what_was_recorded_later(engine: Engine,
                                                        client: TestClient) -> None:
    _season(engine)
    login(client, COORDINATOR.username)
    before = client.get(f"/board?asof={BEFORE}")
    assert before.status_code == 200, before.text
    assert _statuses(before.text)[SURVEY_B] == "overdue"
    after = client.get(f"/board?asof={AFTER}")
    assert _statuses(after.text)[SURVEY_B] == "done_late"
    # the totals row counts what the rows show: one done late only once it was recorded
    assert _done_late_total(before.text) == 0 and _done_late_total(after.text) == 1


def _done_late_total(html: str) -> int:
    header = re.search(r'<thead><tr><th>[^<]*</th>(.*?)</tr></thead>', html, re.S)
    assert header
    order = re.findall(r'badge s-(\w+)', header.group(1))
    total = re.search(r'<tr><th scope="row">[^<]*(?:\([^)]*\))?</th>(.*?)</tr>\s*</tbody>',
                      html, re.S)
    assert total, html
    cells = [int(n) for n in re.findall(r"<strong>(\d+)</strong>", total.group(1))]
    return dict(zip(order, cells, strict=True))["done_late"]


def test_api_list_and_counts_as_of(engine: Engine, client: TestClient) -> None:
    cycle_id = _season(engine)
    with session_scope(engine) as s:
        secret = users.create_token(s, COORDINATOR.username, now=now(), actor=SYSTEM).secret
    auth = {"Authorization": f"Bearer {secret}"}
    for day, expected in (("2027-03-10", "overdue"), ("2027-03-11", "done_late")):
        listed = client.get(f"/api/v1/assignments?cycle={cycle_id}&now={day}", headers=auth)
        assert listed.status_code == 200, listed.text
        assert {i["id"]: i["board_status"] for i in listed.json()["items"]}[SURVEY_B] == expected
        counts = client.get(f"/api/v1/assignments/counts?cycle={cycle_id}&now={day}",
                            headers=auth).json()["counts"]
        assert counts["XA-B"].get("done_late", 0) == (expected == "done_late")
