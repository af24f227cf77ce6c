"""The recording fake and the notifier contract (no network)."""

from __future__ import annotations

import subprocess
import sys

from agencyflow.notifications import ChannelResult, Message, Notifier, RecordingNotifier

MESSAGE = Message("Nhắc việc", "Kính gửi: Phòng Nông nghiệp và Môi trường")


def test_default_routes_give_one_channel_per_tag() -> None:
    notifier = RecordingNotifier()

    assert notifier.send("nn", MESSAGE) == [ChannelResult("recording://nn", ok=True)]
    assert notifier.sent == [("nn", MESSAGE)]
    assert notifier.delivered == [("recording://nn", MESSAGE)]


def test_failing_channel_then_retry_only_that_channel() -> None:
    notifier = RecordingNotifier({"nn": ["mail", "hook"]}, failing={"hook"}, error="HTTP 500")

    first = notifier.send("nn", MESSAGE)
    assert first == [ChannelResult("mail", True), ChannelResult("hook", False, "HTTP 500")]

    notifier.failing.clear()
    retry = notifier.send("nn", MESSAGE, only={r.channel for r in first if not r.ok})
    assert retry == [ChannelResult("hook", True)]
    assert [channel for channel, _ in notifier.attempts] == ["mail", "hook", "hook"]
    assert notifier.send_to_channel("mail", MESSAGE).ok


def test_unknown_tag_matches_nothing_and_records_nothing() -> None:
    notifier = RecordingNotifier({"nn": ["mail"]})

    assert notifier.send("xd", MESSAGE) == []
    assert notifier.channels("xd") == [] and notifier.sent == []


def test_send_many_keeps_item_order() -> None:
    notifier = RecordingNotifier()
    items = [(f"ag{i}", Message(f"s{i}", f"t{i}")) for i in range(50)]

    results = notifier.send_many(items, concurrency=8)

    assert [r[0].channel for r in results] == [f"recording://ag{i}" for i in range(50)]
    assert sorted(m.subject for _, m in notifier.sent) == sorted(f"s{i}" for i in range(50))


def test_both_notifiers_satisfy_the_protocol() -> None:
    from agencyflow.notifications.apprise_notifier import AppriseNotifier

    assert isinstance(RecordingNotifier(), Notifier)
    assert isinstance(AppriseNotifier([]), Notifier)


def test_importing_the_package_does_not_import_apprise() -> None:
    code = ("import sys, agencyflow.notifications as n; assert 'apprise' not in sys.modules; "
            "n.AppriseNotifier; assert 'apprise' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
