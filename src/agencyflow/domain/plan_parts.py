"""Parts of a plan spec that the checks read too: agencies, groups, the fields every step has,
and the parts added for plans of any shape in time (cumulative targets, the product registry).

They live below :mod:`agencyflow.domain.plan_spec` so that :mod:`agencyflow.domain.plan_view`
and the checks can name them without importing the spec (no import circle).

:class:`CumulativeSpec` gives a target a **baseline** (what stood before the plan, e.g. products
rated before agencyflow, as of a date) and may count only what is **valid** on the date asked (a
certified product stops counting on the day its certificate expires). :class:`RegistrySpec` says
which evaluation outputs enter the OCOP product registry, how long a certificate is valid and
when a re-evaluation opens; the rules themselves are in :mod:`agencyflow.domain.products`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, model_validator

from agencyflow.domain.plan_types import (
    FROZEN,
    AgencyCode,
    AgencyKind,
    DeadlineRule,
    ItemId,
    Need,
    NonEmpty,
    Number,
    OutputName,
    OutputSpec,
    PlanDate,
    Recurrence,
    Slug,
    Text,
)

#: The OCOP criteria sets a product may have been rated under: Decision 1048/QĐ-TTg (2019)
#: and Decision 148/QĐ-TTg (2023), which replaced it.
CRITERIA_SETS = ("1048/2019", "148/2023")
#: One of :data:`CRITERIA_SETS`.
Criteria = Literal["1048/2019", "148/2023"]


class CumulativeSpec(BaseModel):
    """``cumulative:`` of a target: ``baseline`` counted as of ``as_of`` (default: the plan's
    ``reference_date``), and with ``valid_only`` only registry products whose certificate is
    valid on the date asked."""

    model_config = FROZEN
    baseline: Annotated[Number, Field(ge=0)] = 0
    as_of: PlanDate | None = None
    valid_only: StrictBool = False


class RegistrySpec(BaseModel):
    """``plan.registry``: the OCOP product registry's plan data.

    Every item of list ``output`` of a done assignment of ``steps`` is a rated product.
    A certificate of ``min_stars`` stars or more is valid ``validity_months`` months from its
    decision date; ``notice_days`` (calendar days) before it expires the sweep opens an
    assignment of ``reevaluation_step`` (an ``on_demand`` step that fans out over the
    communes) for the producer's commune. ``criteria`` is the criteria set of products whose
    item does not say.
    """

    model_config = FROZEN
    steps: Annotated[list[ItemId], Field(min_length=1)]
    output: OutputName
    criteria: Criteria = "148/2023"
    validity_months: Annotated[StrictInt, Field(ge=1, le=240)] = 36
    min_stars: Annotated[StrictInt, Field(ge=1, le=5)] = 3
    notice_days: Annotated[StrictInt, Field(ge=1, le=3650)] = 90
    reevaluation_step: ItemId


class AgencySpec(BaseModel):
    """An agency: ``tags`` default to ``[code.lower()]``, ``digest`` to True for communes only."""

    model_config = FROZEN
    code: AgencyCode
    name: Text
    kind: AgencyKind
    parent: AgencyCode | None = None
    tags: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]]
    digest: bool

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if "tags" not in data and isinstance(data.get("code"), str):
                data["tags"] = [data["code"].lower()]
            if "digest" not in data:
                data["digest"] = data.get("kind") == AgencyKind.COMMUNE
        return data


class GroupSpec(BaseModel):
    """A named set of agencies, used by ``fan_out`` and ``group:<name>`` references."""

    model_config = FROZEN
    name: Text
    members: Annotated[list[AgencyCode], Field(min_length=1)]


class StepBase(BaseModel):
    """Fields a step has both in the file and in the spec."""

    model_config = FROZEN
    id: ItemId
    clauses: Annotated[list[NonEmpty], Field(min_length=1)]
    title: Text
    description: Text | None = None
    lead: AgencyCode | None = None
    fan_out: Slug | None = None
    recurrence: Recurrence = Recurrence.YEARLY
    deadline: DeadlineRule
    depends_on: list[ItemId] = Field(default_factory=list)
    #: How many assignments of a prerequisite must be done, by step id (default ``all``).
    needs: dict[ItemId, Need] = Field(default_factory=dict)
    outputs: list[OutputSpec] = Field(default_factory=list)

    def output(self, name: str) -> OutputSpec | None:
        """The output called ``name``, or None."""
        return next((o for o in self.outputs if o.name == name), None)

    def need(self, prerequisite: str) -> Need:
        """How many of ``prerequisite``'s assignments must be done: all, any or N."""
        return self.needs.get(prerequisite, "all")
