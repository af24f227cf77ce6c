"""Every page route × every role × own/other agency: the expected status of each cell.

The people: the coordinator (of NN), the leader, the inspector, the officer of the assignment's
lead agency (NN, "own"), the officer of a cooperating agency (KTHT) and of an agency with no part
in it (XA-A, "other"), and nobody logged in. Moves are sent with a stale version (or an input
that cannot pass), so an allowed cell answers 409 or 422 and changes nothing, a forbidden one
403 — the permission check comes before anything else. Every mismatch is listed at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from agencyflow.config import Settings
from agencyflow.db import session_scope
from agencyflow.services.assignments import extensions
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.people import users
from agencyflow.web.app import create_app
from tests.factories import SYSTEM
from tests.lifecycle_plan import assignment_id, get
from tests.web.test_assignment_page import get_year
from tests.web_world import (
    COORDINATOR,
    INSPECTOR,
    KTHT_OFFICER,
    LEADER,
    NN_OFFICER,
    XA_A_OFFICER,
    XA_B_OFFICER,
    csrf_of,
    login,
    now,
    setup_world,
)

ROLES = ("coordinator", "leader", "inspector", "own", "cooperating", "other", "anonymous")
PEOPLE = {"coordinator": COORDINATOR, "leader": LEADER, "inspector": INSPECTOR,
          "own": NN_OFFICER, "cooperating": KTHT_OFFICER, "other": XA_A_OFFICER}
ALL = dict.fromkeys(ROLES[:-1], 200) | {"anonymous": 303}
STAFF_ONLY = {"coordinator": 200, "leader": 403, "inspector": 403, "own": 403,
              "cooperating": 403, "other": 403, "anonymous": 303}
AUDITORS = {"coordinator": 200, "leader": 200, "inspector": 200, "own": 403,
            "cooperating": 403, "other": 403, "anonymous": 303}

REPORTERS = {"coordinator": 200, "leader": 200, "inspector": 403, "own": 403,
             "cooperating": 403, "other": 403, "anonymous": 303}
FEEDERS = {"coordinator": 200, "leader": 403, "inspector": 403, "own": 200,
           "cooperating": 200, "other": 200, "anonymous": 303}  # an officer: its agency's


def _moves(allowed: int) -> dict[str, dict[str, int]]:
    """Expected statuses of each move on PLAN (lead NN, cooperating KTHT, reviewed, open)."""
    only = {role: 403 for role in ROLES[:-1]} | {"anonymous": 303}
    lead = only | {"coordinator": allowed, "own": allowed}
    return {
        "start": lead, "progress": lead, "submit": lead | {"coordinator": 422, "own": 422},
        "complete": lead | {"coordinator": 422, "own": 422}, "extend": lead,
        "approve": only | {"coordinator": allowed}, "reject": only | {"coordinator": allowed},
        "cancel": only | {"coordinator": allowed}, "reassign": only | {"coordinator": allowed},
        "decide": only | {"coordinator": allowed, "leader": allowed},
        "contribute": only | {"coordinator": 422, "own": 422, "cooperating": 422},
    }


@pytest.fixture
def matrix_world(engine: Engine, tmp_path: Path) -> Iterator[tuple[Engine, Settings]]:
    """The world (SQLite, then PostgreSQL) with a pending extension on EVAL XA-B, evidence on
    PLAN and an API token of XA-B's officer."""
    sqlite_engine = engine
    setup_world(sqlite_engine)
    settings = Settings(data_dir=tmp_path / "data", database_url=sqlite_engine.url
                        .render_as_string(hide_password=False))
    year = get_year(sqlite_engine)
    plan = assignment_id(sqlite_engine, "PLAN", year=year)
    pdf = tmp_path / "bb.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    with session_scope(sqlite_engine) as s:
        assignments.progress(s, assignment_id=plan, actor=NN_OFFICER.actor, now=now(),
                             note="Đang soạn", files=[pdf],
                             evidence_dir=settings.resolved_evidence_dir())
        due = get(sqlite_engine, plan).due_current
        assert due is not None
        extensions.request_extension(s, assignment_id=plan, actor=NN_OFFICER.actor, now=now(),
                                     new_due=due.replace(year=due.year + 1), reason="Chờ")
        users.create_token(s, XA_B_OFFICER.username, now=now(), actor=SYSTEM, name="matrix")
    yield sqlite_engine, settings


