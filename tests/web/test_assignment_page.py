"""The assignment page: the moves a viewer may make, the outputs form with errors next to their
fields, evidence upload and download (real databases)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from agencyflow.db import session_scope
from agencyflow.models import Evidence
from tests.lifecycle_plan import assignment_id, get
from tests.web_world import COORDINATOR, LEADER, NN_OFFICER, XA_A_OFFICER, csrf_of, login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _open_eval(engine: Engine, client: TestClient) -> int:
    """Approve the PLAN step as the coordinator so that the communes' EVAL opens."""
    plan = assignment_id(engine, "PLAN", year=get_year(engine))
    login(client, NN_OFFICER.username)
    page = client.get(f"/assignments/{plan}")
    r = client.post(f"/assignments/{plan}/submit", data={
        "csrf": csrf_of(page.text), "o.plan_document": "https://vb.example.gov.vn/kh.pdf",
        "o.budget": "120"})
    assert r.status_code == 303, r.text
    client.cookies.clear()
    login(client, COORDINATOR.username)
    page = client.get(f"/assignments/{plan}")
    assert f'action="/assignments/{plan}/approve"' in page.text
    assert client.post(f"/assignments/{plan}/approve",
                       data={"csrf": csrf_of(page.text)}).status_code == 303
    client.cookies.clear()
    return assignment_id(engine, "EVAL", "XA-A", year=get_year(engine))


def get_year(engine: Engine) -> int:
    from sqlmodel import Session, select

    from agencyflow.models import Cycle

    with Session(engine) as s:
        return s.execute(select(Cycle.year)).scalar_one()


def test_officer_fills_the_list_with_errors_next_to_fields_then_completes(
        world: Engine, client: TestClient) -> None:
    ident = _open_eval(world, client)
    login(client, XA_A_OFFICER.username)
    page = client.get(f"/assignments/{ident}")
    assert page.status_code == 200
    moves = set(re.findall(r'action="/assignments/\d+/(\w+)"', page.text))
    assert moves == {"start", "complete", "progress", "extend", "contribute"}
    token = csrf_of(page.text)
    # one good row, one bad score, one row missing its producer
    bad = {"csrf": token, "o.products.0.product": "Gà đồi", "o.products.0.producer": "HTX A",
           "o.products.0.score": "85", "o.products.1.product": "Mật ong",
           "o.products.1.producer": "Hộ B", "o.products.1.score": "140",
           "o.products.2.product": "Vải", "o.products.2.producer": "",
           "o.products.2.score": "60", "o.meeting_date": "31/02/2027"}
    r = client.post(f"/assignments/{ident}/complete", data=bad)
    assert r.status_code == 422
    html = r.text
    assert re.search(r'id="complete-o.products.1.score-error">[^<]*100', html)
    assert 'id="complete-o.products.2.producer-error"' in html
    assert 'id="complete-o.meeting_date-error"' in html
    assert 'id="complete-o.products.0.score-error"' not in html
    assert 'value="Mật ong"' in html and 'value="140"' in html  # values kept
    assert get(world, ident).status == "open"  # nothing saved
    good = {"csrf": token, "o.products.0.product": "Gà đồi", "o.products.0.producer": "HTX A",
            "o.products.0.score": "85", "o.products.1.product": "Mật ong",
            "o.products.1.producer": "Hộ B", "o.products.1.score": "64"}
    r = client.post(f"/assignments/{ident}/complete", data=good,
                    files={"evidence": ("biên bản.pdf", PDF, "application/pdf")})
    assert r.status_code == 303, r.text
    row = get(world, ident)
    assert row.status == "done"
    assert row.outputs == {"products": [
        {"product": "Gà đồi", "producer": "HTX A", "score": 85, "stars": 4},
        {"product": "Mật ong", "producer": "Hộ B", "score": 64, "stars": 3}]}
    page = client.get(f"/assignments/{ident}")
    link = re.search(r'href="(/evidence/\d+)">biên bản.pdf', page.text)
    assert link, page.text
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    evidence_id = int(link.group(1).rsplit("/", 1)[1])
    with session_scope(world) as s:  # the type stored with the file is the one served
        stored = s.get(Evidence, evidence_id)
        assert stored is not None and stored.content_type == "application/pdf"
        stored.content_type = "application/octet-stream"
    again = client.get(link.group(1))
    assert again.headers["content-type"] == "application/octet-stream"


