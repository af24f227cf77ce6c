"""PlanSpec: a validated, immutable plan — agencies, groups, steps, targets and defaults.

A spec is what a plan file means once every default is resolved: a step's ``cooperating`` holds
agency codes only (group references expanded, duplicates and the lead removed), its ``review`` and
``reminders`` are resolved against the plan defaults, an agency's ``tags`` and ``digest`` are
filled in, and a target's ``each_year`` period is expanded into one :class:`TargetPeriod` a year.
The file format is documented in ``docs/plan-format.md``; :mod:`agencyflow.domain.plan_loader`
reads it with positions. Building a spec in code runs the same graph checks
(:mod:`agencyflow.domain.plan_checks`) and raises a pydantic ``ValidationError`` when they fail.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    StrictInt,
    ValidationInfo,
    model_validator,
)

from agencyflow.domain.plan_checks import check_view
from agencyflow.domain.plan_parts import (
    AgencySpec,
    CumulativeSpec,
    GroupSpec,
    RegistrySpec,
    StepBase,
)
from agencyflow.domain.plan_targets import IndicatorSpec, TargetBase, TargetPeriod, TargetSpec
from agencyflow.domain.plan_types import (
    FROZEN,
    AfterCycleStart,
    AfterStep,
    AgencyCode,
    AgencyKind,
    Aggregate,
    ClockTime,
    DeadlineRule,
    EscalationSpec,
    FixedDate,
    ItemId,
    LateAgainst,
    MonthEnd,
    NonEmpty,
    OfficeHours,
    OutputSpec,
    OutputType,
    PlanDate,
    QuarterEnd,
    Recurrence,
    ReminderPolicySpec,
    Slug,
    Text,
    Year,
)
from agencyflow.domain.plan_view import Issue, PlanView, dotted_path
from agencyflow.errors import NotFound
from agencyflow.i18n import _

__all__ = [
    "AfterCycleStart", "AfterStep", "Aggregate", "AgencyKind", "AgencySpec", "ClauseSpec",
    "ClockTime", "CumulativeSpec", "DeadlineRule", "DocumentRef", "EscalationSpec", "FixedDate",
    "GroupSpec", "IndicatorSpec", "RegistrySpec",
    "LateAgainst", "MonthEnd", "OfficeHours", "OutputSpec", "OutputType", "PlanSpec", "QuarterEnd",
    "RatingBand", "Recurrence", "ReminderPolicySpec", "StepSpec", "TargetBase", "TargetPeriod",
    "TargetSpec",
    "Text", "dotted_path",
]  # fmt: skip


class StepSpec(StepBase):
    """A responsibility of the plan, with cooperating, review and reminders resolved."""

    cooperating: list[AgencyCode] = Field(default_factory=list)
    review: bool = False
    reminders: ReminderPolicySpec = Field(default_factory=ReminderPolicySpec)


class RatingBand(BaseModel):
    """Scores ``min``..``max`` (inclusive, out of 100) earn ``stars``."""

    model_config = FROZEN
    min: Annotated[StrictInt, Field(ge=0, le=100)]
    max: Annotated[StrictInt, Field(ge=0, le=100)]
    stars: Annotated[StrictInt, Field(ge=1, le=5)]


class DocumentRef(BaseModel):
    """The official document that issued the plan: its number (số hiệu, e.g. ``45/KH-UBND``)
    and signing date, each optional because a plan may be known before (or without) them —
    messages then cite the document by its title and authority only, never a made-up number."""

    model_config = FROZEN
    number: NonEmpty | None = None
    date: PlanDate | None = None
    url: NonEmpty | None = None


class ClauseSpec(BaseModel):
    """A clause of the source document: ``label`` is its short citation in the source's own
    words (e.g. "Phòng Kinh tế và Hạ tầng huyện: xúc tiến thương mại"), shown in messages
    instead of the clause id."""

    model_config = FROZEN
    label: Text


#: Validation context flag: the spec is read back from storage, where it was stored checked.
STORED = "stored"


class PlanSpec(BaseModel):
    """A whole plan, validated; cycles may be started for years ``period_from``..``period_to``."""

    model_config = FROZEN
    key: Slug
    title: Text
    authority: Text
    document: DocumentRef
    period_from: Year
    period_to: Year
    leader: AgencyCode
    coordinator: AgencyCode
    late_against: LateAgainst = LateAgainst.CURRENT
    review_default: bool = False
    schedule_note: Text | None = None
    rating: list[RatingBand] = Field(default_factory=list)
    #: An explicit period (one cycle from ``period_start`` to ``period_end``, may cross years);
    #: None: one cycle per calendar year ``period_from``..``period_to``.
    period_start: PlanDate | None = None
    period_end: PlanDate | None = None
    #: The day the plan's figures refer to (thời điểm), e.g. of a target's baseline.
    reference_date: PlanDate | None = None
    registry: RegistrySpec | None = None
    #: Labels of the clauses the steps and targets cite, by clause id (optional, may be partial).
    clauses: dict[ItemId, ClauseSpec] = Field(default_factory=dict)
    agencies: list[AgencySpec]
    groups: dict[Slug, GroupSpec] = Field(default_factory=dict)
    steps: list[StepSpec]
    targets: list[TargetSpec] = Field(default_factory=list)
    reminders: ReminderPolicySpec = Field(default_factory=ReminderPolicySpec)
    office_hours: OfficeHours = Field(default_factory=OfficeHours)
    _agencies: dict[str, AgencySpec] = PrivateAttr(default_factory=dict)
    _steps: dict[str, StepSpec] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _graph(self, info: ValidationInfo) -> PlanSpec:
        if info.context is not None and info.context.get(STORED):
            # Checked when it was stored: its text's hash names it, and a plan that a cycle
            # runs under keeps loading even if a later release checks more.
            return self
        issues = check_spec(self)
        if issues:
            raise ValueError("; ".join(f"{dotted_path(path)}: {msg}" for path, msg in issues))
        return self

    def model_post_init(self, context: Any, /) -> None:
        """Index agencies and steps by code/id."""
        self._agencies = {a.code: a for a in self.agencies}
        self._steps = {s.id: s for s in self.steps}

    def cycle_span(self, year: int) -> tuple[date, date] | None:
        """First and last day of the cycle of ``year``; None if the plan has no such cycle."""
        if self.period_start is not None and self.period_end is not None:
            found = year == self.period_start.year
            return (self.period_start, self.period_end) if found else None
        if not self.period_from <= year <= self.period_to:
            return None
        return date(year, 1, 1), date(year, 12, 31)

    def first_day(self) -> date:
        """The plan period's first day."""
        return self.period_start or date(self.period_from, 1, 1)

    def last_day(self) -> date:
        """The plan period's last day."""
        return self.period_end or date(self.period_to, 12, 31)

    def agency(self, code: str) -> AgencySpec:
        """The agency with ``code``; raises :class:`NotFound` if the plan has none."""
        try:
            return self._agencies[code]
        except KeyError:
            raise NotFound(_("plan {key} has no agency {code}").format(
                key=self.key, code=repr(code))) from None

    def step(self, step_id: str) -> StepSpec:
        """The step with ``step_id``; raises :class:`NotFound` if the plan has none."""
        try:
            return self._steps[step_id]
        except KeyError:
            raise NotFound(_("plan {key} has no step {step_id}").format(
                key=self.key, step_id=repr(step_id))) from None

    def members(self, group: str) -> list[str]:
        """Agency codes of ``group``; raises :class:`NotFound` for an unknown group."""
        if group not in self.groups:
            raise NotFound(_("plan {key} has no group {group}").format(
                key=self.key, group=repr(group)))
        return list(self.groups[group].members)

    def dependents(self, step_id: str) -> list[str]:
        """Ids of the steps that wait for ``step_id`` (in file order)."""
        return [s.id for s in self.steps if step_id in s.depends_on]

    def steps_in_dependency_order(self) -> list[StepSpec]:
        """Every step after the steps it depends on; ties keep file order."""
        done: set[str] = set()
        ordered: list[StepSpec] = []
        progress = True
        while progress:
            ready = [s for s in self.steps if s.id not in done and set(s.depends_on) <= done]
            ordered += ready[:1]
            done.update(s.id for s in ready[:1])
            progress = bool(ready)
        return ordered

    def stars_for(self, score: float) -> int | None:
        """Stars earned by ``score`` under ``rating``; None without bands or outside 0..100."""
        if not self.rating or score < self.rating[0].min or score > self.rating[-1].max:
            return None
        return [b for b in self.rating if b.min <= score][-1].stars

    def clause_label(self, clause: str, lang: str = "vi") -> str:
        """How messages cite ``clause``: its label in ``lang`` (falling back to Vietnamese), or
        the clause id itself when the plan gives no label."""
        found = self.clauses.get(clause)
        return found.label.get(lang) if found is not None else clause

    def escalation_target(self, escalation: EscalationSpec) -> str:
        """The agency code an escalation goes to ("leader"/"coordinator" resolved)."""
        if escalation.to == "leader":
            return self.leader
        if escalation.to == "coordinator":
            return self.coordinator
        return escalation.to


