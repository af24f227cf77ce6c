"""The on-disk calendar cache gives the same calendar, and rebuilds when its inputs change."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from agencyflow.domain.calendar import WorkingCalendar
from agencyflow.services.plans.calendar_store import cached_calendar


def test_a_cached_table_is_the_same_calendar(tmp_path: Path) -> None:
    built = cached_calendar(tmp_path)
    files = list(tmp_path.glob("calendar-*.json"))
    assert len(files) == 1
    cached_calendar.cache_clear()
    again = cached_calendar(tmp_path)
    reference = WorkingCalendar()
    for d in (date(2027, 2, 3), date(2026, 8, 22), date(2026, 8, 31), date(2030, 9, 2)):
        assert built.is_working_day(d) == again.is_working_day(d) == reference.is_working_day(d)
        assert again.holiday_name(d) == reference.holiday_name(d)
    assert again.add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)


def test_an_override_file_gets_its_own_table_and_a_broken_cache_is_rebuilt(
        tmp_path: Path) -> None:
    overrides = tmp_path / "ov.yaml"
    overrides.write_text("holidays:\n  2027-03-10: Nghỉ địa phương\n", encoding="utf-8")
    plain = cached_calendar(tmp_path / "c")
    local = cached_calendar(tmp_path / "c", overrides)
    assert plain.is_working_day(date(2027, 3, 10)) and not local.is_working_day(date(2027, 3, 10))
    assert len(list((tmp_path / "c").glob("calendar-*.json"))) == 2
    for path in (tmp_path / "c").glob("calendar-*.json"):
        path.write_text("{not json", encoding="utf-8")
    cached_calendar.cache_clear()
    rebuilt = cached_calendar(tmp_path / "c", overrides)
    assert not rebuilt.is_working_day(date(2027, 3, 10))
    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "c").glob("calendar-*.json")]
    assert sorted(t.startswith("{not") for t in texts) == [False, True]  # only it was rewritten
    assert json.loads(next(t for t in texts if not t.startswith("{not")))["days"]
