"""The board's keyset pages (every row once, in the board's order, on both databases), the
board and "my work" pages, and error pages that never show a trace or SQL."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from agencyflow.domain.calendar import local_date
from agencyflow.services.board import listing as board
from agencyflow.services.board import page as board_page
from agencyflow.services.board.listing import BoardFilter
from tests.factories import CALENDAR
from tests.web_world import COORDINATOR, XA_A_OFFICER, login, now


def test_pages_cover_the_board_exactly_once_in_order(world: Engine) -> None:
    today = local_date(now())
    with Session(world) as s:
        everything = board.rows(s, BoardFilter(), today=today, calendar=CALENDAR)
        seen, after = [], None
        while True:
            found = board_page.page(s, BoardFilter(), today=today, calendar=CALENDAR,
                                    after=after, limit=3)
            seen += found.rows
            if found.next is None:
                break
            after = board_page.Cursor.decode(found.next.encode())
    assert len(everything) > 6 and any(r["due_current"] is None for r in everything)
    assert [r["id"] for r in seen] == [r["id"] for r in everything]


def test_my_work_is_unfinished_work_of_the_agency_only(world: Engine) -> None:
    with Session(world) as s:
        found = board_page.my_work(s, "XA-A", today=local_date(now()), calendar=CALENDAR)
    assert found.rows and all(r["status"] not in ("done", "cancelled") for r in found.rows)
    assert all(r["lead_code"] == "XA-A" or "XA-A" in (r["cooperating"] or [])
               for r in found.rows)


def test_board_page_filters_and_pages(world: Engine, client: TestClient) -> None:
    login(client, COORDINATOR.username)
    page = client.get("/board")
    assert page.status_code == 200 and "table" in page.text
    ids = re.findall(r'href="/assignments/(\d+)"', page.text)
    assert ids
    only = client.get("/board?commune=XA-A")
    assert only.status_code == 200
    for ident in re.findall(r'href="/assignments/(\d+)"', only.text):
        assert f"/assignments/{ident}" in page.text
    assert client.get("/board?status=nonsense").status_code == 422
    assert client.get("/board?after=garbage").status_code == 422
    assert client.get("/board?asof=99/99/2027").status_code == 422


def test_english_switch(world: Engine, client: TestClient) -> None:
    login(client, XA_A_OFFICER.username)
    assert "Việc của tôi" in client.get("/work").text
    assert client.get("/lang/en?next=/work").status_code == 303
    assert "My work" in client.get("/work").text


def test_an_internal_error_shows_no_trace_and_no_sql(world: Engine, app: FastAPI) -> None:
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    login(client, COORDINATOR.username)
    with world.begin() as conn:
        conn.execute(text("DROP TABLE extension_request"))
    r = client.get("/extensions")
    assert r.status_code == 500
    for leak in ("Traceback", "extension_request", "SELECT", "sqlalchemy", "File \""):
        assert leak not in r.text
