"""The REST API on the real app and database (SQLite and PostgreSQL): authentication,
problem+json, the keyset list, ETag/If-Match, Idempotency-Key, moves, evidence uploads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.models import AuditEvent, Evidence, PlanVersion
from agencyflow.services.board import listing as board
from agencyflow.services.people import users
from agencyflow.web.api.schemas import AssignmentPage, AssignmentRow
from tests.api_world import World, world_for
from tests.factories import CALENDAR, at

PROBLEM = "application/problem+json"


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> Iterator[World]:
    yield from world_for(engine, tmp_path)


def _problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "instance", "errors"}
    assert body["status"] == status and body["type"].startswith("urn:agencyflow:problem:")
    assert "Traceback" not in response.text and "SELECT" not in response.text
    return body


def _events(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def test_bearer_tokens_only_and_401_as_problems(world: World) -> None:
    body = _problem(world.call(None, "GET", "/plans"), 401)
    assert body["instance"] == "/api/v1/plans" and body["title"] == "Chưa xác thực"
    english = world.call(None, "GET", "/plans", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert _problem(english, 401)["title"] == "Not authenticated"
    assert english.headers["www-authenticate"].startswith("Bearer")
    _problem(world.call(None, "GET", "/plans", headers={"Authorization": "Bearer af_nope"}), 401)
    _problem(world.call(None, "GET", "/plans", headers={"Authorization": "Basic eDp5"}), 401)
    world.client.cookies.set("session", world.tokens["coord"])  # cookies are never read
    _problem(world.call(None, "GET", "/plans"), 401)
    world.client.cookies.clear()
    assert world.call("xa", "GET", "/plans").status_code == 200
    with session_scope(world.engine) as session:
        coord = users.actor_for(session, "coord")
        users.disable_user(session, "xa", now=at(2027, 2, 1), actor=coord)
        token_id = users.tokens_visible_to(session, coord, "ktht")[0][0].id
        users.revoke_token(session, token_id or 0, now=at(2027, 2, 1), actor=coord)
    assert "đã bị khóa" in _problem(world.call("xa", "GET", "/plans"), 401)["detail"]  # disabled
    assert "đã bị thu hồi" in _problem(world.call("ktht", "GET", "/plans"), 401)["detail"]


def test_unknown_routes_methods_and_invalid_requests_are_problems(world: World) -> None:
    _problem(world.call("coord", "GET", "/nowhere"), 404)
    _problem(world.call("coord", "DELETE", "/plans"), 405)
    invalid = _problem(world.call("coord", "GET", "/assignments?limit=0&status=lost"), 422)
    assert {e["field"] for e in invalid["errors"]} == {"query.limit", "query.status"}
    _problem(world.call("coord", "GET", "/assignments/999999"), 404)
    bad_json = world.call("coord", "POST", "/cycles", content=b"{", headers={
        "Content-Type": "application/json"})
    _problem(bad_json, 422)


def test_the_list_walks_every_row_once_in_board_order_by_keyset(world: World) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        query = f"/assignments?cycle={world.cycle_id}&limit=2&now=2027-03-10"
        page = world.call("xa", "GET", query + (f"&cursor={cursor}" if cursor else "")).json()
        AssignmentPage.model_validate(page)  # written without the model: it must still fit it
        assert all(set(row) == set(AssignmentRow.model_fields) for row in page["items"])
        seen += [row["id"] for row in page["items"]]
        assert len(page["items"]) <= 2 and page["today"] == "2027-03-10"
        cursor = page["next_cursor"]
        if cursor is None:
            break
    with Session(world.engine) as session:
        flt = board.BoardFilter(cycle_id=world.cycle_id)
        rows = board.rows(session, flt, today=at(2027, 3, 10).date(), calendar=CALENDAR)
    assert seen == [r["id"] for r in rows] and len(seen) > 6  # undated (waiting) rows included
    by_commune = world.call("xa", "GET", "/assignments?commune=XA-A&plan=walk-ocop&year=2027")
    assert {r["member"] for r in by_commune.json()["items"]} == {"XA-A"}
    ktht = world.call("xa", "GET", "/assignments?agency=KTHT").json()["items"]
    assert ktht and all(r["lead_code"] == "KTHT" or "KTHT" in r["cooperating"] for r in ktht)
    waiting = world.call("xa", "GET", "/assignments?status=waiting").json()["items"]
    assert waiting and {r["board_status"] for r in waiting} == {"waiting"}
    assert _problem(world.call("xa", "GET", "/assignments?cursor=bm9wZQ"), 422)["errors"] == []


def test_etag_and_if_match_on_moves(world: World) -> None:
    plan = world.ids["PLAN"]
    shown = world.call("nn", "GET", f"/assignments/{plan}?now=2027-02-01")
    assert shown.status_code == 200 and shown.headers["etag"] == '"1"'
    assert shown.json()["board_status"] == "in_progress"
    stale = world.call("nn", "POST", f"/assignments/{plan}/start", headers={"If-Match": '"7"'})
    assert "phiên bản 1" in _problem(stale, 412)["detail"]  # the API speaks Vietnamese by default
    _problem(world.call("nn", "POST", f"/assignments/{plan}/start",
                        headers={"If-Match": "seven"}), 422)
    started = world.call("nn", "POST", f"/assignments/{plan}/start", headers={"If-Match": '"1"'})
    assert started.status_code == 200, started.text
    assert started.headers["etag"] == '"2"' and started.json()["status"] == "in_progress"
    again = world.call("nn", "POST", f"/assignments/{plan}/start")
    assert "đang thực hiện" in _problem(again, 409)["detail"]  # in progress, in words
    progressed = world.call("nn", "POST", f"/assignments/{plan}/progress",
                            json={"note": "Đã họp"}, headers={"If-Match": 'W/"2"'})
    assert progressed.status_code == 200 and progressed.headers["etag"] == '"3"'


def test_idempotency_key_replays_without_acting_twice(world: World) -> None:
    plan = world.ids["PLAN"]
    key = {"Idempotency-Key": "nn-2027-02-01-progress-1"}
    first = world.call("nn", "POST", f"/assignments/{plan}/progress", json={"note": "Lần 1"},
                       headers=key)
    assert first.status_code == 200, first.text
    events = _events(world.engine)
    again = world.call("nn", "POST", f"/assignments/{plan}/progress", json={"note": "Lần 1"},
                       headers=key)
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"] == '"2"'
    assert again.headers["idempotent-replayed"] == "true"
    assert _events(world.engine) == events  # nothing was done the second time
    other = world.call("nn", "POST", f"/assignments/{plan}/progress", json={"note": "Lần 2"},
                       headers=key)
    assert "another request" in _problem(other, 422)["detail"]
    # the key is the actor's: the coordinator's same key is a new request
    theirs = world.call("coord", "POST", f"/assignments/{plan}/progress",
                        json={"note": "Lần 1"}, headers=key)
    assert theirs.status_code == 200 and theirs.headers["etag"] == '"3"'
    # a refused request leaves no key behind: the retry is judged afresh
    refused = world.call("nn", "POST", f"/assignments/{plan}/approve",
                         headers={"Idempotency-Key": "k-approve"})
    _problem(refused, 403)
    assert world.call("coord", "POST", f"/assignments/{plan}/start",
                      headers={"Idempotency-Key": "k-approve"}).status_code == 409


def test_outputs_are_validated_with_every_problem_listed(world: World) -> None:
    plan = world.ids["PLAN"]
    outputs = {"plan_document": "ftp://x", "budget": "nhiều", "stars": 3}
    bad = world.call("nn", "POST", f"/assignments/{plan}/submit", json={"outputs": outputs},
                     headers={"Accept-Language": "en"})
    body = _problem(bad, 422)
    fields = [e["field"] for e in body["errors"]]
    assert fields == ["output stars", "output plan_document", "output budget"], body
    # without Accept-Language the problem is told in Vietnamese, its fields too
    vi = _problem(world.call("nn", "POST", f"/assignments/{plan}/submit",
                             json={"outputs": outputs}), 422)
    assert [e["field"] for e in vi["errors"]] == [
        "kết quả stars", "kết quả plan_document", "kết quả budget"], vi
    typo = world.call("nn", "POST", f"/assignments/{plan}/submit", json={"output": {}})
    assert _problem(typo, 422)["errors"][0]["field"] == "body.output"


def test_a_reviewed_step_and_an_extension_through_the_api(world: World) -> None:
    plan = world.ids["PLAN"]
    ext = world.call("nn", "POST", f"/assignments/{plan}/extensions",
                     json={"new_due": "2027-04-30", "reason": "Chờ số liệu"})
    assert ext.status_code == 201, ext.text
    ext_id = ext.json()["id"]
    pending = world.call("leader", "GET", "/extensions?status=pending").json()
    assert [e["id"] for e in pending] == [ext_id]
    _problem(world.call("nn", "POST", f"/extensions/{ext_id}/decision",
                        json={"approve": True}), 403)
    _problem(world.call("leader", "POST", f"/extensions/{ext_id}/decision",
                        json={"approve": False}), 422)  # refusing needs a reason
    decided = world.call("leader", "POST", f"/extensions/{ext_id}/decision",
                         json={"approve": True, "reason": "Đồng ý"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    submitted = world.call("nn", "POST", f"/assignments/{plan}/submit", json={
        "outputs": {"plan_document": "https://kimthanh.gov.vn/kh.pdf", "budget": 120}})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    etag = submitted.headers["etag"]
    rejected = world.call("coord", "POST", f"/assignments/{plan}/reject",
                          json={"reason": "Thiếu dự toán"}, headers={"If-Match": etag})
    assert rejected.json()["status"] == "in_progress"
    world.call("nn", "POST", f"/assignments/{plan}/submit", json={"outputs": {}})
    approved = world.call("coord", "POST", f"/assignments/{plan}/approve", json={})
    assert approved.json()["status"] == "done", approved.text
    detail = world.call("insp", "GET", f"/assignments/{plan}").json()
    assert detail["assignment"]["due_original"] != detail["assignment"]["due_current"]
    assert [h["action"] for h in detail["history"]][-1] == "assignment.approve"
    opened = world.call("xa", "GET", f"/assignments/{world.ids['EVAL-A']}").json()
    assert opened["assignment"]["status"] == "open"


def test_evidence_upload_by_multipart(world: World) -> None:
    market = world.ids["MARKET"]
    data = '{"outputs": {}, "note": "Biên bản"}'
    files = [("files", ("bien-ban.pdf", b"%PDF-1.4 minutes", "application/pdf")),
             ("files", ("anh.jpg", b"\xff\xd8 photo", "image/jpeg"))]
    done = world.call("ktht", "POST", f"/assignments/{market}/complete", data={"data": data},
                      files=files)
    assert done.status_code == 200, done.text
    detail = world.call("ktht", "GET", f"/assignments/{market}").json()
    assert sorted(e["filename"] for e in detail["evidence"]) == ["anh.jpg", "bien-ban.pdf"]
    with Session(world.engine) as session:
        stored = session.execute(select(Evidence)).scalars().all()
    store = world.settings.resolved_evidence_dir()
    assert all((store / e.sha256[:2] / e.sha256).is_file() for e in stored if e.sha256)
    sneaky = world.call("ktht", "POST", f"/assignments/{world.ids['PLAN']}/contribute",
                        data={"data": '{"comment": "x"}'},
                        files=[("files", ("../../etc/passwd", b"x", "text/plain"))])
    assert sneaky.status_code in (403, 422)
    big = world.settings.evidence_max_bytes + 1
    too_big = world.call("nn", "POST", f"/assignments/{world.ids['PLAN']}/progress",
                         data={"data": '{"note": "lớn"}'},
                         files=[("files", ("big.bin", b"\0" * big, "application/octet-stream"))])
    assert "vượt giới hạn dung lượng" in _problem(too_big, 422)["detail"]  # Vietnamese first


def test_the_readme_shows_a_curl_example_for_every_route(world: World) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## REST API\n", 1)[1].split("\n## ", 1)[0]
    shown = [path.split("?")[0] for path in re.findall(r"\$AF(/[^\s\"']*)", section)]
    spec = world.call("coord", "GET", "/openapi.json").json()
    for path in spec["paths"]:
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        assert any(pattern.match(p) for p in shown), f"README shows no example of {path}"


def test_the_docs_page_and_its_assets_are_served_locally(world: World) -> None:
    page = world.client.get("/api/docs/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/api/docs/") for s in sources), sources
    assert "<script>" not in page.text  # no inline script: a strict CSP allows the page
    for source in sources:
        assert world.client.get(source).status_code == 200, source
    init = world.client.get("/api/docs/init.js").text
    assert "/api/v1/openapi.json" in init
    spec = world.client.get("/api/v1/openapi.json").json()
    assert spec["servers"] == [{"url": "/api/v1"}]
    assert "Problem" in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_counts_audit_export_round_trip_and_four_eyes(world: World) -> None:
    counts = world.call("xa", "GET", "/assignments/counts?now=2027-03-10").json()
    assert sum(sum(c.values()) for c in counts["counts"].values()) > 6
    plan = world.ids["PLAN"]
    ext = world.call("coord", "POST", f"/assignments/{plan}/extensions",
                     json={"new_due": "2027-04-30", "reason": "Chờ số liệu"}).json()
    own = world.call("coord", "POST", f"/extensions/{ext['id']}/decision",
                     json={"approve": True})
    assert "nguyên tắc hai người" in _problem(own, 403)["detail"]  # four eyes, inherited
    assert world.call("leader", "POST", f"/extensions/{ext['id']}/decision",
                      json={"approve": True}).status_code == 200
    export = world.call("insp", "GET", "/audit/export?format=jsonl")
    assert export.status_code == 200
    assert re.fullmatch(r"\d+ [0-9a-f]{64}", export.headers["x-audit-head"])
    checked = world.call("insp", "POST", "/audit/verify-export", content=export.content,
                         headers={"Content-Type": "application/x-ndjson"}).json()
    assert checked["intact"] and checked["events"] == int(export.headers["x-audit-events"])
    assert world.call("insp", "POST", "/audit/verify").json()["intact"]
    lines = export.text.splitlines()
    edited = "\n".join([lines[0].replace('"plan.load"', '"plan.edit"'), *lines[1:]])
    broken = world.call("insp", "POST", "/audit/verify-export", content=edited.encode(),
                        headers={"Accept-Language": "en"}).json()
    assert not broken["intact"] and "edited" in broken["problem"]
    garbage = world.call("insp", "POST", "/audit/verify-export", content=b'{}\n[1]\n').json()
    assert not garbage["intact"] and "không phải sự kiện kiểm toán đã xuất" in garbage["problem"]


def test_a_cycle_starts_from_a_stored_or_bundled_key_never_from_a_file_of_the_server(
        world: World) -> None:
    plan_file = "tests/fixtures/plans/valid.yaml"  # a real plan, relative to the server's cwd
    assert Path(plan_file).is_file()
    missing = _problem(world.call("coord", "POST", "/cycles",
                                  json={"plan": plan_file, "year": 2027}), 404)
    assert plan_file in missing["detail"]
    _problem(world.call("nn", "POST", "/cycles",
                        json={"plan": "kim-thanh-ocop", "year": 2027}), 403)
    with Session(world.engine) as session:
        stored = set(session.execute(select(PlanVersion.key)).scalars())
    assert stored == {"walk-ocop"}  # neither the file nor, for the officer, the bundled plan
    started = world.call("coord", "POST", "/cycles", json={"plan": "kim-thanh-ocop", "year": 2027})
    assert started.status_code == 201, started.text
    assert started.json()["cycle"]["plan_key"] == "kim-thanh-ocop"
    assert started.json()["assignments"] > 0
