"""Sessions, CSRF, throttling, headers and error pages of the web app (real databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from agencyflow.models import AuditEvent, LoginAttempt, WebSession
from agencyflow.services.audit import trail as audit
from agencyflow.services.people import sessions as web_sessions
from agencyflow.web.context import SESSION_COOKIE
from agencyflow.web.security import CSP
from tests.web_world import COORDINATOR, PASSWORD, XA_A_OFFICER, csrf_of, login


def _actions(engine: Engine, username: str) -> list[str]:
    with Session(engine) as s:
        stmt = (select(col(AuditEvent.action)).where(col(AuditEvent.target_type) == "user",
                                                     col(AuditEvent.target_id) == username,
                                                     col(AuditEvent.action).like("web.%"))
                .order_by(col(AuditEvent.seq)))
        return list(s.execute(stmt).scalars())


def _try(client: TestClient, username: str, password: str) -> int:
    page = client.get("/login")
    import re

    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token
    return client.post("/login", data={"username": username, "password": password,
                                       "login_token": token.group(1)}).status_code


def test_headers_on_every_response(client: TestClient) -> None:
    for path in ("/login", "/healthz", "/static/app.css", "/no-such-page"):
        r = client.get(path)
        assert r.headers["content-security-policy"] == CSP
        assert "unsafe-inline" not in CSP and "frame-ancestors 'none'" in CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
    assert client.get("/no-such-page").status_code == 404
    api = client.get("/api/v1/openapi.json")  # the REST API is mounted under the app
    assert api.status_code == 200 and "/assignments" in str(api.json()["paths"])


def test_login_session_cookie_and_logout(world: Engine, client: TestClient) -> None:
    assert client.get("/board").status_code == 303  # to the login page
    login(client, XA_A_OFFICER.username)
    cookie = next(c for c in client.cookies.jar if c.name == SESSION_COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly")
    with Session(world) as s:  # only the hash is stored
        stored = s.execute(select(col(WebSession.token_hash))).scalars().all()
    assert cookie.value not in stored and web_sessions.cookie_hash(cookie.value or "") in stored
    page = client.get("/work")
    assert page.status_code == 200
    token = csrf_of(page.text)
    assert client.post("/logout", data={"csrf": token}).status_code == 303
    client.cookies.set(SESSION_COOKIE, cookie.value or "")  # the old cookie no longer works
    assert client.get("/work").status_code == 303
    assert _actions(world, XA_A_OFFICER.username) == ["web.login", "web.logout"]
    with Session(world) as s:
        assert audit.verify(s) > 0


def test_wrong_password_is_refused_and_audited(world: Engine, client: TestClient) -> None:
    assert _try(client, COORDINATOR.username, "not-the-password") == 401
    assert _try(client, "nobody.here", "whatever-it-is") == 401
    assert _actions(world, COORDINATOR.username) == ["web.login_failed"]
    assert _actions(world, "nobody.here") == ["web.login_failed"]


def test_throttle_per_user_with_a_clear_message(world: Engine, client: TestClient) -> None:
    for _ in range(web_sessions.MAX_FAILURES_PER_USER):
        assert _try(client, COORDINATOR.username, "wrong-password") == 401
    # now even the right password is refused, with the time it will work again
    page = client.get("/login")
    import re

    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token
    r = client.post("/login", data={"username": COORDINATOR.username, "password": PASSWORD,
                                    "login_token": token.group(1)})
    assert r.status_code == 429
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", r.text)
    assert SESSION_COOKIE not in r.cookies
    # another user from the same address is not locked out by someone else's failures
    assert _try(client, XA_A_OFFICER.username, PASSWORD) == 303


def test_throttle_per_address(world: Engine, client: TestClient) -> None:
    # the address already failed with many names (each failure costs an Argon2 check: the
    # earlier ones are written directly; the last one goes through the form)
    now = datetime.now(UTC)
    with Session(world) as s:
        for i in range(web_sessions.MAX_FAILURES_PER_ADDRESS - 1):
            s.add(LoginAttempt(username=f"guess{i}", address="testclient",
                               at=now - timedelta(minutes=1), ok=False))
        s.commit()
    assert _try(client, "guess-last", "wrong-password") == 401
    assert _try(client, XA_A_OFFICER.username, PASSWORD) == 429
    with Session(world) as s:  # old failures no longer count
        s.execute(update(LoginAttempt).values(at=now - timedelta(minutes=20)))
        s.commit()
    assert _try(client, XA_A_OFFICER.username, PASSWORD) == 303


def test_post_without_the_session_csrf_token_is_refused(world: Engine,
                                                        client: TestClient) -> None:
    login(client, XA_A_OFFICER.username)
    assert client.post("/logout", data={}).status_code == 403
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.get("/work").status_code == 200  # still logged in: nothing happened


def test_login_form_needs_its_own_token(world: Engine, client: TestClient) -> None:
    r = client.post("/login", data={"username": COORDINATOR.username, "password": PASSWORD})
    assert r.status_code == 403 and SESSION_COOKIE not in r.cookies


def test_idle_and_absolute_expiry(world: Engine, client: TestClient) -> None:
    login(client, XA_A_OFFICER.username)
    assert client.get("/work").status_code == 200
    with Session(world) as s:
        row = s.execute(select(WebSession)).scalar_one()
        created, seen = row.created_at, row.last_seen_at
        s.execute(update(WebSession).values(last_seen_at=seen - timedelta(hours=1)))
        s.commit()
    assert client.get("/work").status_code == 303  # idle for an hour: over
    login(client, XA_A_OFFICER.username)
    with Session(world) as s:
        s.execute(update(WebSession).where(col(WebSession.ended_at).is_(None))
                  .values(created_at=created - timedelta(hours=13)))
        s.commit()
    assert client.get("/work").status_code == 303  # logged in 13 hours ago: over


def test_open_redirect_refused(world: Engine, client: TestClient) -> None:
    r = client.get("/lang/en?next=//evil.example/x")
    assert r.headers["location"] == "/"
