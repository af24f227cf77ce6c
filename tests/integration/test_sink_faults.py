"""Receivers that fail, for real (issue 13 part 5): a webhook answering 500, one that hangs past
the URL's read timeout, one refusing the connection, an SMTP server answering 4xx and then 250,
one answering 5xx. As README "Delivery" says: a failed channel is retried with backoff, dead
after ``max_attempts``, sent again by ``notifications retry``; every attempt's error is kept in
``delivery_attempt``, not only the last."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from agencyflow.db import session_scope
from agencyflow.notifications import Renderer
from agencyflow.notifications.apprise_notifier import AppriseNotifier
from agencyflow.services.delivery import dispatch, outbox
from tests.reminder_world import queue_opened, vn
from tests.sinks import SmtpSink, WebhookSink

pytestmark = pytest.mark.sinks

T0 = vn(2027, 1, 18)
TAGS = ("nn", "xa-a", "xa-b")
MESSAGES = 5  # the six opening notices; XA-A's two travel as one digest
BACKOFF = 60


def _notifier(url: str) -> AppriseNotifier:
    return AppriseNotifier.from_urls([(url, tag) for tag in TAGS])


def _at(attempt: int) -> datetime:
    """When the ``attempt``-th try is due (the backoff of the one before is over)."""
    return T0 + timedelta(seconds=BACKOFF * (2 ** (attempt - 1) - 1))


def _run(engine: Engine, notifier: AppriseNotifier, attempt: int) -> dispatch.DispatchResult:
    """The dispatch of the ``attempt``-th try."""
    when = _at(attempt)
    return dispatch.dispatch(engine, notifier, Renderer, now=when, worker_id=f"w{attempt}",
                             max_attempts=2, backoff_seconds=BACKOFF, concurrency=4)


def _attempts(engine: Engine) -> dict[int, list[tuple[bool, str | None]]]:
    """Notification id → its attempts in order: (ok, error)."""
    history: dict[int, list[tuple[bool, str | None]]] = {}
    with engine.connect() as conn:
        for nid, ok, error in conn.execute(text(
                "SELECT notification_id, ok, error FROM delivery_attempt ORDER BY id")):
            history.setdefault(nid, []).append((bool(ok), error))
    return history


def _statuses(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(text(  # type: ignore[arg-type]
            "SELECT status, COUNT(*) FROM notification WHERE status <> 'digested' "
            "GROUP BY status")).all())


def _assert_dead_with_every_error(engine: Engine, expected: str) -> None:
    """Every message dead after two attempts, each attempt's error matching ``expected``."""
    assert _statuses(engine) == {"dead": MESSAGES}
    history = _attempts(engine)
    assert len(history) == MESSAGES
    for attempts in history.values():
        assert [ok for ok, _ in attempts] == [False, False], attempts
        assert all(re.search(expected, error or "") for _, error in attempts), attempts


def _retry_all_dead(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert len(outbox.retry(session, all_dead=True, now=_at(3))) == MESSAGES


@pytest.mark.parametrize(("fault", "expected"), [
    ("500", "HTTP 500"),
    # apprise names a read timeout and a refused connection alike; the time tells them apart
    ("hang", r"Connection error .*\[after ([1-9]|\d\d+)\.\d s\]"),
    ("refuse", "Connection error")])
def test_a_failing_webhook_is_retried_then_dead_with_every_error_kept(
        engine: Engine, fault: str, expected: str) -> None:
    queue_opened(engine)
    with WebhookSink() as hook:
        path = "/delay/3/hook" if fault == "hang" else "/hook"
        notifier = _notifier(hook.json_url(path, cto=1, rto=1))
        if fault != "hang":
            hook.down(fault)
        assert _run(engine, notifier, 1).failed == MESSAGES
        assert _run(engine, notifier, 2).dead == MESSAGES
        _assert_dead_with_every_error(engine, expected)

        hook.up()
        _retry_all_dead(engine)
        healthy = _notifier(hook.json_url("/hook", cto=1, rto=5))
        assert _run(engine, healthy, 3).sent == MESSAGES
    assert _statuses(engine) == {"sent": MESSAGES}
    assert all(len(a) == 3 and a[-1] == (True, None) for a in _attempts(engine).values())


def test_an_smtp_server_answering_4xx_then_250_delivers_on_the_retry(engine: Engine) -> None:
    queue_opened(engine)
    with SmtpSink(answers=["451 4.3.0 Try again later"]) as smtp:
        notifier = _notifier(smtp.mailto_url())
        first = _run(engine, notifier, 1)
        assert (first.sent, first.failed) == (MESSAGES - 1, 1)
        assert _run(engine, notifier, 2).sent == 1
        mails = smtp.messages
    assert _statuses(engine) == {"sent": MESSAGES}
    retried = [a for a in _attempts(engine).values() if len(a) > 1]
    assert len(retried) == 1
    [(ok, error), second] = retried[0]
    assert not ok and "451" in (error or "") and second == (True, None)
    assert len(mails) == MESSAGES and len({m.message["Message-ID"] for m in mails}) == MESSAGES


def test_an_smtp_server_answering_5xx_leaves_them_dead_with_every_error(engine: Engine) -> None:
    queue_opened(engine)
    with SmtpSink(answers=["550 5.1.1 Mailbox unavailable"] * (2 * MESSAGES)) as smtp:
        notifier = _notifier(smtp.mailto_url())
        assert _run(engine, notifier, 1).failed == MESSAGES
        assert _run(engine, notifier, 2).dead == MESSAGES
        assert smtp.messages == [] and len(smtp.refused) == 2 * MESSAGES
    _assert_dead_with_every_error(engine, "550")


def test_the_webhook_sink_records_no_request_whose_sender_died_mid_body() -> None:
    """What the cluster's kill test counts on: a request cut off by its sender's death (fewer
    body bytes than its Content-Length) is no delivery, as for any HTTP server."""
    import socket

    with WebhookSink() as hook:
        with socket.create_connection(("127.0.0.1", hook.port)) as cut:
            cut.sendall(b"POST /agency/0 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                        b"\r\nContent-Length: 100\r\n\r\n{\"idempotency")
        with socket.create_connection(("127.0.0.1", hook.port)) as whole:
            whole.sendall(b"POST /agency/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                          b"Connection: close\r\n\r\n{}")
            assert whole.recv(100).startswith(b"HTTP/1.")
        [request] = hook.wait_for(1, timeout=10)
        assert request.path == "/agency/1" and request.json() == {}
        assert len(hook.requests) == 1
