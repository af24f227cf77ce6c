"""The monthly report: queued once per plan and month, sent by the dispatcher to the leader's
e-mail through apprise with the .docx attached, retried and dead-lettered like every notice.
A real SMTP sink (aiosmtpd, STARTTLS) receives it; the attachment opens with python-docx."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
from sqlalchemy import Engine, select
from sqlmodel import Session

from agencyflow.config import Settings
from agencyflow.db import session_scope
from agencyflow.models import Notification
from agencyflow.notifications.apprise_notifier import AppriseNotifier
from agencyflow.services.delivery import dispatch, wiring
from agencyflow.services.reports import monthly
from tests import report_world
from tests.factories import CALENDAR, at
from tests.sinks import SmtpSink


def _queue(engine: Engine, settings: Settings, day: int = 3) -> monthly.Queued:
    with session_scope(engine) as session:
        return monthly.queue_monthly(session, settings, plan_key="walk-ocop",
                                     now=at(2027, 5, day, 8), calendar=CALENDAR)


def test_the_leader_receives_last_months_report_once(engine: Engine, settings: Settings
                                                     ) -> None:
    report_world.build(engine)
    first = _queue(engine, settings)
    assert first.written and first.key == "report:walk-ocop:2027-04"
    assert first.path is not None and first.path.parent == settings.data_dir / "reports"
    assert not _queue(engine, settings, day=4).written  # never twice for one month
    with SmtpSink() as smtp:
        notifier = AppriseNotifier.from_urls([(smtp.mailto_url(to="ct@kimthanh.gov.vn"),
                                               "ubnd-huyen")])
        result = dispatch.dispatch(engine, notifier, wiring.renderer_factory(settings),
                                   now=at(2027, 5, 3, 8, 5), worker_id="t")
        assert result.sent == 1, result.as_dict()
        mail = smtp.wait_for(1)[0].message
    assert "[Báo cáo tháng]" in mail["Subject"] and "tháng 4 năm 2027" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert "tỷ lệ hoàn thành" in body and "Kính gửi: UBND huyện" in body
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "bao-cao-walk-ocop-2027-04.docx"
    document = docx.Document(io.BytesIO(attachment.get_content()))
    texts = [p.text for p in document.paragraphs]
    assert "Kết quả thực hiện nhiệm vụ được giao tháng 4 năm 2027" in texts
    with Session(engine) as s:
        row = s.execute(select(Notification).where(Notification.kind == "monthly_report")
                        ).scalar_one()
    assert row.status == "sent" and row.recipient_code == "UBND-HUYEN"


def test_a_failing_channel_retries_then_dead_letters(engine: Engine, settings: Settings
                                                     ) -> None:
    report_world.build(engine)
    _queue(engine, settings)
    notifier = AppriseNotifier.from_urls([("json://127.0.0.1:1/hook?cto=1&rto=1",
                                           "ubnd-huyen")])
    outcomes = []
    for attempt in range(2):
        result = dispatch.dispatch(engine, notifier, wiring.renderer_factory(settings),
                                   now=at(2027, 5, 3 + attempt * 2, 9), worker_id="t",
                                   max_attempts=2, backoff_seconds=60)
        outcomes.append(result.by_agency["UBND-HUYEN"])
    assert outcomes == [{"failed": 1}, {"dead": 1}]  # retried once, then dead
    with Session(engine) as s:
        row = s.execute(select(Notification).where(Notification.kind == "monthly_report")
                        ).scalar_one()
    assert row.status == "dead" and row.attempts == 2 and row.last_error


def test_the_first_working_day_of_the_month() -> None:
    assert monthly.is_first_working_day(date(2027, 6, 1), CALENDAR)
    assert not monthly.is_first_working_day(date(2027, 6, 2), CALENDAR)
    # 1 May is a holiday and 2 May a Sunday: May's first working day is the 3rd (or later)
    first_may = CALENDAR.next_working_day(date(2027, 5, 1))
    assert first_may > date(2027, 5, 1) and monthly.is_first_working_day(first_may, CALENDAR)
    assert not monthly.is_first_working_day(date(2027, 5, 1), CALENDAR)


def test_prefect_yaml_deploys_the_monthly_report() -> None:
    text = (Path(__file__).resolve().parents[2] / "prefect.yaml").read_text()
    assert "src/agencyflow/flows/monthly_report.py:monthly_report" in text
