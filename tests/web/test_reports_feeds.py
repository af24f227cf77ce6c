"""The report download page (coordinator, leader) and the calendar feeds (coordinator: any
agency; officer: its own): role checks, Vietnamese by default, the files as a user's program
would open them — python-docx for the .docx, openpyxl for the .xlsx, two iCalendar parsers for
the feed — and a revoked feed that stops working."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import icalendar
import ics
import pytest
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlmodel import Session

from agencyflow.models import AuditEvent, CalendarFeed
from tests.web.test_assignment_page import get_year
from tests.web_world import (
    COORDINATOR,
    INSPECTOR,
    KTHT_OFFICER,
    LEADER,
    NN_OFFICER,
    csrf_of,
    login,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def people(app: FastAPI, world: Engine) -> Iterator[dict[str, TestClient]]:
    """A logged-in client per person, and one nobody logged in to."""
    clients = {p.username: login(TestClient(app, follow_redirects=False), p.username)
               for p in (COORDINATOR, LEADER, INSPECTOR, NN_OFFICER, KTHT_OFFICER)}
    clients["anonymous"] = TestClient(app, follow_redirects=False)
    yield clients
    for c in clients.values():
        c.close()


def test_only_the_coordinator_and_the_leader_download_reports(people, world) -> None:
    expected = {COORDINATOR.username: 200, LEADER.username: 200, INSPECTOR.username: 403,
                NN_OFFICER.username: 403, "anonymous": 303}
    year = get_year(world)
    for who, status in expected.items():
        assert people[who].get("/reports").status_code == status, who
        got = people[who].get(f"/reports/download?plan=walk-ocop&period={year}&format=md")
        assert got.status_code == status, who
    page = people[LEADER.username].get("/reports").text
    assert "Tải báo cáo" in page and 'name="period"' in page and "<script" not in page


def test_the_word_report_opens_with_python_docx(people, world) -> None:
    year = get_year(world)
    got = people[COORDINATOR.username].get(
        f"/reports/download?plan=walk-ocop&period={year}&format=docx")
    assert got.status_code == 200 and got.headers["content-type"] == DOCX
    assert re.search(rf'filename="bao-cao-walk-ocop-{year}\.docx"',
                     got.headers["content-disposition"])
    doc = Document(io.BytesIO(got.content))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Số:" in text
    md = people[COORDINATOR.username].get(
        f"/reports/download?plan=walk-ocop&period={year}&format=md").text
    total = re.search(r"Tổng số nhiệm vụ\D*(\d+)", md)
    assert total and total.group(1) in text  # the same figures in both formats


def test_the_excel_report_and_a_quarter(people, world) -> None:
    year = get_year(world)
    got = people[LEADER.username].get(
        f"/reports/download?plan=walk-ocop&period={year}-Q1&format=xlsx")
    assert got.status_code == 200 and "spreadsheetml" in got.headers["content-type"]
    assert load_workbook(io.BytesIO(got.content)).sheetnames


@pytest.mark.parametrize(("query", "field"), [
    ("period=2027-Q9", "period"), ("period=năm nay", "period"),
    ("period=2027&as_of=31/02/2027", "as_of"), ("period=2027&format=pdf", "format"),
    ("period=2027&agency=KHONG-CO", "plan")])
def test_a_wrong_value_shows_the_form_again_with_its_error(people, query: str,
                                                           field: str) -> None:
    got = people[COORDINATOR.username].get(f"/reports/download?plan=walk-ocop&{query}")
    assert got.status_code == 422 and "text/html" in got.headers["content-type"]
    assert f'id="{field}-error"' in got.text and "Traceback" not in got.text
    assert got.text.count('class="field-error"') == 1  # next to that field only


def create_feed(client: TestClient, agency: str) -> TestClient | str:
    page = client.get("/feeds")
    got = client.post("/feeds", data={"agency": agency, "csrf": csrf_of(page.text)})
    if got.status_code != 200:
        return str(got.status_code)
    address = re.search(r'id="feed-address">.*?<code>([^<]+)</code>', got.text, re.S)
    assert address, got.text
    return address.group(1)


def test_an_officer_makes_a_feed_of_its_agency_that_calendars_read(people, app, world) -> None:
    officer = people[NN_OFFICER.username]
    assert create_feed(officer, "KTHT") == "403"  # not its agency
    address = create_feed(officer, "NN")
    assert isinstance(address, str) and re.search(r"/feeds/afc_[\w-]+\.ics$", address)
    path = address[address.index("/feeds/"):]
    with TestClient(app) as calendar_app:  # no login: the token is the key
        got = calendar_app.get(path)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(got.content)
    events = [c for c in cal.walk("VEVENT")]
    assert events and all("walk-ocop.agencyflow" in str(e["UID"]) for e in events)
    assert len(ics.Calendar(got.text).events) == len(events)  # a second, independent parser
    with Session(world) as s:
        feed = s.execute(select(CalendarFeed)).scalar_one()
        assert feed.agency_code == "NN" and feed.token_hash not in address
        logged = s.execute(select(AuditEvent).where(AuditEvent.action == "feed.create")).one()
    secret = path.removeprefix("/feeds/").removesuffix(".ics")
    assert secret not in str(logged[0].model_dump())


def test_a_revoked_or_unknown_feed_is_refused(people, app, world) -> None:
    address = create_feed(people[COORDINATOR.username], "KTHT")
    assert isinstance(address, str)
    path = address[address.index("/feeds/"):]
    listing = people[KTHT_OFFICER.username].get("/feeds").text  # its agency's feed, listed
    feed_id = re.search(r'action="/feeds/(\d+)/revoke"', listing)
    assert feed_id and people[LEADER.username].get("/feeds").status_code == 403
    revoked = people[KTHT_OFFICER.username].post(
        f"/feeds/{feed_id.group(1)}/revoke", data={"csrf": csrf_of(listing)})
    assert revoked.status_code == 303
    with TestClient(app) as calendar_app:
        assert calendar_app.get(path).status_code == 401
        assert calendar_app.get("/feeds/afc_not-a-token.ics").status_code == 401
