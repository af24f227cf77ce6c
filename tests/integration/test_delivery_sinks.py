"""Real apprise delivery to local sinks: webhook (json://), SMTP with STARTTLS, Mosquitto (MQTT).

These tests never skip: without Mosquitto at 127.0.0.1:1883 the MQTT test fails.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agencyflow.errors import ConfigError
from agencyflow.notifications import Message
from agencyflow.notifications.apprise_notifier import AppriseNotifier
from tests.sinks import MqttSubscriber, SmtpSink, WebhookSink

pytestmark = pytest.mark.sinks

MESSAGE = Message(
    subject="[Nhắc việc] Hoàn thiện hồ sơ OCOP - còn 2 ngày làm việc (hạn 16/03/2026)",
    text="Kính gửi: Phòng Nông nghiệp và Môi trường\n\n"
    "Đề nghị Quý cơ quan khẩn trương hoàn thành.\n",
    html="<p>Kính gửi: <strong>Phòng Nông nghiệp và Môi trường</strong></p>"
    "<p>Đề nghị Quý cơ quan khẩn trương hoàn thành.</p>",
)


def test_webhook_receives_vietnamese_title_and_body_intact() -> None:
    with WebhookSink() as hook:
        notifier = AppriseNotifier.from_urls([(hook.json_url("/nn"), "nn, reminders")])

        results = notifier.send("nn", MESSAGE)

        assert [r.ok for r in results] == [True]
        request = hook.wait_for(1)[0]
        assert request.path == "/nn"
        payload = request.json()
        assert payload["title"] == MESSAGE.subject
        assert payload["message"] == MESSAGE.text.rstrip()  # text body; apprise trims the end
        assert notifier.channels("reminders") == [results[0].channel]


def test_email_over_starttls_decodes_to_the_same_subject_and_html_body() -> None:
    with SmtpSink() as smtp:
        notifier = AppriseNotifier.from_urls([(smtp.mailto_url(to="vp@nn.example.vn"), "nn")])

        results = notifier.send("nn", MESSAGE)

        assert [r.ok for r in results] == [True], results
        mail = smtp.wait_for(1)[0]
        assert mail.tls, "the message must arrive after STARTTLS"
        assert mail.rcpt_tos == ["vp@nn.example.vn"]
        assert "=?utf-8?" in mail.message.as_string().lower()  # RFC 2047 encoded on the wire
        assert mail.message["Subject"] == MESSAGE.subject
        assert (mail.part("text/html") or "").strip() == MESSAGE.html
        assert "Kính gửi: Phòng Nông nghiệp và Môi trường" in (mail.part("text/plain") or "")


def test_mqtt_message_reaches_a_subscriber() -> None:
    with MqttSubscriber(MqttSubscriber.unique_topic()) as subscriber:
        notifier = AppriseNotifier.from_urls([(subscriber.url(), "nn")])

        results = notifier.send("nn", MESSAGE)

        assert [r.ok for r in results] == [True], results
        received = subscriber.wait_for(1)[0]
        assert received.topic == subscriber.topic
        assert received.json()["message"] == MESSAGE.text  # the payload is a JSON document


def test_down_sink_gives_a_failed_result_with_the_reason() -> None:
    with WebhookSink() as hook:
        notifier = AppriseNotifier.from_urls([(hook.json_url("/nn"), "nn")])

        hook.down("500")
        [failed] = notifier.send("nn", MESSAGE)
        hook.down("refuse")
        [refused] = notifier.send("nn", MESSAGE)
        hook.up()
        recovered = notifier.send_to_channel(failed.channel, MESSAGE)

    assert not failed.ok and failed.error is not None and failed.error.startswith("HTTP 500")
    assert not refused.ok and refused.error is not None and "connection" in refused.error.lower()
    assert recovered.ok


def test_slow_sink_times_out_within_rto() -> None:
    """A sink that answers 200 after 1 s: a read timeout of 0.3 s gives up (a failure), one of
    5 s waits for the answer (speed itself is for the benchmark, not for a test)."""
    with WebhookSink() as hook:
        notifier = AppriseNotifier.from_urls([
            (hook.json_url("/delay/1/impatient", cto=1, rto=0.3), "impatient"),
            (hook.json_url("/delay/1/patient", cto=1, rto=5), "patient")])

        [impatient] = notifier.send("impatient", MESSAGE)
        [patient] = notifier.send("patient", MESSAGE)

    assert not impatient.ok and impatient.error and "JSON notification" in impatient.error
    assert patient.ok and patient.error is None


def test_one_tag_two_channels_one_failing_gives_per_channel_results() -> None:
    with WebhookSink() as hook:
        notifier = AppriseNotifier.from_urls([
            (hook.json_url("/nn/ok"), "nn"),
            (hook.json_url("/status/503/nn"), "nn"),
        ])

        results = notifier.send("nn", MESSAGE)
        assert [r.ok for r in results] == [True, False]
        assert results[1].error is not None and "HTTP 503" in results[1].error

        retried = notifier.send("nn", MESSAGE, only={results[1].channel})
        assert [r.channel for r in retried] == [results[1].channel]
        assert [r.path for r in hook.requests] == ["/nn/ok", "/status/503/nn", "/status/503/nn"]


def test_yaml_config_missing_tags_and_dropped_bad_url(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with WebhookSink() as hook:
        config = tmp_path / "notifications.yaml"
        config.write_text(
            "urls:\n"
            f"  - {hook.json_url('/nn')}:\n"
            '      - tag: "nn, reminders"\n'
            f"  - {hook.json_url('/tc')}:\n"
            "      - tag: tc\n"
            "  - nosuchscheme://example.vn/hook:\n"
            "      - tag: yt\n",
            encoding="utf-8",
        )
        with caplog.at_level(logging.ERROR, logger="agencyflow.notifications.apprise_notifier"):
            notifier = AppriseNotifier.from_config(config)

        assert notifier.check_tags(["nn", "tc", "yt", "xd"]) == {"nn": 1, "tc": 1, "yt": 0, "xd": 0}
        assert notifier.missing_tags(["nn", "tc", "yt", "xd"]) == ["yt", "xd"]
        assert notifier.load_problems and any("nosuchscheme" in p for p in notifier.load_problems)
        assert any(str(config) in r.getMessage() for r in caplog.records)
        assert notifier.send("xd", MESSAGE) == []
        assert [r.ok for r in notifier.send("tc", MESSAGE)] == [True]


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        AppriseNotifier.from_config(tmp_path / "absent.yaml")


def test_send_many_keeps_order_and_delivers_everything() -> None:
    with WebhookSink() as hook:
        notifier = AppriseNotifier.from_urls([(hook.json_url(f"/a{i}"), f"a{i}") for i in range(5)])
        items = [(f"a{i % 5}", Message(f"Tiêu đề {i}", f"Nội dung {i}")) for i in range(40)]

        results = notifier.send_many(items, concurrency=8)

        assert [len(r) for r in results] == [1] * 40 and all(r[0].ok for r in results)
        assert [r[0].channel.endswith(f"/a{i % 5}") for i, r in enumerate(results)] == [True] * 40
        titles = sorted(req.json()["title"] for req in hook.wait_for(40))
        assert titles == sorted(f"Tiêu đề {i}" for i in range(40))


def test_mqtt_subscriber_raises_when_the_broker_is_unreachable() -> None:
    from tests.sinks import free_port

    with pytest.raises(ConnectionError, match="unreachable"):
        MqttSubscriber("agencyflow/test/none", port=free_port()).start()
