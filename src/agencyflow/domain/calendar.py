"""Vietnamese working-day arithmetic for administrative deadlines.

Working days are Monday to Friday minus the public holidays of the ``holidays`` package (Tết,
Giỗ Tổ Hùng Vương, 30/4, 1/5, 2/9, substitute days off), plus the make-up working Saturdays the
package knows (``HolidayBase.weekend_workdays``). From 2027 the package derives dates from Labour
Code rules while the government announces swaps each year, so a local override table wins over it.

Counting follows the Civil Code (art. 147): the n-th working day after ``d`` does not count ``d``.
All lookups use a precomputed ordinal table and :mod:`bisect`; nothing is computed at import time.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from agencyflow.domain.files import FileRefused, read_bounded
from agencyflow.errors import CalendarError
from agencyflow.i18n import _

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
"""Time zone in which every deadline date is reckoned."""

DEFAULT_OVERRIDE_NAME = "Ngày nghỉ theo công bố của Chính phủ"
"""Name given to an override holiday listed without a name."""

#: The years the working-day calendar of a running agencyflow covers
#: (:mod:`agencyflow.services.plans.calendar_store` builds it for them). A date a user gives — a
#: ``--now``, a new due date — must fall in them, and is refused when it is given.
FIRST_YEAR, LAST_YEAR = 2015, 2040

#: The largest working-day override file read (a few hundred dates take a few KB).
OVERRIDES_MAX_BYTES = 1024 * 1024

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_VIETNAMESE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_OVERRIDE_KEYS = ("holidays", "working_days", "removed_holidays")


def parse_date(text: str) -> date:
    """Parse ISO ``YYYY-MM-DD`` or Vietnamese ``dd/mm/yyyy``; raise CalendarError otherwise."""
    value = text.strip() if isinstance(text, str) else ""
    try:
        if m := _ISO.fullmatch(value):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _VIETNAMESE.fullmatch(value):
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError as exc:
        raise CalendarError(_("'{text}' is not a valid date: {reason}").format(
            text=text, reason=_date_problem(exc))) from None
    raise CalendarError(_("'{text}' is not a date (expected YYYY-MM-DD or dd/mm/yyyy)")
                        .format(text=text))


def _date_problem(exc: ValueError) -> str:
    """Why ``date()`` refused a day, in words (its own message is English)."""
    if "day" in str(exc):
        return _("that month has no such day")
    if "month" in str(exc):
        return _("the month must be 1–12")
    return _("the year is out of range")


def check_in_calendar(day: date, what: str) -> date:
    """``day`` if it is within :data:`FIRST_YEAR`–:data:`LAST_YEAR`; CalendarError naming
    ``what`` (e.g. "the new due date") otherwise."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalendarError(_("{what} {day} is outside the working-day calendar "
                              "({first}–{last}): give a date in those years").format(
            what=what, day=day.isoformat(), first=FIRST_YEAR, last=LAST_YEAR))
    return day


def local_date(now: datetime) -> date:
    """Calendar date of ``now`` in Vietnam; a naive datetime is taken as Vietnam local time."""
    return now.date() if now.tzinfo is None else now.astimezone(TIMEZONE).date()


@dataclass(frozen=True)
class CalendarOverrides:
    """Days the government announced; they win over the ``holidays`` package."""

    holidays: Mapping[date, str] = field(default_factory=dict)
    working_days: Mapping[date, str] = field(default_factory=dict)
    removed_holidays: frozenset[date] = frozenset()
    source: str = "<overrides>"


def _as_date(raw: object, where: str) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    try:
        return parse_date(raw if isinstance(raw, str) else repr(raw))
    except CalendarError as exc:
        raise CalendarError(f"{where}: {exc}") from None


def _named_dates(raw: object, where: str, default: str) -> dict[date, str]:
    if raw is None:
        return {}
    if isinstance(raw, list):
        raw = dict.fromkeys(raw)
    if not isinstance(raw, Mapping):
        raise CalendarError(_('{where}: expected a mapping of date: name').format(where=where))
    out: dict[date, str] = {}
    for key, name in raw.items():
        if name is not None and not isinstance(name, str):
            raise CalendarError(_("{where}: {key}: the name must be text, got {name}").format(
                where=where, key=key, name=repr(name)))
        out[_as_date(key, where)] = name or default
    return out


