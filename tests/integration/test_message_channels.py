"""What real receivers get: an e-mail with both parts and a stable Message-ID, a JSON webhook and
an MQTT message with the structured payload and the delivery key, and the leader's escalations
of one sweep as one digest. Read with real clients: Python's ``email`` parser on what aiosmtpd
received, ``json.loads`` on what the HTTP sink received, a paho-mqtt subscriber on Mosquitto."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from agencyflow.notifications import Message, Renderer
from agencyflow.notifications.apprise_notifier import AppriseNotifier
from agencyflow.notifications.base import delivery_key
from agencyflow.notifications.email_mime import KEY_HEADER, message_id
from agencyflow.notifications.payload import notification_payload, notify_type
from agencyflow.services.delivery import dispatch
from agencyflow.services.reminders import sweeps
from tests.html_check import check_html
from tests.reminder_world import CALENDAR, start, vn
from tests.sinks import MqttSubscriber, SmtpSink, WebhookSink

pytestmark = pytest.mark.sinks

BASE = "https://theodoi.kimthanh.gov.vn"
KEY = "a12:overdue:2027-03-10"
CONTEXT = {
    "assignment": {
        "id": 12, "title": "Tổ chức hội chợ OCOP tháng 5 – kết nối tiêu thụ",
        "step_id": "KTHT-3-MAY",
        "clauses": ["KTHT-3"],
        "clause_labels": ["Phòng Kinh tế và Hạ tầng huyện: xúc tiến thương mại, kết nối tiêu thụ"],
        "lead_code": "KTHT", "lead_name": "Phòng Kinh tế và Hạ tầng huyện",
        "commune_code": None, "commune_name": None,
        "cooperating_names": ["Phòng Nông nghiệp và PTNT huyện"], "due": date(2027, 3, 5),
        "original_due": date(2027, 3, 5), "days_left": -3, "status": "in_progress"},
    "plan": {"key": "kim-thanh-ocop", "title": "Kế hoạch thực hiện Đề án OCOP", "document_number":
             None, "document_date": None, "authority": "UBND huyện Kim Thành"},
    "recipient_name": "Phòng Kinh tế và Hạ tầng huyện", "level": 0,
}


def _message() -> Message:
    renderer = Renderer("vi", base_url=BASE)
    message = renderer.render("overdue", CONTEXT)
    data = notification_payload(notification_id=57, key=KEY, kind="overdue", level=0,
                                recipient="KTHT", context=CONTEXT, link_for=renderer.link_for)
    return replace(message, key=KEY, notify_type=notify_type("overdue", CONTEXT), data=data)


def test_email_has_both_template_parts_and_the_same_message_id_on_a_second_delivery() -> None:
    message = _message()
    with SmtpSink() as smtp:
        notifier = AppriseNotifier.from_urls([(smtp.mailto_url(to="ktht@kimthanh.gov.vn"), "ktht")])
        [channel] = notifier.channels("ktht")

        first = notifier.send("ktht", message)
        second = notifier.send_to_channel(channel, message)  # a retry, a second dispatcher…

        assert [r.ok for r in first] == [True] and second.ok, (first, second)
        mails = smtp.wait_for(2)
    key = delivery_key(KEY, channel)
    assert key.startswith("agencyflow:a12:overdue:2027-03-10:") and len(key.split(":")[-1]) == 12
    for mail in mails:
        parsed = mail.message
        assert parsed.get_content_type() == "multipart/alternative"
        assert parsed["Subject"] == message.subject  # RFC 2047 decoded: Vietnamese intact
        assert parsed["Message-ID"] == message_id(key, "example.vn")
        assert parsed[KEY_HEADER] == key
        # on the wire every line ends in CRLF (RFC 5322); what it says is our template's text
        plain, html = ((mail.part(t) or "").replace("\r\n", "\n")
                       for t in ("text/plain", "text/html"))
        assert plain == message.text  # our .txt template, not a conversion of the HTML
        assert html == message.html
        assert "Kính gửi: Phòng Kinh tế và Hạ tầng huyện" in plain
        assert "quá hạn 3 ngày làm việc" in plain and "quá hạn 3 ngày làm việc" in html
        assert f"{BASE}/assignments/12" in plain
        checker = check_html(html)
        assert checker.errors == [] and checker.stack == []
        assert checker.links == [f"{BASE}/assignments/12"]
    assert mails[0].message["Message-ID"] == mails[1].message["Message-ID"]


def test_json_webhook_carries_the_payload_the_type_and_the_idempotency_key() -> None:
    message = _message()
    with WebhookSink() as hook:
        notifier = AppriseNotifier.from_urls([(hook.json_url("/ktht"), "ktht")])
        [channel] = notifier.channels("ktht")
        assert [r.ok for r in notifier.send("ktht", message)] == [True]
        assert notifier.send_to_channel(channel, message).ok
        requests = hook.wait_for(2)
    key = delivery_key(KEY, channel)
    for request in requests:
        body = json.loads(request.body.decode("utf-8"))
        assert request.headers["Idempotency-Key"] == key
        assert body["idempotency_key"] == key
        assert body["type"] == "warning"  # overdue
        assert body["title"] == message.subject
        assert body["notification"] == {
            "id": 57, "key": KEY, "kind": "overdue", "level": 0, "recipient": "KTHT",
            "assignment_id": 12, "plan": "kim-thanh-ocop", "step": "KTHT-3-MAY",
            "title": CONTEXT["assignment"]["title"], "lead": "KTHT",
            "lead_name": "Phòng Kinh tế và Hạ tầng huyện", "commune": None,
            "commune_name": None, "due": "2027-03-05", "days_left": -3, "days_late": 3,
            "status": "in_progress", "url": f"{BASE}/assignments/12"}


def test_mqtt_subscriber_receives_the_payload_with_the_same_key_twice() -> None:
    message = _message()
    with MqttSubscriber(MqttSubscriber.unique_topic()) as subscriber:
        notifier = AppriseNotifier.from_urls([(subscriber.url(), "ktht")])
        [channel] = notifier.channels("ktht")
        assert [r.ok for r in notifier.send("ktht", message)] == [True]
        assert notifier.send_to_channel(channel, message).ok
        received = subscriber.wait_for(2)
    documents = [r.json() for r in received]
    assert documents[0] == documents[1]
    document = documents[0]
    assert document["idempotency_key"] == delivery_key(KEY, channel)
    assert document["type"] == "warning" and document["title"] == message.subject
    assert document["message"] == message.text
    assert document["notification"]["assignment_id"] == 12
    assert document["notification"]["url"] == f"{BASE}/assignments/12"


@pytest.mark.parametrize(("kind", "extra", "expected"), [
    ("opened", {}, "info"), ("reminder", {}, "info"), ("due_today", {}, "info"),
    ("overdue", {}, "warning"), ("escalation", {}, "failure"), ("completed", {}, "success"),
    ("extension_decided", {"decision": "approved"}, "success"),
    ("extension_decided", {"decision": "refused"}, "warning"),
    ("digest", {"items": [{"kind": "reminder"}, {"kind": "escalation"}]}, "failure"),
])
def test_the_apprise_type_follows_the_kind(kind: str, extra: dict[str, Any],
                                           expected: str) -> None:
    assert notify_type(kind, extra) == expected


def test_the_leaders_escalations_of_one_sweep_arrive_as_one_digest(engine: Engine) -> None:
    start(engine)
    now = vn(2027, 2, 24)  # SURVEY (XA-A, XA-B) 3 working days late: escalated to the leader
    sweeps.sweep(engine, now=now, calendar=CALENDAR)
    with WebhookSink() as hook:
        notifier = AppriseNotifier.from_urls([(hook.json_url("/all"), "always")])
        result = dispatch.dispatch(engine, notifier, lambda lang: Renderer(lang, base_url=BASE),
                                   now=now, worker_id="w1", concurrency=4)
        bodies = [json.loads(r.body) for r in hook.wait_for(result.sent)]
    leader = [b for b in bodies if b["notification"]["recipient"] == "LANH-DAO"]
    assert len(leader) == 1, [b["title"] for b in leader]
    [digest] = leader
    items = digest["notification"]["items"]
    assert digest["notification"]["kind"] == "digest" and digest["type"] == "failure"
    assert len(items) >= 2 and {i["kind"] for i in items} == {"escalation"}
    assert {i["lead"] for i in items} >= {"XA-A", "XA-B"}
    assert all(i["url"] == f"{BASE}/assignments/{i['assignment_id']}" for i in items)
    assert digest["title"].startswith(f"[Báo cáo chậm tiến độ] {len(items)} nhiệm vụ của ")
    text = digest["message"]
    assert text.index("Xã An chủ trì (") < text.index("Xã Bình chủ trì (")
    assert digest["idempotency_key"].startswith(
        f"agencyflow:{digest['notification']['key']}:")


def test_the_readme_documents_the_payload_each_channel_sends() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Machine payloads and delivery identity\n", 1)[1]
    section = section.split("\n### ", 1)[0]
    webhook, mqtt = (json.loads(b) for b in re.findall(r"```json\n(.*?)```", section, re.DOTALL))
    sent = _message()
    assert set(webhook) == {"version", "title", "message", "attachments", "type",
                            "idempotency_key", "notification"}
    assert set(webhook["notification"]) == set(sent.data or {})
    assert set(mqtt) == {"title", "message", "type", "idempotency_key", "notification"}


def test_a_resent_notification_carries_the_same_key_so_a_receiver_sees_it_once(
        engine: Engine) -> None:
    start(engine)
    now = vn(2027, 1, 18)
    assert sweeps.sweep(engine, now=now, calendar=CALENDAR).written == 6
    with WebhookSink() as hook:
        notifier = AppriseNotifier.from_urls([(hook.json_url("/all"), "always")])
        options: dict[str, Any] = {"worker_id": "w1", "concurrency": 4, "backoff_seconds": 60}
        hook.down("500")  # received, but answered 500: the dispatcher must send it again
        first = dispatch.dispatch(engine, notifier, Renderer, now=now, **options)
        hook.up()
        later = now + timedelta(seconds=60)
        second = dispatch.dispatch(engine, notifier, Renderer, now=later, **options)
        requests = hook.wait_for(first.failed + second.sent)
    assert first.failed == second.sent == 5 and first.sent == 0  # XA-A's two: one digest
    by_key: dict[str, list[dict[str, Any]]] = {}
    for request in requests:
        body = json.loads(request.body)
        assert request.headers["Idempotency-Key"] == body["idempotency_key"]
        by_key.setdefault(body["idempotency_key"], []).append(body)
    assert len(by_key) == 5  # what a receiver deduplicating by the key keeps
    assert all(len(bodies) == 2 and bodies[0] == bodies[1] for bodies in by_key.values())
