"""Vietnamese working-day calendar, against the real ``holidays`` package (no mocks)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest

from agencyflow.domain.calendar import (
    TIMEZONE,
    WorkingCalendar,
    default_calendar,
    load_overrides,
    local_date,
    parse_date,
)
from agencyflow.errors import CalendarError

ANNOUNCED = {
    "holidays": {date(2027, 2, 12): "Nghỉ bù Tết (công bố của Chính phủ)"},
    "working_days": {date(2027, 2, 20): "Làm bù cho ngày 12/02"},
    "removed_holidays": [date(2027, 9, 3)],
}

OVERRIDE_YAML = """\
# days the government announced; they win over the holidays package
holidays:        # extra days off (date: name)
  2027-02-12: "Nghỉ bù Tết (công bố của Chính phủ)"
working_days:    # make-up working days (e.g. Saturdays)
  "20/02/2027": "Làm bù cho ngày 12/02"
removed_holidays: [2027-09-03]   # days the package lists as holiday but are working days
"""


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return default_calendar()


@pytest.fixture(scope="module")
def pkg() -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=range(2024, 2029), language="vi")


def _first_weekday_after(d: date, pkg: holidays.HolidayBase) -> date:
    """Independent oracle: next Mon–Fri that the package does not list (no make-up days)."""
    d += timedelta(days=1)
    while d.weekday() >= 5 or d in pkg:
        d += timedelta(days=1)
    return d


def test_deadline_crosses_tet_2027_as_listed_by_the_package(cal, pkg):
    tet = sorted(
        d for d, name in pkg.items() if d.year == 2027 and "Tết" in name and "Dương" not in name
    )
    assert tet[0] == date(2027, 2, 4) and tet[-1] == date(2027, 2, 10)
    assert all(not cal.is_working_day(d) and cal.holiday_name(d) == pkg[d] for d in tet)
    before = tet[0] - timedelta(days=1)
    assert cal.add_working_days(before, 1) == _first_weekday_after(tet[-1], pkg)


def test_deadline_crosses_tet_2027_hard_coded(cal):
    assert cal.holiday_name(date(2027, 2, 6)) == "Tết Nguyên Đán"
    assert cal.add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)
    assert cal.add_working_days(date(2027, 2, 1), 5) == date(2027, 2, 15)
    assert cal.add_working_days(date(2027, 2, 3), 5) == date(2027, 2, 17)
    assert cal.add_working_days(date(2027, 2, 6), 0) == date(2027, 2, 11)


def test_make_up_working_saturday_2026(cal, pkg):
    saturdays = sorted(d for d in pkg.weekend_workdays if d.year == 2026)
    assert saturdays == [date(2026, 8, 22)]
    assert cal.is_working_day(date(2026, 8, 22)) and cal.holiday_name(date(2026, 8, 22)) is None
    assert cal.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)
    assert not cal.is_working_day(date(2026, 8, 31))
    assert "22/08/2026" in cal.holiday_name(date(2026, 8, 31))
    assert cal.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)


def test_reunification_and_labour_day(cal):
    assert cal.holiday_name(date(2026, 4, 30)) == "Ngày Chiến thắng"
    assert cal.holiday_name(date(2026, 5, 1)) == "Ngày Quốc tế Lao động"
    assert cal.add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)
    # 2027: 1/5 is a Saturday, so Monday 3/5 is a day off in lieu.
    assert cal.add_working_days(date(2027, 4, 29), 1) == date(2027, 5, 4)


def test_national_day_and_adjacent_day(cal):
    assert not cal.is_working_day(date(2027, 9, 2)) and not cal.is_working_day(date(2027, 9, 3))
    assert cal.add_working_days(date(2027, 9, 1), 1) == date(2027, 9, 6)


def test_negative_n_goes_backwards_without_counting_the_start(cal):
    assert cal.add_working_days(date(2027, 2, 11), -1) == date(2027, 2, 3)
    assert cal.subtract_working_days(date(2027, 2, 15), 3) == date(2027, 2, 3)
    assert cal.add_working_days(date(2027, 2, 13), -1) == date(2027, 2, 12)
    assert cal.subtract_working_days(date(2026, 9, 3), 1) == date(2026, 8, 28)


def test_add_then_subtract_returns_to_the_start_or_the_working_day_before(cal):
    start = date(2026, 1, 1)
    for d in (start + timedelta(days=i) for i in range(730)):
        for n in (1, 7, 22):
            back = cal.subtract_working_days(cal.add_working_days(d, n), n)
            assert back == cal.previous_working_day(d)


def test_working_days_between_round_trip(cal):
    start = date(2026, 1, 1)
    for a in (start + timedelta(days=i) for i in range(730)):
        for k in range(-25, 26):
            b = a + timedelta(days=k)
            steps = cal.working_days_between(a, b)
            assert (steps < 0) == (b < a and steps != 0)
            if cal.is_working_day(b):
                assert cal.add_working_days(a, steps) == b
            if k > 0:
                assert steps == len(cal.working_days_in(a + timedelta(days=1), b))


def test_next_and_previous_working_day(cal):
    assert cal.next_working_day(date(2027, 2, 3)) == date(2027, 2, 3)
    assert cal.next_working_day(date(2027, 2, 3), include=False) == date(2027, 2, 11)
    assert cal.previous_working_day(date(2027, 2, 11)) == date(2027, 2, 11)
    assert cal.previous_working_day(date(2027, 2, 11), include=False) == date(2027, 2, 3)
    assert cal.previous_working_day(date(2027, 2, 7)) == date(2027, 2, 3)


def test_month_and_quarter_end_on_weekend_or_holiday(cal):
    assert cal.last_working_day_of_month(2026, 5) == date(2026, 5, 29)  # 31/5 is a Sunday
    assert cal.last_working_day_of_month(2026, 4) == date(2026, 4, 29)  # 30/4 is a holiday
    assert cal.last_working_day_of_month(2026, 6) == date(2026, 6, 30)
    assert cal.last_working_day_of_quarter(2024, 1) == date(2024, 3, 29)  # 31/3 is a Sunday
    assert cal.last_working_day_of_quarter(2028, 4) == date(2028, 12, 29)
    assert cal.last_working_day_of_month(2040, 12) == date(2040, 12, 31)
    with pytest.raises(CalendarError, match="quarter"):
        cal.last_working_day_of_quarter(2027, 5)


def test_override_adds_a_day_off_and_a_working_saturday(cal):
    local = WorkingCalendar.from_overrides(ANNOUNCED, first_year=2026, last_year=2028)
    assert cal.add_working_days(date(2027, 2, 3), 2) == date(2027, 2, 12)
    assert local.add_working_days(date(2027, 2, 3), 2) == date(2027, 2, 15)
    assert local.holiday_name(date(2027, 2, 12)) == "Nghỉ bù Tết (công bố của Chính phủ)"
    assert local.is_working_day(date(2027, 2, 20)) and not cal.is_working_day(date(2027, 2, 20))
    assert local.add_working_days(date(2027, 2, 19), 1) == date(2027, 2, 20)


def test_override_removes_a_package_holiday():
    local = WorkingCalendar.from_overrides(ANNOUNCED, first_year=2027, last_year=2027)
    assert local.add_working_days(date(2027, 9, 1), 1) == date(2027, 9, 3)
    assert local.holiday_name(date(2027, 9, 3)) is None
    assert local.holiday_name(date(2027, 9, 2)) == "Quốc khánh"


def test_yaml_override_file_matches_the_mapping(tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text(OVERRIDE_YAML, encoding="utf-8")
    from_file = WorkingCalendar(2027, 2027, load_overrides(path))
    from_mapping = WorkingCalendar.from_overrides(ANNOUNCED, first_year=2027, last_year=2027)
    year = (date(2027, 1, 1), date(2027, 12, 31))
    assert from_file.working_days_in(*year) == from_mapping.working_days_in(*year)
    assert default_calendar(str(path)).is_working_day(date(2027, 2, 20))
    assert default_calendar(str(path)) is default_calendar(str(path))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("holidays:\n  2027-13-01: x\n", "holidays: '2027-13-01'"),
        ("holidays:\n  tomorrow: x\n", "holidays: 'tomorrow'"),
        ("holiday:\n  2027-02-12: x\n", "unknown key 'holiday'"),
        ("holidays: {2027-02-12: x}\nworking_days: {2027-02-12: y}\n", "also listed in working"),
        ("holidays: {2027-09-03: x}\nremoved_holidays: [2027-09-03]\n", "also listed in removed"),
        ("holidays: {2027-02-12: 5}\n", "holidays: 2027-02-12: the name must be text"),
        ("- 2027-02-12\n", "expected a mapping"),
        ("holidays: [\n", "invalid YAML"),
        ("holidays: {2050-01-02: x}\n", "2050-01-02 is outside 2015–2040"),
    ],
)
def test_bad_override_file_names_the_file_and_the_key(tmp_path, text, expected):
    path = tmp_path / "bad-overrides.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError, match="bad-overrides.yaml") as err:
        WorkingCalendar(overrides=load_overrides(path))
    assert expected in str(err.value)


def test_missing_override_file(tmp_path):
    with pytest.raises(CalendarError, match="missing.yaml: cannot read"):
        load_overrides(tmp_path / "missing.yaml")


def test_out_of_range_dates_are_refused(cal):
    with pytest.raises(CalendarError, match="01/01/2041 is outside .*2015–2040"):
        cal.is_working_day(date(2041, 1, 1))
    with pytest.raises(CalendarError, match="31/12/2014"):
        cal.add_working_days(date(2014, 12, 31), 1)
    with pytest.raises(CalendarError, match="31/12/2040 \\+1 working days falls outside"):
        cal.add_working_days(date(2040, 12, 31), 1)
    with pytest.raises(CalendarError, match="2015–2040"):
        cal.working_days_between(date(2026, 1, 1), date(2045, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-02-06", date(2027, 2, 6)),
        ("06/02/2027", date(2027, 2, 6)),
        ("2/9/2026", date(2026, 9, 2)),
        (" 30/04/2026 ", date(2026, 4, 30)),
    ],
)
def test_parse_date_accepts_iso_and_vietnamese(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["2027-02-30", "31/02/2027", "2027/02/12", "2027-2-6", "", "ngày mai", "12-02-2027"]
)
def test_parse_date_errors_name_the_text(text):
    with pytest.raises(CalendarError) as err:
        parse_date(text)
    assert repr(text) in str(err.value)


def test_local_date_uses_vietnam_time():
    assert TIMEZONE.key == "Asia/Ho_Chi_Minh"
    assert local_date(datetime(2026, 12, 31, 18, 0, tzinfo=UTC)) == date(2027, 1, 1)
    assert local_date(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert local_date(datetime(2026, 12, 31, 23, 59)) == date(2026, 12, 31)


def test_calendar_is_immutable_and_cached(cal):
    with pytest.raises(AttributeError):
        cal.first_year = 2000
    assert default_calendar() is cal
