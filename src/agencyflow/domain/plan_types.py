"""Value types of a plan file: texts, enums, deadline rules, outputs, reminders, office hours.

These are shared by the validated :mod:`agencyflow.domain.plan_spec` and the raw file shape in
:mod:`agencyflow.domain.plan_file`; :mod:`plan_spec` re-exports all of them. Every model is frozen
and forbids unknown fields, so a typo in a plan file is an error, never silently ignored.
"""

from __future__ import annotations

import math
import re
from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

from agencyflow.i18n import _

#: Model configuration of every plan model: immutable, unknown fields are errors.
FROZEN = ConfigDict(frozen=True, extra="forbid")

#: Agency code, e.g. ``NN`` or ``XA-KIM-LUONG``.
AgencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]+$")]
#: Plan key or group name, e.g. ``kim-thanh-ocop``.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
#: Step or target id, e.g. ``NN-2`` or ``XA_4.b``.
ItemId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+$")]
#: Output or list-field name, e.g. ``plan_document``.
OutputName = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$")]
#: A non-empty, stripped string.
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: The most working days a plan may count (about eight years): more can only be a typo, and
#: would fall outside the working-day calendar when a deadline or reminder is computed.
MAX_WORKING_DAYS = 2000
#: A positive integer (working days, levels); booleans and strings are refused.
PosInt = Annotated[StrictInt, Field(ge=1, le=MAX_WORKING_DAYS)]
#: A number of working days, 0 included.
WorkingDays = Annotated[StrictInt, Field(ge=0, le=MAX_WORKING_DAYS)]
#: The largest magnitude of a number in a plan (integers stay exact in a float up to 2**53).
MAX_NUMBER = 1e15
#: A calendar year the plan can talk about.
Year = Annotated[StrictInt, Field(ge=1900, le=2200)]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^\d{1,2}:\d{2}$")


def _number(value: Any) -> Any:
    """Accept finite ints and floats of at most :data:`MAX_NUMBER` (no booleans, no numeric
    strings, no NaN or infinity: a NaN minimum would switch its check off)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(_('expected a number, got {value}').format(value=repr(value)))
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(_('expected a finite number, got {value}').format(value=repr(value)))
    if abs(value) > MAX_NUMBER:
        raise ValueError(_("expected a number of at most {max} in magnitude").format(
            max=format(MAX_NUMBER, '.0e')))
    return value


def _plan_date(value: Any) -> date:
    """Accept a YAML date or a ``YYYY-MM-DD`` string; refuse timestamps and anything else."""
    if isinstance(value, date) and type(value) is date:
        return value
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(_('{value} is not a real date').format(value=repr(value))) from exc
    if isinstance(value, date):
        raise ValueError(_('expected a date without a time, got {value}').format(value=value))
    raise ValueError(_("expected a date written YYYY-MM-DD, got {value}").format(
        value=repr(value)))


def _clock(value: Any) -> Any:
    """Accept ``"HH:MM"`` strings (and ``time`` objects); explain YAML's base-60 trap."""
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(_('write the time in quotes, e.g. "17:00" (YAML read it as a number)'))
    if isinstance(value, str) and _TIME_RE.match(value):
        hours, minutes = value.split(":")
        try:
            return time(int(hours), int(minutes))
        except ValueError as exc:
            raise ValueError(_('{value} is not a time of day').format(value=repr(value))) from exc
    raise ValueError(_('expected a time written "HH:MM", got {value}').format(value=repr(value)))


#: A number (int or float, not bool).
Number = Annotated[float, BeforeValidator(_number)]
#: A date: YAML date or ``YYYY-MM-DD`` string.
PlanDate = Annotated[date, BeforeValidator(_plan_date)]
#: A clock time: ``"HH:MM"``.
ClockTime = Annotated[time, BeforeValidator(_clock),
                      PlainSerializer(lambda t: t.strftime("%H:%M"), when_used="json")]


