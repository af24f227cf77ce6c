"""Plan parts added for plans of any shape in time: cumulative targets and the product registry.

:class:`CumulativeSpec` gives a target a **baseline** (what stood before the plan, e.g. products
rated before agencyflow, as of a date) and may count only what is **valid** on the date asked (a
certified product stops counting on the day its certificate expires). :class:`RegistrySpec` says
which evaluation outputs enter the OCOP product registry, how long a certificate is valid and
when a re-evaluation opens; the rules themselves are in :mod:`agencyflow.domain.products`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt

from agencyflow.domain.plan_types import FROZEN, ItemId, Number, OutputName, PlanDate

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