def parse_overrides(
    mapping: Mapping[str, Any] | None, source: str = "<overrides>"
) -> CalendarOverrides:
    """Validate an override mapping (keys: holidays, working_days, removed_holidays)."""
    if mapping is None:
        return CalendarOverrides(source=source)
    if not isinstance(mapping, Mapping):
        raise CalendarError(_("{source}: expected a mapping with keys {value}").format(
            source=source, value=', '.join(_OVERRIDE_KEYS)))
    if unknown := sorted(str(k) for k in mapping if k not in _OVERRIDE_KEYS):
        raise CalendarError(_("{source}: unknown key {value} (allowed: {allowed})").format(
            source=source, value=repr(unknown[0]), allowed=', '.join(_OVERRIDE_KEYS)))
    off = _named_dates(mapping.get("holidays"), f"{source}: holidays", DEFAULT_OVERRIDE_NAME)
    work = _named_dates(mapping.get("working_days"), f"{source}: working_days", "")
    removed = _named_dates(mapping.get("removed_holidays"), f"{source}: removed_holidays", "")
    for d in sorted(off.keys() & (work.keys() | removed.keys())):
        other = "working_days" if d in work else "removed_holidays"
        raise CalendarError(_("{source}: holidays: {value} is also listed in {other}").format(
            source=source, value=d.isoformat(), other=other))
    return CalendarOverrides(
        MappingProxyType(off), MappingProxyType(work), frozenset(removed), source
    )


@lru_cache(maxsize=1)
def _dates_as_text() -> type[Any]:
    """A SafeLoader that keeps dates as text, so that a bad date is reported with its key.

    Built on first use: importing yaml (~20 ms) is wasted on commands that read no override file.
    """
    import yaml

    class DatesAsText(yaml.SafeLoader):
        pass

    DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", lambda _loader, node: node.value)
    return DatesAsText


def load_overrides(path: str | Path) -> CalendarOverrides:
    """Read and validate a YAML override file; errors name the file and the key."""
    import yaml

    try:
        text = read_bounded(path, OVERRIDES_MAX_BYTES).decode("utf-8")
        data = yaml.load(text, Loader=_dates_as_text())  # safe: a SafeLoader subclass
    except FileRefused as exc:
        why = (f"larger than {OVERRIDES_MAX_BYTES} bytes" if exc.too_large
               else str(exc).removeprefix("cannot read: "))
        raise CalendarError(_("{path}: cannot read the override file: {why}").format(
            path=path, why=why)) from None
    except UnicodeDecodeError:
        raise CalendarError(_("{path}: the override file is not UTF-8 text").format(
            path=path)) from None
    except yaml.YAMLError as exc:
        raise CalendarError(_('{path}: invalid YAML: {exc}').format(path=path, exc=exc)) from None
    return parse_overrides(data, source=str(path))


def _works(day: date, pkg: Any, ov: CalendarOverrides) -> bool:
    """Working status of ``day``: overrides first, then the package's own ``is_working_day``."""
    if day in ov.working_days:
        return True
    if day in ov.holidays:
        return False
    if day in ov.removed_holidays:
        return not pkg.is_weekend(day)
    return pkg.is_working_day(day)


def _build_tables(
    first_year: int, last_year: int, ov: CalendarOverrides
) -> tuple[tuple[int, ...], dict[date, str]]:
    """Sorted ordinals of the working days and the holiday names, overrides applied."""
    if first_year > last_year:
        raise CalendarError(_("first_year {first_year} is after last_year {last_year}").format(
            first_year=first_year, last_year=last_year))
    for d in sorted({*ov.holidays, *ov.working_days, *ov.removed_holidays}):
        if not first_year <= d.year <= last_year:
            raise CalendarError(_("{source}: {day} is outside {first_year}–{last_year}").format(
                source=ov.source, day=d, first_year=first_year, last_year=last_year))
    import holidays  # ~0.3 s (it loads every country): only when a table is really built

    pkg = holidays.country_holidays("VN", years=range(first_year, last_year + 1), language="vi")
    not_holidays = ov.removed_holidays | set(ov.working_days)
    merged = {**pkg, **ov.holidays}.items()
    names = {d: n for d, n in merged if first_year <= d.year <= last_year and d not in not_holidays}
    lo, hi = date(first_year, 1, 1).toordinal(), date(last_year, 12, 31).toordinal()
    return tuple(o for o in range(lo, hi + 1) if _works(date.fromordinal(o), pkg, ov)), names


