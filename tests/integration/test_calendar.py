"""`agencyflow calendar`: parsed by icalendar and by a second, independent parser (ics), with
the alarms checked against the reminder policy computed here from the calendar itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import icalendar
import ics
import pytest
from sqlalchemy import Engine

from agencyflow.config import get_settings
from agencyflow.db import session_scope
from agencyflow.domain.calendar import TIMEZONE
from agencyflow.services.assignments import moves as assignments
from tests import report_world
from tests.cli_helpers import Invoke, cli_for
from tests.factories import CALENDAR, at
from tests.lifecycle_plan import COORDINATOR

#: What the default language (Vietnamese) says is what these tests read.
pytestmark = pytest.mark.vietnamese


NOW = "2027-04-15"


@pytest.fixture
def world(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
          ) -> Iterator[tuple[Invoke, report_world.World, Engine]]:
    built = report_world.build(engine)
    monkeypatch.setenv("AGENCYFLOW_BASE_URL", "https://ocop.kimthanh.gov.vn")
    yield cli_for(engine, monkeypatch, tmp_path, lang="vi"), built, engine
    get_settings.cache_clear()


def ics_of(cli: Invoke, agency: str, tmp_path: Path) -> str:
    out = tmp_path / f"{agency}.ics"
    result = cli("calendar", "--agency", agency, "--now", NOW, "-o", str(out))
    assert result.exit_code == 0, result.output
    return out.read_text()


def expected_alarms(due: date) -> set[datetime]:
    """The default policy (5, 2 and 1 working days before, and on the day), at 07:30 in
    Vietnam, counted on the working-day calendar: a due date on a day off moves back."""
    deadline = CALENDAR.previous_working_day(due)
    days = {CALENDAR.add_working_days(deadline, -n) for n in (5, 2, 1)} | {deadline}
    return {datetime.combine(d, time(7, 30), tzinfo=TIMEZONE).astimezone(UTC) for d in days}


def test_the_calendar_parses_in_two_parsers_with_the_policys_alarms(world, tmp_path) -> None:
    cli, w, engine = world
    text = ics_of(cli, "XA-B", tmp_path)
    cal = icalendar.Calendar.from_ical(text)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    ev = events[f"assignment-{w.eval_b}@walk-ocop.agencyflow"]
    assert ev.decoded("DTSTART") == date(2027, 4, 30)  # the extended date
    assert ev.decoded("DTEND") == date(2027, 5, 1)
    assert int(ev["SEQUENCE"]) == 1  # one approved extension moved it
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert str(ev["URL"]) == f"https://ocop.kimthanh.gov.vn/assignments/{w.eval_b}"
    description = str(ev["DESCRIPTION"])
    assert "Điều khoản: XA-4" in description and "Cơ quan chủ trì: Xã B" in description
    assert "Cơ quan phối hợp: Phòng Nông nghiệp" in description and "9/KH-UBND" in description
    triggers = {a.decoded("TRIGGER") for a in ev.walk("VALARM")}
    assert triggers == expected_alarms(date(2027, 4, 30))
    # the same file through the second parser
    other = ics.Calendar(text)
    by_uid = {e.uid: e for e in other.events}
    second = by_uid[f"assignment-{w.eval_b}@walk-ocop.agencyflow"]
    assert second.begin.date() == date(2027, 4, 30) and second.all_day
    assert {a.trigger.astimezone(UTC) if isinstance(a.trigger, datetime) else a.trigger
            for a in second.alarms} == expected_alarms(date(2027, 4, 30))
    assert len(other.events) == len(events)


def test_uids_are_stable_and_cancelled_assignments_say_so(world, tmp_path) -> None:
    cli, w, engine = world
    first = icalendar.Calendar.from_ical(ics_of(cli, "XA-C", tmp_path))
    with session_scope(engine) as s:
        assignments.cancel(s, assignment_id=w.eval_c, actor=COORDINATOR, now=at(2027, 4, 16),
                           calendar=CALENDAR, reason="Trùng nhiệm vụ")
    again = icalendar.Calendar.from_ical(ics_of(cli, "XA-C", tmp_path))
    uids = [str(e["UID"]) for e in first.walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in again.walk("VEVENT")]
    ev = next(e for e in again.walk("VEVENT")
              if str(e["UID"]).startswith(f"assignment-{w.eval_c}@"))
    assert str(ev["STATUS"]) == "CANCELLED" and not ev.walk("VALARM")


def test_an_unknown_agency_is_an_error(world, tmp_path) -> None:
    cli, w, engine = world
    result = cli("calendar", "--agency", "NOPE")
    assert result.exit_code == 1 and "NOPE" in result.output


def test_a_due_date_on_a_day_off_alarms_on_the_working_day_before() -> None:
    # 30/04 is a day off: the last alarm (due today) is on 29/04 at 07:30
    alarms = sorted(a.astimezone(TIMEZONE) for a in expected_alarms(date(2027, 4, 30)))
    assert alarms[-1] == datetime(2027, 4, 29, 7, 30, tzinfo=TIMEZONE)
    assert all(CALENDAR.is_working_day(a.date()) for a in alarms)


def test_a_feed_made_by_cli_serves_the_same_calendar_until_revoked(world, tmp_path) -> None:
    import re

    from sqlmodel import Session

    from agencyflow.errors import AuthenticationError
    from agencyflow.services.reports import feeds

    cli, w, engine = world
    refused = cli("feed", "create", "--agency", "XA-A", "--now", NOW, "--as", "can.bo.xa-c")
    assert refused.exit_code == 1 and "feed.manage" in refused.output
    made = cli("feed", "create", "--agency", "XA-C", "--now", NOW, "--as", "can.bo.xa-c")
    assert made.exit_code == 0, made.output
    found = re.search(r"https://ocop\.kimthanh\.gov\.vn/feeds/(afc_[\w-]+)\.ics", made.output)
    assert found
    with Session(engine) as s:
        served = feeds.calendar_of(s, found.group(1), now=at(2027, 4, 15), calendar=CALENDAR,
                                   base_url="https://ocop.kimthanh.gov.vn")
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(served).walk("VEVENT")}
    direct = icalendar.Calendar.from_ical(ics_of(cli, "XA-C", tmp_path))
    assert uids and uids == {str(e["UID"]) for e in direct.walk("VEVENT")}
    listed = cli("feed", "list", "--format", "json", "--as", "dieu.phoi")
    assert '"agency": "XA-C"' in listed.output and found.group(1) not in listed.output
    feed_id = re.search(r'"id": (\d+)', listed.output)
    assert feed_id
    assert cli("feed", "revoke", feed_id.group(1), "--as", "can.bo.xa-c").exit_code == 0
    with Session(engine) as s, pytest.raises(AuthenticationError):
        feeds.calendar_of(s, found.group(1), now=at(2027, 4, 15), calendar=CALENDAR)
    again = cli("feed", "revoke", feed_id.group(1), "--as", "dieu.phoi")
    assert again.exit_code == 1 and "already revoked" in again.output
