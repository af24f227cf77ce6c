"""The period a report covers: a year, a quarter or a month (pure; no database).

``--year 2027`` covers the whole cycle of 2027; ``--quarter 2027-Q2`` and ``--month 2027-05`` cover
the assignments of that year's cycle whose current due date falls inside the quarter or month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from agencyflow.errors import ValidationError

_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class ReportPeriod:
    """``kind`` is ``year``, ``quarter`` or ``month``; ``number`` the quarter or month (None for
    a year); ``start``..``end`` the closed range of days it covers."""

    kind: str
    year: int
    number: int | None
    start: date
    end: date

    @property
    def slug(self) -> str:
        """``2027``, ``2027-Q2`` or ``2027-05`` (file names, outbox keys)."""
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        return str(self.year)

    def label(self, lang: str = "vi") -> str:
        """``năm 2027`` / ``quý II năm 2027`` / ``tháng 5 năm 2027`` (English: ``2027``,
        ``Q2 2027``, ``May 2027``)."""
        if lang == "en":
            if self.kind == "quarter":
                return f"Q{self.number} {self.year}"
            if self.kind == "month":
                return f"{date(self.year, self.number or 1, 1):%B} {self.year}"
            return str(self.year)
        if self.kind == "quarter":
            return f"quý {_ROMAN[self.number or 1]} năm {self.year}"
        if self.kind == "month":
            return f"tháng {self.number} năm {self.year}"
        return f"năm {self.year}"

    def whole_cycle(self) -> bool:
        """True for a yearly report: every assignment of the cycle counts, dated or not."""
        return self.kind == "year"

    def covers(self, due: date | None) -> bool:
        """Whether an assignment due on ``due`` belongs to the report."""
        if self.whole_cycle():
            return True
        return due is not None and self.start <= due <= self.end


def year(y: int) -> ReportPeriod:
    """The whole year ``y``."""
    _check_year(y)
    return ReportPeriod("year", y, None, date(y, 1, 1), date(y, 12, 31))


def quarter(y: int, q: int) -> ReportPeriod:
    """Quarter ``q`` (1–4) of ``y``."""
    _check_year(y)
    if not 1 <= q <= 4:
        raise ValidationError(f"quarter must be 1–4, got {q}")
    start = date(y, 3 * q - 2, 1)
    return ReportPeriod("quarter", y, q, start, _month_end(y, 3 * q))


def month(y: int, m: int) -> ReportPeriod:
    """Month ``m`` (1–12) of ``y``."""
    _check_year(y)
    if not 1 <= m <= 12:
        raise ValidationError(f"month must be 1–12, got {m}")
    return ReportPeriod("month", y, m, date(y, m, 1), _month_end(y, m))


def previous_month(today: date) -> ReportPeriod:
    """The month before the one ``today`` is in (what the monthly report covers)."""
    last = today.replace(day=1) - timedelta(days=1)
    return month(last.year, last.month)


def parse(*, year_: int | None = None, quarter_: str | None = None,
          month_: str | None = None) -> ReportPeriod:
    """Exactly one of ``--year 2027``, ``--quarter 2027-Q2``, ``--month 2027-05``."""
    given = [v for v in (year_, quarter_, month_) if v is not None]
    if len(given) != 1:
        raise ValidationError("give exactly one of --year YYYY, --quarter YYYY-QN, "
                              "--month YYYY-MM")
    if year_ is not None:
        return year(year_)
    if quarter_ is not None:
        if not (m := _QUARTER.fullmatch(quarter_.strip())):
            raise ValidationError(f"--quarter {quarter_!r}: write it as YYYY-QN, e.g. 2027-Q2")
        return quarter(int(m[1]), int(m[2]))
    assert month_ is not None
    if not (m := _MONTH.fullmatch(month_.strip())):
        raise ValidationError(f"--month {month_!r}: write it as YYYY-MM, e.g. 2027-05")
    return month(int(m[1]), int(m[2]))


def parse_text(text: str) -> ReportPeriod:
    """One field for all three (the web form): ``2027``, ``2027-Q2`` or ``2027-05``."""
    value = text.strip()
    if value.isdigit() and len(value) == 4:
        return year(int(value))
    if "q" in value.lower():
        return parse(quarter_=value.upper())
    if _MONTH.fullmatch(value):
        return parse(month_=value)
    raise ValidationError(f"period {text!r}: write a year (2027), a quarter (2027-Q2) or a "
                          "month (2027-05)")


def _check_year(y: int) -> None:
    if not 2000 <= y <= 2100:
        raise ValidationError(f"year {y} is out of range (2000–2100)")


def _month_end(y: int, m: int) -> date:
    return date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)