class WorkingCalendar:
    """Immutable Vietnamese working-day calendar over ``[first_year, last_year]``."""

    __slots__ = ("first_year", "last_year", "overrides", "_days", "_names")
    first_year: int
    last_year: int
    overrides: CalendarOverrides
    _days: tuple[int, ...]
    _names: Mapping[date, str]

    def __init__(
        self,
        first_year: int = FIRST_YEAR,
        last_year: int = LAST_YEAR,
        overrides: CalendarOverrides | None = None,
    ) -> None:
        """Build the table from the ``holidays`` package, then apply ``overrides``."""
        ov = overrides or CalendarOverrides()
        days, names = _build_tables(first_year, last_year, ov)
        values = (first_year, last_year, ov, days, MappingProxyType(names))
        for attr, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, attr, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"WorkingCalendar is immutable (cannot set {name})")

    def table(self) -> dict[str, Any]:
        """The computed table as plain JSON data (working-day ordinals, holiday names)."""
        return {"first_year": self.first_year, "last_year": self.last_year,
                "days": list(self._days),
                "names": {d.isoformat(): n for d, n in sorted(self._names.items())}}

    @classmethod
    def from_table(cls, table: Mapping[str, Any],
                   overrides: CalendarOverrides | None = None) -> WorkingCalendar:
        """Rebuild a calendar from :meth:`table` output without the holidays package."""
        self = cls.__new__(cls)
        names = {date.fromisoformat(d): n for d, n in table["names"].items()}
        values = (int(table["first_year"]), int(table["last_year"]),
                  overrides or CalendarOverrides(), tuple(table["days"]),
                  MappingProxyType(names))
        for attr, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, attr, value)
        return self

    @classmethod
    def from_overrides(
        cls,
        mapping: Mapping[str, Any] | None,
        *,
        source: str = "<overrides>",
        first_year: int = FIRST_YEAR,
        last_year: int = LAST_YEAR,
    ) -> WorkingCalendar:
        """Build a calendar from an override mapping shaped like the YAML file."""
        return cls(first_year, last_year, parse_overrides(mapping, source))

    def _ordinal(self, d: date) -> int:
        if not self.first_year <= d.year <= self.last_year:
            raise CalendarError(_("{day} is outside the working-day calendar ({first}–{last})")
                                .format(day=f"{d:%d/%m/%Y}", first=self.first_year,
                                        last=self.last_year))
        return d.toordinal()

    def _at(self, index: int, d: date, n: int) -> date:
        if not 0 <= index < len(self._days):
            raise CalendarError(_("{day} {n:+d} working days falls outside the working-day "
                                  "calendar ({first}–{last})").format(
                day=f"{d:%d/%m/%Y}", n=n, first=self.first_year, last=self.last_year))
        return date.fromordinal(self._days[index])

    def is_working_day(self, d: date) -> bool:
        """True if ``d`` is a working day (make-up Saturdays included)."""
        o = self._ordinal(d)
        i = bisect_left(self._days, o)
        return i < len(self._days) and self._days[i] == o

    def holiday_name(self, d: date) -> str | None:
        """Vietnamese name of the holiday on ``d``, or None (weekends and working days)."""
        return self._names.get(date.fromordinal(self._ordinal(d)))

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (not counting ``d``); before it if n < 0.

        With n == 0: ``d`` itself if it is a working day, else the next working day.
        """
        o = self._ordinal(d)
        index = bisect_right(self._days, o) + n - 1 if n > 0 else bisect_left(self._days, o) + n
        return self._at(index, d, n)

    def subtract_working_days(self, d: date, n: int) -> date:
        """The n-th working day before ``d`` (not counting ``d``)."""
        return self.add_working_days(d, -n)

    def working_days_between(self, a: date, b: date) -> int:
        """Working-day steps from ``a`` to ``b``: ``add_working_days(a, result) == b``.

        For b >= a it counts the working days in (a, b]; for b < a it is minus the working
        days in [b, a). The round trip holds whenever ``b`` is a working day.
        """
        oa, ob = self._ordinal(a), self._ordinal(b)
        if ob >= oa:
            return bisect_right(self._days, ob) - bisect_right(self._days, oa)
        return bisect_left(self._days, ob) - bisect_left(self._days, oa)

    def next_working_day(self, d: date, include: bool = True) -> date:
        """First working day from ``d`` (``d`` itself counts if ``include``)."""
        return self.add_working_days(d, 0 if include else 1)

    def previous_working_day(self, d: date, include: bool = True) -> date:
        """Last working day up to ``d`` (``d`` itself counts if ``include``)."""
        o = self._ordinal(d)
        index = (bisect_right if include else bisect_left)(self._days, o) - 1
        return self._at(index, d, 0 if include else -1)

    def last_working_day_of_month(self, year: int, month: int) -> date:
        """Last working day of the month (weekends and holidays at month end skipped)."""
        if not 1 <= month <= 12:
            raise CalendarError(_('month must be 1–12, got {month}').format(month=month))
        month_end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return self.previous_working_day(month_end)

    def last_working_day_of_quarter(self, year: int, quarter: int) -> date:
        """Last working day of quarter 1–4 of ``year``."""
        if not 1 <= quarter <= 4:
            raise CalendarError(_('quarter must be 1–4, got {quarter}').format(quarter=quarter))
        return self.last_working_day_of_month(year, quarter * 3)

    def working_days_in(self, start: date, end: date) -> list[date]:
        """Working days in the closed range [start, end], in order."""
        lo = bisect_left(self._days, self._ordinal(start))
        hi = bisect_right(self._days, self._ordinal(end))
        return [date.fromordinal(o) for o in self._days[lo:hi]]


@lru_cache(maxsize=8)
def default_calendar(overrides_path: str | Path | None = None) -> WorkingCalendar:
    """Shared calendar for 2015–2040, built on first use and cached per override file."""
    return WorkingCalendar(overrides=load_overrides(overrides_path) if overrides_path else None)
