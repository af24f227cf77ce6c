"""The audit trail page: the date-range filter (days in Vietnam time, both ends included) and
the export, streamed as an attachment that re-verifies offline."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from agencyflow.domain.calendar import local_date
from agencyflow.models import AuditEvent
from agencyflow.services.audit import trail as audit
from tests.web_world import INSPECTOR, XA_A_OFFICER, login


def _seqs(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<tr><td>(\d+)</td><td>", html)]


def test_date_range_shows_the_events_of_those_days_only(world: Engine,
                                                        client: TestClient) -> None:
    login(client, INSPECTOR.username)
    with Session(world) as s:
        total, first, last = s.execute(select(func.count(), func.min(AuditEvent.at),
                                              func.max(AuditEvent.at))).one()
    start, end = (local_date(first.replace(tzinfo=UTC)), local_date(last.replace(tzinfo=UTC)))
    everything = _seqs(client.get("/audit").text)
    assert len(everything) == min(total, 100) and everything
    same_days = client.get(f"/audit?since={start:%d/%m/%Y}&until={end:%d/%m/%Y}")
    assert _seqs(same_days.text) == everything
    tomorrow = end + timedelta(days=1)
    assert _seqs(client.get(f"/audit?since={tomorrow:%d/%m/%Y}").text) == []
    today, yesterday = end, start - timedelta(days=1)
    assert _seqs(client.get(f"/audit?until={yesterday:%d/%m/%Y}").text) == []
    reversed_range = client.get(f"/audit?since={today:%d/%m/%Y}&until={yesterday:%d/%m/%Y}")
    assert reversed_range.status_code == 422 and "ends before it starts" in reversed_range.text
    bad = client.get("/audit?since=31/02/2027")
    assert bad.status_code == 422 and "31/02/2027" in bad.text


def test_export_is_a_streamed_attachment_that_verifies(world: Engine,
                                                       client: TestClient) -> None:
    login(client, INSPECTOR.username)
    with client.stream("GET", "/audit/export?format=jsonl") as answer:
        assert answer.status_code == 200
        assert answer.headers["content-disposition"] == 'attachment; filename="audit.jsonl"'
        assert "content-length" not in answer.headers  # streamed, not built first
        seq, head = answer.headers["x-audit-head"].split()
        lines = list(answer.iter_lines())
    assert audit.verify_export(lines) == int(seq) == len(lines)
    csv = client.get("/audit/export?format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) == int(seq) + 1  # the header row
    with Session(world) as s:
        assert audit.head(s) == (int(seq), head)


def test_export_refused_to_an_officer_before_anything_is_sent(world: Engine,
                                                              client: TestClient) -> None:
    login(client, XA_A_OFFICER.username)
    answer = client.get("/audit/export?format=jsonl")
    assert answer.status_code == 403 and "content-disposition" not in answer.headers