def test_every_route_for_every_role(matrix_world: tuple[Engine, Settings]) -> None:
    engine, settings = matrix_world
    year = get_year(engine)
    plan = assignment_id(engine, "PLAN", year=year)
    version_before = get(engine, plan).version
    app = create_app(settings)
    clients: dict[str, TestClient] = {}
    for role in ROLES:
        client = TestClient(app, follow_redirects=False)
        if role != "anonymous":
            login(client, PEOPLE[role].username)
        clients[role] = client
    page = clients["coordinator"].get(f"/assignments/{plan}").text
    evidence = re.search(r'href="(/evidence/\d+)"', page)
    ext = re.search(r'name="extension" value="(\d+)"', page)
    assert evidence and ext
    gets = {
        "/": {role: 303 for role in ROLES}, "/work": ALL, "/board": ALL,
        f"/board?status=overdue&asof=01/01/{year}": ALL, f"/assignments/{plan}": ALL,
        evidence.group(1): ALL, "/extensions": ALL, "/targets": ALL, "/timeline": ALL,
        "/cycles": STAFF_ONLY, "/notifications": STAFF_ONLY, "/users": STAFF_ONLY,
        "/tokens": ALL,
        "/audit": AUDITORS, "/audit/verify": AUDITORS, "/audit/export?format=csv": AUDITORS,
        "/assignments/999999": dict.fromkeys(ROLES[:-1], 404) | {"anonymous": 303},
        "/reports": REPORTERS, f"/reports/download?plan=walk-ocop&period={year}&format=md":
        REPORTERS, "/feeds": FEEDERS,
        "/feeds/afc_not-a-token.ics": dict.fromkeys(ROLES, 401),  # the token is the key
    }
    problems: list[str] = []
    for path, expected in gets.items():
        for role in ROLES:
            got = clients[role].get(path).status_code
            if got != expected[role]:
                problems.append(f"GET {path} as {role}: {got}, expected {expected[role]}")
    tokens = {role: (csrf_of(clients[role].get("/board").text) if role != "anonymous" else "")
              for role in ROLES}
    fields = {"version": "999999", "new_due": f"31/12/{year + 1}", "reason": "thử",
              "extension": ext.group(1), "decision": "approve", "new_lead": "KTHT"}
    posts: dict[str, tuple[dict[str, str], dict[str, int]]] = {
        f"/assignments/{plan}/{move}": (fields, expected)
        for move, expected in _moves(409).items()}
    refused = {role: 403 for role in ROLES[:-1]} | {"anonymous": 303}
    with session_scope(engine) as s:
        [(other_token, _owner)] = users.list_tokens(s, XA_B_OFFICER.username)
    posts |= {
        "/cycles": ({"plan": "walk-ocop", "year": "not a year"}, refused | {"coordinator": 422}),
        "/notifications/retry": ({}, refused | {"coordinator": 422}),
        "/users": ({"username": "Bad Name!", "role": "officer"}, refused | {"coordinator": 422}),
        f"/users/{XA_B_OFFICER.username}/passwd": ({"password": "x"},
                                                     refused | {"coordinator": 422}),
        "/users/nobody.at.all/disable": ({}, refused | {"coordinator": 404}),
        f"/users/{XA_B_OFFICER.username}/token": ({"name": "m"}, refused | {"coordinator": 200}),
        "/tokens": ({"name": "own"}, ALL),  # everyone makes their own
        f"/tokens/{other_token.id}/revoke": ({}, refused | {"coordinator": 303}),
        "/feeds": ({"agency": "NN"}, refused | {"coordinator": 200, "own": 200}),
    }
    order = [r for r in ROLES if r != "coordinator"] + ["coordinator"]
    for path, (data, expected) in posts.items():
        for role in order:
            got = clients[role].post(path, data={**data, "csrf": tokens[role]}).status_code
            if got != expected[role]:
                problems.append(f"POST {path} as {role}: {got}, expected {expected[role]}")
            # without the session's token, nobody gets anything done
            forged = clients[role].post(path, data=data).status_code
            if forged not in (403, 303) or (role == "anonymous" and forged != 303):
                problems.append(f"POST {path} as {role} without CSRF: {forged}")
    assert not problems, "\n".join(problems)
    assert get(engine, plan).version == version_before  # nothing was changed
    for client in clients.values():
        client.close()