class Text(BaseModel):
    """A human text in Vietnamese (required) with an optional English version."""

    model_config = FROZEN
    vi: NonEmpty
    en: NonEmpty | None = None

    @model_validator(mode="before")
    @classmethod
    def _must_be_mapping(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError(_('expected a text mapping {vi: "...", en: "..."}, got a plain '
                               'string'))
        return value

    def get(self, lang: str = "vi") -> str:
        """The text in ``lang`` ("vi" or "en"); falls back to Vietnamese."""
        return self.en if lang == "en" and self.en else self.vi


class AgencyKind(StrEnum):
    """What an agency is, in the words real plans use.

    ``office`` (a district office, phòng), ``commune`` (a commune or town, xã/thị trấn),
    ``council`` (an evaluation council), ``leader`` (the issuing People's Committee),
    ``province`` (a provincial People's Committee), ``ministry`` (a ministry, bộ),
    ``department`` (a provincial department, sở) and ``external`` (a recipient outside
    government: a bank, an association, an enterprise that only receives notices).
    """

    OFFICE = "office"
    COMMUNE = "commune"
    COUNCIL = "council"
    LEADER = "leader"
    PROVINCE = "province"
    MINISTRY = "ministry"
    DEPARTMENT = "department"
    EXTERNAL = "external"


class Recurrence(StrEnum):
    """How often a step yields an assignment: once per plan period, or per year/quarter/month;
    ``on_demand`` steps are never made when a cycle starts, only when something asks for one
    (the product registry's re-evaluation before a certificate expires)."""

    ONCE = "once"
    YEARLY = "yearly"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    ON_DEMAND = "on_demand"


class LateAgainst(StrEnum):
    """Whether "late" is measured against the original or the current (extended) due date."""

    ORIGINAL = "original"
    CURRENT = "current"


class OutputType(StrEnum):
    """Type of a value recorded on completion; ``score`` is a 0..100 number rated by the plan."""

    TEXT = "text"
    NUMBER = "number"
    INTEGER = "integer"
    DATE = "date"
    BOOLEAN = "boolean"
    LINK = "link"
    LIST = "list"
    SCORE = "score"


class Aggregate(StrEnum):
    """How a target indicator folds recorded outputs into one number."""

    COUNT = "count"
    COUNT_DISTINCT = "count_distinct"
    SUM = "sum"


class FixedDate(BaseModel):
    """Due on ``day``/``month`` of the cycle year, or on a full ``date`` (once and yearly
    steps only). In a period that crosses years, ``day``/``month`` is its first occurrence
    on or after the period's start."""

    model_config = FROZEN
    kind: Literal["fixed_date"] = "fixed_date"
    month: Annotated[StrictInt, Field(ge=1, le=12)] | None = None
    day: Annotated[StrictInt, Field(ge=1, le=31)] | None = None
    date: PlanDate | None = None

    @model_validator(mode="after")
    def _one_form(self) -> FixedDate:
        if self.date is not None and (self.month is not None or self.day is not None):
            raise ValueError(_('give either a full date or month and day, not both'))
        if self.date is None and (self.month is None or self.day is None):
            raise ValueError(_('give month and day (e.g. month: 3, day: 31) or a full date'))
        return self


class AfterCycleStart(BaseModel):
    """Due ``working_days`` working days after the cycle (or recurrence period) starts."""

    model_config = FROZEN
    kind: Literal["after_cycle_start"] = "after_cycle_start"
    working_days: WorkingDays


class AfterStep(BaseModel):
    """Due ``working_days`` working days after ``step`` (which must be in depends_on) is done."""

    model_config = FROZEN
    kind: Literal["after_step"] = "after_step"
    step: ItemId
    working_days: WorkingDays


class MonthEnd(BaseModel):
    """Due on the last working day of ``month`` (None for monthly steps: each month)."""

    model_config = FROZEN
    kind: Literal["month_end"] = "month_end"
    month: Annotated[StrictInt, Field(ge=1, le=12)] | None = None


class QuarterEnd(BaseModel):
    """Due on the last working day of ``quarter`` (None for quarterly steps: each quarter)."""

    model_config = FROZEN
    kind: Literal["quarter_end"] = "quarter_end"
    quarter: Annotated[StrictInt, Field(ge=1, le=4)] | None = None


#: How many of a prerequisite step's assignments must be done: ``all`` (the default), ``any``
#: (one is enough) or a number N (at least N of them).
Need = Literal["all", "any"] | PosInt

#: One deadline rule, chosen by its ``kind``.
DeadlineRule = Annotated[
    FixedDate | AfterCycleStart | AfterStep | MonthEnd | QuarterEnd, Field(discriminator="kind")
]


class OutputSpec(BaseModel):
    """A value that completing an assignment must (or may) record; a list has item ``fields``.

    ``min`` bounds number/integer values; ``choices`` (optional, text only) lists allowed values.
    """

    model_config = FROZEN
    name: OutputName
    label: Text
    type: OutputType
    required: StrictBool = True
    min: Number | None = None
    choices: list[NonEmpty] = Field(default_factory=list)  # text only: the allowed values
    fields: list[OutputSpec] = Field(default_factory=list)

    def field(self, name: str) -> OutputSpec | None:
        """The list item field called ``name``, or None."""
        return next((f for f in self.fields if f.name == name), None)


class EscalationSpec(BaseModel):
    """After ``after`` working days overdue, notify ``to`` at ``level``.

    ``to`` is "leader" (the plan's leader), "coordinator" (the plan's coordinator) or an
    agency code.
    """

    model_config = FROZEN
    after: PosInt
    to: NonEmpty
    level: PosInt


class ReminderPolicySpec(BaseModel):
    """When to notify about an assignment; see :mod:`agencyflow.domain.reminders`."""

    model_config = FROZEN
    on_open: StrictBool = True
    before: list[PosInt] = Field(default_factory=lambda: [5, 2, 1])
    on_due: StrictBool = True
    overdue_every: PosInt | None = 3
    escalations: list[EscalationSpec] = Field(default_factory=list)


class OfficeHours(BaseModel):
    """Local office hours on working days; notices are sent inside them."""

    model_config = FROZEN
    start: ClockTime = time(7, 30)
    end: ClockTime = time(17, 0)
