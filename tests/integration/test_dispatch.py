"""The dispatcher on real databases: retries with backoff, dead letters, partial channel failure,
digests, leases, and a real webhook sink that goes down and comes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.models import AuditEvent, Delivery
from agencyflow.notifications import RecordingNotifier, Renderer
from agencyflow.notifications.apprise_notifier import AppriseNotifier
from agencyflow.services.delivery import dispatch, outbox
from agencyflow.services.reminders import sweeps
from tests.reminder_world import CALENDAR, MODEL_ID, PLAN_ID, complete, notifications, start, vn
from tests.sinks import WebhookSink

T0 = vn(2027, 1, 18)
TAGS = ("nn", "xa-a", "xa-b")


def _queue(engine: Engine) -> None:
    """Start the cycle and queue its six opening notices (XA-A's two are digest rows)."""
    start(engine)
    assert sweeps.sweep(engine, now=T0, calendar=CALENDAR).written == 6


def _send(engine: Engine, notifier, now=T0, **kw) -> dispatch.DispatchResult:  # type: ignore[no-untyped-def]
    options = {"worker_id": "w1", "max_attempts": 3, "backoff_seconds": 60, "concurrency": 4}
    return dispatch.dispatch(engine, notifier, Renderer, now=now, **(options | kw))


def test_every_notice_is_sent_once_and_a_communes_items_become_one_digest(engine: Engine) -> None:
    _queue(engine)
    notifier = RecordingNotifier()
    result = _send(engine, notifier)
    assert (result.claimed, result.sent, result.digests, result.digested) == (6, 5, 1, 2)
    assert sorted(tag for tag, _ in notifier.sent) == ["nn", "nn", "xa-a", "xa-b", "xa-b"]
    digest = next(m for tag, m in notifier.sent if tag == "xa-a")
    assert "Khảo sát sản phẩm" in digest.text and "Báo cáo kết quả" in digest.text
    rows = notifications(engine)
    [carrier] = [r for r in rows if r["kind"] == "digest"]
    assert carrier["key"] == "digest:XA-A:2" and carrier["status"] == "sent"
    assert {r["digest_id"] for r in rows if r["status"] == "digested"} == {carrier["id"]}
    assert _send(engine, notifier, now=T0 + timedelta(hours=1)).claimed == 0
    assert len(notifier.sent) == 5


def test_failures_back_off_exponentially_then_die_and_a_retry_sends_them(engine: Engine) -> None:
    _queue(engine)
    notifier = RecordingNotifier(failing={"recording://nn"}, error="HTTP 503")
    first = _send(engine, notifier)
    assert first.by_agency["NN"] == {"failed": 2}
    [nn] = notifications(engine, "recipient_code = 'NN' AND assignment_id = 1")
    assert nn["next_attempt_at"] == T0 + timedelta(seconds=60)
    assert _send(engine, notifier, now=T0 + timedelta(seconds=59)).claimed == 0
    assert _send(engine, notifier, now=T0 + timedelta(seconds=60)).failed == 2
    [nn] = notifications(engine, "recipient_code = 'NN' AND assignment_id = 1")
    assert nn["next_attempt_at"] == T0 + timedelta(seconds=60 + 120)  # 60 · 2^(2-1)
    third = _send(engine, notifier, now=T0 + timedelta(seconds=180))
    assert third.dead == 2
    with Session(engine) as session:
        dead = outbox.list_notifications(session, status="dead")
    assert {n.assignment_id for n in dead} == {PLAN_ID, MODEL_ID}
    assert all(n.last_error == "recording://nn: HTTP 503" and n.attempts == 3 for n in dead)
    assert _send(engine, notifier, now=T0 + timedelta(days=1)).claimed == 0  # dead stays dead

    notifier.failing.clear()
    with session_scope(engine) as session:
        queued = outbox.retry(session, all_dead=True, now=T0 + timedelta(days=1), actor="vp")
    assert sorted(queued) == sorted(n.id for n in dead)
    assert _send(engine, notifier, now=T0 + timedelta(days=1)).sent == 2
    with Session(engine) as session:
        event = session.execute(select(AuditEvent).where(
            AuditEvent.action == "notification.retry")).scalar_one()
    assert event.actor == "vp" and event.before[str(dead[0].id)]["attempts"] == 3


def test_a_partial_failure_retries_only_the_channel_that_failed(engine: Engine) -> None:
    _queue(engine)
    routes = {"nn": ["mail://nn", "hook://nn"], "xa-a": ["hook://xa-a"], "xa-b": ["hook://xa-b"]}
    notifier = RecordingNotifier(routes=routes, failing={"hook://nn"})
    assert _send(engine, notifier).by_agency["NN"] == {"failed": 2}
    notifier.failing.clear()
    assert _send(engine, notifier, now=T0 + timedelta(minutes=1)).by_agency["NN"] == {"sent": 2}
    attempts = [channel for channel, _ in notifier.attempts]
    assert attempts.count("mail://nn") == 2 and attempts.count("hook://nn") == 4
    with Session(engine) as session:
        rows = session.execute(select(Delivery).where(Delivery.channel == "hook://nn")).scalars()
        assert {(d.status, d.attempts, d.last_error) for d in rows} == {("sent", 2, None)}


def test_a_tag_without_channel_fails_loudly(engine: Engine) -> None:
    _queue(engine)
    notifier = RecordingNotifier(routes={"nn": ["hook://nn"], "xa-a": ["hook://xa-a"]})
    result = _send(engine, notifier)
    assert result.by_agency["XA-B"] == {"failed": 2}
    errors = {r["last_error"] for r in notifications(engine, "recipient_code = 'XA-B'")}
    assert errors == {"no channel for tag xa-b"}
    with Session(engine) as session:
        assert outbox.check_channels(notifier, session) == ["lanh-dao", "vp", "xa-b"]


class _Clock:
    """A real-clock stand-in that tests move by hand (leases are taken from the real clock)."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


def test_a_worker_that_dies_leaves_its_rows_to_others_after_the_lease(engine: Engine) -> None:
    _queue(engine)
    real = _Clock()
    claimed = dispatch.claim(engine, now=T0, worker_id="dead-worker", limit=100,
                             lease_seconds=300, clock=real)
    assert len(claimed) == 6
    notifier = RecordingNotifier()
    assert _send(engine, notifier, worker_id="w2", clock=real).claimed == 0
    real.at += timedelta(seconds=299)
    assert _send(engine, notifier, worker_id="w2", clock=real).claimed == 0
    real.at += timedelta(seconds=2)
    later = _send(engine, notifier, worker_id="w2", clock=real)
    assert later.claimed == 6 and len(notifier.sent) == 5


def test_a_lease_comes_from_the_real_clock_not_from_the_decision_time(engine: Engine) -> None:
    """Travelling in time (``now`` a day later) does not make a live lease look expired."""
    _queue(engine)
    assert len(dispatch.claim(engine, now=T0, worker_id="busy", limit=100,
                              lease_seconds=300)) == 6
    notifier = RecordingNotifier()
    assert _send(engine, notifier, now=T0 + timedelta(days=1), worker_id="w2").claimed == 0
    assert notifier.sent == [] and len(notifications(engine, "lease_owner = 'busy'")) == 6


def test_a_reminder_about_a_finished_assignment_is_superseded_but_its_completion_is_sent(
        engine: Engine) -> None:
    _queue(engine)
    complete(engine, PLAN_ID, vn(2027, 1, 18, 8))
    notifier = RecordingNotifier()
    _send(engine, notifier)
    statuses = {r["kind"]: (r["status"], r["recipient_code"])
                for r in notifications(engine, f"assignment_id = {PLAN_ID}")}
    assert statuses == {"opened": ("superseded", "NN"), "completed": ("sent", "VP")}
    assert sorted(tag for tag, _ in notifier.sent) == ["nn", "vp", "xa-a", "xa-b", "xa-b"]


def _hook_notifier(hook: WebhookSink) -> AppriseNotifier:
    return AppriseNotifier.from_urls(
        [(hook.json_url(f"/{tag}", cto=1, rto=2), tag) for tag in TAGS])


@pytest.mark.sinks
@pytest.mark.parametrize("outage", ["500", "refuse"])
def test_a_sink_that_comes_back_receives_every_notification_exactly_once(
        engine: Engine, outage: str) -> None:
    _queue(engine)
    with WebhookSink() as hook:
        notifier = _hook_notifier(hook)
        hook.down(outage)
        down = _send(engine, notifier)
        assert down.failed == 5 and down.sent == 0
        hook.up()
        back = _send(engine, notifier, now=T0 + timedelta(seconds=60))
        assert back.sent == 5
        assert _send(engine, notifier, now=T0 + timedelta(hours=1)).claimed == 0
        delivered = [r for r in hook.requests if r.status == 200]
    titles = [r.json()["title"] for r in delivered]
    assert len(titles) == 5 and len(set(titles)) == 5
    assert sorted(r.path for r in delivered) == ["/nn", "/nn", "/xa-a", "/xa-b", "/xa-b"]


@pytest.mark.sinks
def test_a_sink_that_never_comes_back_leaves_them_dead_with_the_error(engine: Engine) -> None:
    _queue(engine)
    with WebhookSink() as hook:
        notifier = _hook_notifier(hook)
        hook.down("500")
        for minutes in (0, 1, 3):
            _send(engine, notifier, now=T0 + timedelta(minutes=minutes))
    dead = notifications(engine, "status = 'dead'")
    assert len(dead) == 5
    assert all("HTTP 500" in (r["last_error"] or "") for r in dead), dead[0]["last_error"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM delivery WHERE status = 'failed' "
                                 "AND attempts = 3")).scalar_one() == 5