def check_spec(spec: PlanSpec) -> list[Issue]:
    """Every issue of a spec built in code (paths name the spec's fields)."""
    view = PlanView(
        leader=(("leader",), spec.leader),
        coordinator=(("coordinator",), spec.coordinator),
        period=(("period_to",), spec.period_from, spec.period_to),
        span=(("period_end",), spec.first_day(), spec.last_day(), spec.period_start is not None),
        reference_date=spec.reference_date,
        registry=(("registry",), spec.registry) if spec.registry else None,
        target_days=[(("targets", i, "periods", j), p.start, p.end)
                     for i, t in enumerate(spec.targets) for j, p in enumerate(t.periods)
                     if p.start is not None and p.end is not None],
        agencies=[(("agencies", i), a) for i, a in enumerate(spec.agencies)],
        groups={n: (("groups", n), g) for n, g in spec.groups.items()},
        steps=[(("steps", i), s) for i, s in enumerate(spec.steps)],
        policies=[(("reminders",), spec.reminders)]
        + [(("steps", i, "reminders"), s.reminders) for i, s in enumerate(spec.steps)],
        targets=[(("targets", i), t) for i, t in enumerate(spec.targets)],
        target_periods=[
            (("targets", i, "periods", j), p.from_year, p.to_year, p.min, p.stretch)
            for i, t in enumerate(spec.targets)
            for j, p in enumerate(t.periods)
        ],
        rating=(("rating",), spec.rating),
        clauses=[(("clauses", c), c) for c in spec.clauses],
    )
    return check_view(view)
