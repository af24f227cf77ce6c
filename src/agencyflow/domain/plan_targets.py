"""A plan's targets: what is measured (indicator), over which periods, and how cumulatively.

Re-exported by :mod:`agencyflow.domain.plan_spec`; measured by :mod:`agencyflow.domain.targets`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, model_validator

from agencyflow.domain.plan_parts import CumulativeSpec
from agencyflow.domain.plan_types import (
    FROZEN,
    Aggregate,
    ItemId,
    NonEmpty,
    Number,
    OutputName,
    PlanDate,
    Text,
    Year,
)
from agencyflow.i18n import _


def _scalar(value: Any) -> Any:
    """A ``where`` filter value: text, number or boolean."""
    if not isinstance(value, str | int | float | bool):
        raise ValueError(_("expected a text, number or boolean, got {value}").format(
            value=repr(value)))
    return value



class IndicatorSpec(BaseModel):
    """How a target is measured from the outputs of completed assignments of ``steps``."""

    model_config = FROZEN
    steps: Annotated[list[ItemId], Field(min_length=1)]
    output: OutputName
    aggregate: Aggregate
    field: OutputName | None = None
    where: dict[str, list[Annotated[Any, BeforeValidator(_scalar)]]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _where_lists(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("where"), dict):
            where = {k: v if isinstance(v, list) else [v] for k, v in data["where"].items()}
            data = {**data, "where": where}
        return data


class TargetPeriod(BaseModel):
    """A span of years (or, with ``start``/``end``, of days) counted together: at least
    ``min``, ideally ``stretch``."""

    model_config = FROZEN
    from_year: Year
    to_year: Year
    min: Number
    stretch: Number | None = None
    start: PlanDate | None = None
    end: PlanDate | None = None

    def first_day(self) -> date:
        """The period's first day."""
        return self.start or date(self.from_year, 1, 1)

    def last_day(self) -> date:
        """The period's last day."""
        return self.end or date(self.to_year, 12, 31)


class TargetBase(BaseModel):
    """Fields a target has both in the file and in the spec."""

    model_config = FROZEN
    id: ItemId
    title: Text
    clauses: list[NonEmpty] = Field(default_factory=list)
    indicator: IndicatorSpec
    cumulative: CumulativeSpec | None = None


class TargetSpec(TargetBase):
    """A tracked indicator with one or more periods."""

    periods: Annotated[list[TargetPeriod], Field(min_length=1)]
