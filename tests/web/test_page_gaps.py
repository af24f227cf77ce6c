"""Pages for every role: my API tokens (anyone makes and revokes their own), the timeline of
one commune, the targets of one year."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from agencyflow.db import session_scope
from agencyflow.services.board import listing as board
from agencyflow.services.people import users
from agencyflow.services.plans import timeline
from tests.web_world import COORDINATOR, XA_A_OFFICER, XA_B_OFFICER, csrf_of, login


def test_an_officer_makes_uses_and_revokes_their_own_token(world: Engine,
                                                           client: TestClient) -> None:
    login(client, XA_A_OFFICER.username)
    page = client.get("/tokens")
    assert page.status_code == 200 and "/tokens" in page.text
    made = client.post("/tokens", data={"name": "bảng tính", "csrf": csrf_of(page.text)})
    secret = re.search(r'id="new-token">.*?<code>([^<]+)</code>', made.text, re.S)
    assert made.status_code == 200 and secret
    api = client.get("/api/v1/assignments", headers={"Authorization": f"Bearer {secret[1]}"})
    assert api.status_code == 200
    with session_scope(world) as s:
        [(mine, owner)] = users.list_tokens(s, XA_A_OFFICER.username)
        other = users.create_token(s, XA_B_OFFICER.username, now=mine.created_at,
                                   actor=COORDINATOR.actor, name="b").token.id
    assert owner == XA_A_OFFICER.username and mine.name == "bảng tính"
    token = csrf_of(client.get("/tokens").text)
    assert client.post(f"/tokens/{other}/revoke", data={"csrf": token}).status_code == 403
    gone = client.post(f"/tokens/{mine.id}/revoke", data={"csrf": token})
    assert gone.status_code == 303 and gone.headers["location"].startswith("/tokens")
    api = client.get("/api/v1/assignments", headers={"Authorization": f"Bearer {secret[1]}"})
    assert api.status_code == 401


def test_the_timeline_of_one_commune(world: Engine, client: TestClient) -> None:
    login(client, COORDINATOR.username)
    with session_scope(world) as s:
        cycle = board.cycle_for(s)
        everything = timeline.lines(s, cycle.id)
        own = timeline.lines(s, cycle.id, "XA-A")
    fan_out = {(line.step_id, line.period) for line in own}
    assert fan_out and len(own) < len(everything)
    assert all(line.assignments == 1 for line in own)  # one commune: one of each
    page = client.get("/timeline?commune=XA-A")
    assert page.status_code == 200
    assert '<option value="XA-A" selected>' in page.text
    assert page.text.count("<rect ") == len(own)
    unknown = client.get("/timeline?commune=XA-Q")
    assert unknown.status_code == 404 and "XA-A" in unknown.text  # names the nearest


def test_targets_of_one_year(world: Engine, client: TestClient) -> None:
    login(client, COORDINATOR.username)
    with session_scope(world) as s:
        year = board.cycle_for(s).year
    page = client.get(f"/targets?year={year}")
    assert page.status_code == 200
    assert f'<option value="{year}" selected>{year}</option>' in page.text


def test_the_pages_own_refusals_speak_the_readers_language(world: Engine,
                                                          client: TestClient) -> None:
    login(client, COORDINATOR.username)
    form = {"plan": "walk-ocop", "year": "năm nay"}
    vi = client.post("/cycles", data=form | {"csrf": csrf_of(client.get("/cycles").text)})
    assert vi.status_code == 422 and "hãy nhập năm của chu kỳ, ví dụ 2027" in vi.text
    assert "give the year" not in vi.text
    client.cookies.set("af_lang", "en")
    en = client.post("/cycles", data=form | {"csrf": csrf_of(client.get("/cycles").text)})
    assert en.status_code == 422 and "give the year of the cycle, e.g. 2027" in en.text
    # the API's refusal of a request without a token, by Accept-Language
    client.cookies.clear()
    anonymous = client.get("/api/v1/assignments")
    assert anonymous.status_code == 401 and "hãy gửi mã truy cập API" in anonymous.json()["detail"]
    english = client.get("/api/v1/assignments", headers={"Accept-Language": "en"})
    assert english.status_code == 401 and english.json()["detail"].startswith("send an API token")
