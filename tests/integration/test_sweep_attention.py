"""One row the sweep cannot handle never stops the sweep (issue 9, finding 6).

An assignment stored with a due date of 9999-12-31 (as a database written before dates were
bounded holds it, so it is written here with raw SQL) made every ``agencyflow remind`` fail with
``CalendarError: 9999-12-31 is outside the working-day calendar``. Now its group is flagged —
the reason on the row, no next notice day — and every other row is swept; ``board`` and
``notifications`` list it; an extension to a real date clears it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from agencyflow.config import get_settings
from agencyflow.i18n import language
from agencyflow.services.reminders import needing_attention, sweeps
from tests.cli_helpers import Invoke, cli_for
from tests.reminder_world import CALENDAR, extend, notifications, start, vn

OPENING = vn(2027, 1, 18)


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Invoke]:
    monkeypatch.setenv("AGENCYFLOW_LANGUAGE", "en")  # the messages asserted are the English ids
    yield cli_for(engine, monkeypatch, tmp_path)
    get_settings.cache_clear()


def _row(engine: Engine, ident: int) -> dict:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT next_notice_on, attention, attention_on, due_current FROM assignment "
            "WHERE id = :i"), {"i": ident}).mappings().one())


def _poison(engine: Engine) -> int:
    """Give the first assignment a due date outside the calendar, as old data could."""
    with engine.begin() as conn:
        ident = conn.execute(text("SELECT min(id) FROM assignment")).scalar_one()
        conn.execute(text("UPDATE assignment SET due_current = '9999-12-31', "
                          "due_original = '9999-12-31' WHERE id = :i"), {"i": ident})
    return int(ident)


def test_a_row_the_sweep_cannot_handle_is_flagged_and_every_other_row_is_swept(
        engine: Engine) -> None:
    start(engine)
    bad = _poison(engine)
    result = sweeps.sweep(engine, now=OPENING, calendar=CALENDAR)
    assert result.needs_attention == 1
    assert result.written == 5 and result.by_kind == {"opened": 5}  # the six rows but one
    assert all(n["assignment_id"] != bad for n in notifications(engine))
    row = _row(engine, bad)
    assert row["next_notice_on"] is None and str(row["attention_on"]) == "2027-01-18"
    assert "31/12/9999 is outside the working-day calendar" in row["attention"]
    assert result.as_dict()["needs_attention"] == 1
    again = sweeps.sweep(engine, now=vn(2027, 1, 19), calendar=CALENDAR)  # skipped, no retry
    assert again.needs_attention == 0 and again.scanned <= 5
    preview = sweeps.preview(engine, now=OPENING, calendar=CALENDAR)
    assert preview.needs_attention == 0


def test_a_large_group_is_flagged_with_its_own_statement(engine: Engine) -> None:
    start(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE assignment SET due_current = '9999-12-31'"))
    result = sweeps.sweep(engine, now=OPENING, calendar=CALENDAR, own_statement_rows=1)
    assert (result.needs_attention, result.written) == (6, 0)
    with engine.connect() as conn:
        assert conn.execute(text(
            "SELECT count(*) FROM assignment WHERE attention IS NULL")).scalar_one() == 0


def test_remind_goes_on_and_board_and_notifications_list_the_row(cli: Invoke,
                                                                 engine: Engine) -> None:
    start(engine)
    bad = _poison(engine)
    done = cli("remind", "--now", "2027-01-18T09:00")
    assert done.exit_code == 0 and "Traceback" not in done.output, done.output
    assert "1 assignment could not be swept and needs attention" in done.output
    assert "5 queued" in done.output
    for args in (["notifications"], ["board", "--now", "2027-01-18"]):
        shown = cli(*args)
        assert shown.exit_code == 0, shown.output
        assert "1 assignment needs attention" in shown.output
        assert f"#{bad} " in shown.output and "outside the working-day calendar" in shown.output


def test_correcting_the_date_clears_the_flag_and_the_row_is_swept_again(engine: Engine) -> None:
    start(engine)
    bad = _poison(engine)
    sweeps.sweep(engine, now=OPENING, calendar=CALENDAR)
    with engine.begin() as conn:  # the stored 9999 request is refused; a real one is not
        conn.execute(text("UPDATE assignment SET due_current = '2027-02-01' WHERE id = :i"),
                     {"i": bad})
    extend(engine, bad, date(2027, 3, 1), vn(2027, 1, 20))
    row = _row(engine, bad)
    assert row["attention"] is None and str(row["next_notice_on"]) == "2027-01-20"
    later = sweeps.sweep(engine, now=vn(2027, 1, 20), calendar=CALENDAR)
    assert later.needs_attention == 0
    assert any(n["assignment_id"] == bad for n in notifications(engine))


def test_the_reason_is_shown_in_the_readers_language_whatever_the_sweeps(engine: Engine) -> None:
    """The sweep runs in Vietnamese; an English reader reads the reason in English, and a
    reason stored as plain text (before reasons were worded per language) is shown as it is."""
    start(engine)
    bad = _poison(engine)
    with language("vi"):
        sweeps.sweep(engine, now=OPENING, calendar=CALENDAR)
    with Session(engine) as session:
        with language("en"):
            _total, english = needing_attention(session)
        with language("vi"):
            _total, vietnamese = needing_attention(session)
    assert english[0]["id"] == bad and vietnamese[0]["id"] == bad
    assert "31/12/9999 is outside the working-day calendar" in english[0]["why"]
    assert "reminders cannot be computed for step" in english[0]["why"]
    assert "nằm ngoài lịch ngày làm việc" in vietnamese[0]["why"]
    assert "outside" not in vietnamese[0]["why"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE assignment SET attention = 'written before' WHERE id = :i"),
                     {"i": bad})
    with Session(engine) as session, language("vi"):
        assert needing_attention(session)[1][0]["why"] == "written before"