def test_list_rows_can_be_added_without_javascript(world: Engine, client: TestClient) -> None:
    ident = _open_eval(world, client)
    login(client, XA_A_OFFICER.username)
    page = client.get(f"/assignments/{ident}")
    r = client.post(f"/assignments/{ident}/complete", data={
        "csrf": csrf_of(page.text), "more": "products", "o.products.0.product": "Gà",
        "o.products.0.producer": "", "o.products.0.score": ""})
    assert r.status_code == 200
    assert 'name="o.products.1.product"' in r.text and 'value="Gà"' in r.text
    assert get(world, ident).status == "open"


def test_too_big_evidence_is_refused_with_the_cli_rule(world: Engine, client: TestClient,
                                                       app: object) -> None:
    ident = _open_eval(world, client)
    app.state.web.settings.evidence_max_bytes = 10  # type: ignore[attr-defined]
    login(client, XA_A_OFFICER.username)
    page = client.get(f"/assignments/{ident}")
    r = client.post(f"/assignments/{ident}/progress", data={"csrf": csrf_of(page.text),
                                                             "note": "Đang làm"},
                    files={"evidence": ("big.pdf", PDF, "application/pdf")})
    # the page speaks Vietnamese by default, and so does the service's refusal on it
    assert r.status_code == 422 and "vượt giới hạn dung lượng 10 byte" in r.text
    assert get(world, ident).status == "open"


def test_extension_requested_by_the_lead_and_approved_by_the_leader(
        world: Engine, client: TestClient) -> None:
    ident = assignment_id(world, "PLAN", year=get_year(world))
    due = get(world, ident).due_current
    assert due is not None
    login(client, NN_OFFICER.username)
    page = client.get(f"/assignments/{ident}")
    r = client.post(f"/assignments/{ident}/extend", data={
        "csrf": csrf_of(page.text), "new_due": "not a date", "reason": "Chờ số liệu"})
    assert r.status_code == 422 and 'value="not a date"' in r.text
    new_due = due.replace(year=due.year + 1)
    r = client.post(f"/assignments/{ident}/extend", data={
        "csrf": csrf_of(page.text), "new_due": new_due.strftime("%d/%m/%Y"),
        "reason": "Chờ số liệu các xã"})
    assert r.status_code == 303
    client.cookies.clear()
    login(client, LEADER.username)
    pending = client.get("/extensions")
    assert f"/assignments/{ident}" in pending.text
    page = client.get(f"/assignments/{ident}")
    ext = re.search(r'name="extension" value="(\d+)"', page.text)
    assert ext
    r = client.post(f"/assignments/{ident}/decide", data={
        "csrf": csrf_of(page.text), "extension": ext.group(1), "decision": "approve"})
    assert r.status_code == 303
    assert get(world, ident).due_current == new_due
    assert get(world, ident).due_original == due


def test_a_move_the_role_does_not_allow_is_403(world: Engine, client: TestClient) -> None:
    ident = assignment_id(world, "PLAN", year=get_year(world))
    login(client, XA_A_OFFICER.username)
    page = client.get(f"/assignments/{ident}")
    assert page.status_code == 200 and "/start" not in page.text
    r = client.post(f"/assignments/{ident}/start", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 403
    assert get(world, ident).status == "open"


def test_a_cooperating_agency_contributes_figures_and_a_comment(world: Engine,
                                                                client: TestClient) -> None:
    ident = assignment_id(world, "PLAN", year=get_year(world))
    from tests.web_world import KTHT_OFFICER

    login(client, KTHT_OFFICER.username)
    page = client.get(f"/assignments/{ident}")
    assert f'action="/assignments/{ident}/contribute"' in page.text
    r = client.post(f"/assignments/{ident}/contribute", data={
        "csrf": csrf_of(page.text), "comment": "Đã rà soát số liệu", "o.budget": "-5"})
    assert r.status_code == 422 and 'id="contribute-o.budget-error"' in r.text
    r = client.post(f"/assignments/{ident}/contribute", data={
        "csrf": csrf_of(page.text), "comment": "Đã rà soát số liệu", "o.budget": "35"})
    assert r.status_code == 303
    page = client.get(f"/assignments/{ident}")
    assert "Đã rà soát số liệu" in page.text and "budget: 35" in page.text
    assert get(world, ident).status == "open"  # the lead's assignment itself is unchanged
