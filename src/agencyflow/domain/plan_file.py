"""The raw shape of a plan file (format 1), before defaults and group references are resolved.

Shared value types live in :mod:`agencyflow.domain.plan_types` and entities in
:mod:`agencyflow.domain.plan_spec`; here are only the parts whose file shape differs from the spec.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictBool, model_validator

from agencyflow.domain.plan_spec import (
    DocumentRef,
    RatingBand,
    RegistrySpec,
    StepBase,
    TargetBase,
)
from agencyflow.domain.plan_types import (
    FROZEN,
    AgencyCode,
    LateAgainst,
    Number,
    OfficeHours,
    PlanDate,
    ReminderPolicySpec,
    Slug,
    Text,
    Year,
)
from agencyflow.i18n import _

#: The only plan-file format this version reads.
FORMAT = 1
#: A cooperating entry: an agency code or ``group:<name>``.
PartyRef = Annotated[str, Field(pattern=r"^(group:[a-z0-9-]+|[A-Z0-9-]+)$")]


class PeriodFile(BaseModel):
    """``plan.period``: the years cycles may be started for (one cycle a calendar year), or
    an explicit ``from``/``to`` of one cycle that may cross years."""

    model_config = FROZEN
    from_year: Year | None = None
    to_year: Year | None = None
    from_: PlanDate | None = Field(default=None, alias="from")
    to: PlanDate | None = None

    @model_validator(mode="after")
    def _one_form(self) -> PeriodFile:
        years = (self.from_year, self.to_year)
        dates = (self.from_, self.to)
        if any(v is not None for v in years) == any(v is not None for v in dates):
            raise ValueError(_('give either from_year and to_year, or from and to (dates)'))
        if None in (years if self.from_year or self.to_year else dates):
            raise ValueError(_('a period needs both ends (from_year/to_year, or from/to)'))
        return self

    def years(self) -> tuple[int, int]:
        """First and last calendar year of the period."""
        if self.from_ is not None and self.to is not None:
            return self.from_.year, self.to.year
        return self.from_year or 0, self.to_year or 0


class RatingFile(BaseModel):
    """``plan.rating``: score bands that earn stars."""

    model_config = FROZEN
    bands: Annotated[list[RatingBand], Field(min_length=1)]


class PlanHeaderFile(BaseModel):
    """The ``plan:`` section."""

    model_config = FROZEN
    key: Slug
    title: Text
    authority: Text
    document: DocumentRef
    period: PeriodFile
    leader: AgencyCode
    coordinator: AgencyCode
    late_against: LateAgainst = LateAgainst.CURRENT
    review_default: StrictBool = False
    schedule_note: Text | None = None
    rating: RatingFile | None = None
    reference_date: PlanDate | None = None
    registry: RegistrySpec | None = None


class StepFile(StepBase):
    """A ``steps:`` entry: cooperating may name groups; review/reminders may be omitted."""

    cooperating: list[PartyRef] = Field(default_factory=list)
    review: StrictBool | None = None
    reminders: ReminderPolicySpec | None = None


class YearSpan(BaseModel):
    """``each_year: {from: 2021, to: 2030}``."""

    model_config = FROZEN
    from_: Year = Field(alias="from")
    to: Year


class TargetPeriodFile(BaseModel):
    """One ``periods:`` entry: a span of years (from_year/to_year), ``each_year``, or a date
    range (``from``/``to``)."""

    model_config = FROZEN
    from_year: Year | None = None
    to_year: Year | None = None
    each_year: YearSpan | None = None
    from_: PlanDate | None = Field(default=None, alias="from")
    to: PlanDate | None = None
    min: Number
    stretch: Number | None = None

    @model_validator(mode="after")
    def _one_form(self) -> TargetPeriodFile:
        span = self.from_year is not None or self.to_year is not None
        dates = self.from_ is not None or self.to is not None
        if [span, self.each_year is not None, dates].count(True) != 1:
            raise ValueError(_("give one of: from_year and to_year, each_year: {from, to}, or "
                               "from and to (dates)"))
        if span and (self.from_year is None or self.to_year is None):
            raise ValueError(_('a span needs both from_year and to_year'))
        if dates and (self.from_ is None or self.to is None):
            raise ValueError(_('a date range needs both from and to'))
        return self

    def years(self) -> tuple[int, int]:
        """First and last year of the period as written."""
        if self.each_year is not None:
            return self.each_year.from_, self.each_year.to
        if self.from_ is not None and self.to is not None:
            return self.from_.year, self.to.year
        return self.from_year or 0, self.to_year or 0


class TargetFile(TargetBase):
    """A ``targets:`` entry (``cumulative`` adds a baseline and may count only what is valid)."""

    periods: Annotated[list[TargetPeriodFile], Field(min_length=1)]


class DefaultsFile(BaseModel):
    """The ``defaults:`` section."""

    model_config = FROZEN
    reminders: ReminderPolicySpec = Field(default_factory=ReminderPolicySpec)
    office_hours: OfficeHours = Field(default_factory=OfficeHours)


def check_format(value: Any) -> str | None:
    """Why ``format`` is unacceptable, or None."""
    if value == FORMAT and isinstance(value, int) and not isinstance(value, bool):
        return None
    return f"unsupported format {value!r}: this agencyflow reads format: {FORMAT}"


__all__ = [
    "FORMAT", "DefaultsFile", "PeriodFile", "PlanHeaderFile", "RatingFile", "StepFile",
    "TargetFile", "TargetPeriodFile", "YearSpan", "check_format",
]  # fmt: skip
