"""AppriseNotifier with worker processes: the send_many contract (order, ``only=``, one result
per channel, errors) holds across processes, and the dispatcher renders HTML only for email."""

from __future__ import annotations

from sqlalchemy import Engine

from agencyflow.notifications import Message, Renderer
from agencyflow.notifications.apprise_notifier import POOL_MIN_ITEMS, AppriseNotifier
from agencyflow.services.delivery import dispatch
from agencyflow.services.reminders import sweeps
from tests.reminder_world import CALENDAR, notifications, start, vn
from tests.sinks import WebhookSink

T0 = vn(2027, 1, 18)


def test_worker_processes_keep_order_only_and_per_channel_errors() -> None:
    with WebhookSink() as hook:
        notifier = AppriseNotifier.from_urls([
            (hook.json_url("/ok/a"), "a, both"),
            (hook.json_url("/status/500/b", cto=1, rto=2), "b, both"),
        ], processes=2)
        ok, bad = notifier.channels("both")
        count = POOL_MIN_ITEMS + 6
        items = [("both", Message(f"Tiêu đề {i}", "Nội dung"), [ok] if i % 3 == 0 else None)
                 for i in range(count)]
        try:
            results = notifier.send_many(items, concurrency=8)
            assert notifier.pool is not None and notifier.pool.items_sent == count  # used
        finally:
            notifier.close()

        for i, per_item in enumerate(results):
            if i % 3 == 0:  # only= the good channel
                assert [(r.channel, r.ok) for r in per_item] == [(ok, True)]
            else:
                assert [(r.channel, r.ok) for r in per_item] == [(ok, True), (bad, False)]
                assert (per_item[1].error or "").startswith("HTTP 500")
        received = hook.wait_for(count + count - count // 3 - (count % 3 > 0))
        titles = sorted(r.json()["title"] for r in received if r.path == "/ok/a")
        assert titles == sorted(f"Tiêu đề {i}" for i in range(count))


def test_a_small_batch_stays_in_process_and_close_is_harmless() -> None:
    with WebhookSink() as hook:
        with AppriseNotifier.from_urls([(hook.json_url("/a"), "a")], processes=2) as notifier:
            results = notifier.send_many([("a", Message("x", "y"))] * 3, concurrency=4)
            assert notifier.pool is not None and notifier.pool.items_sent == 0
        assert [r[0].ok for r in results] == [True] * 3


def test_only_email_channels_want_html() -> None:
    notifier = AppriseNotifier.from_urls([
        ("mailto://user:secret@127.0.0.1:2525?to=vp@nn.example.vn&from=af@nn.example.vn", "nn"),
        ("json://127.0.0.1:9/hook", "nn, xa"),
    ])
    assert notifier.wants_html("nn") and not notifier.wants_html("xa")
    assert not notifier.wants_html("nobody")


def test_dispatch_to_webhooks_does_not_render_html(sqlite_engine: Engine) -> None:
    start(sqlite_engine)
    assert sweeps.sweep(sqlite_engine, now=T0, calendar=CALENDAR).written == 6
    with WebhookSink() as hook:
        notifier = AppriseNotifier.from_urls(
            [(hook.json_url(f"/{tag}"), tag) for tag in ("nn", "xa-a", "xa-b")])
        result = dispatch.dispatch(sqlite_engine, notifier, Renderer, now=T0, worker_id="w")
    assert result.sent == 5
    sent = [r for r in notifications(sqlite_engine) if r["status"] == "sent"]
    assert len(sent) == 5 and all(r["html"] is None and r["body"] for r in sent)
