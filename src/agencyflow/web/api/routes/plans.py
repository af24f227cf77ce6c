"""``/plans`` and ``/cycles``: stored plans (list, show, load, validate) and yearly cycles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from agencyflow import plans as bundled
from agencyflow.domain.permissions import Action, require
from agencyflow.domain.plan_loader import LoadedPlan, load_plan_text
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.errors import ValidationError
from agencyflow.i18n import _
from agencyflow.services import cycles, plans
from agencyflow.services.database import PlanVersion
from agencyflow.web.api.deps import Context, CurrentActor, Reader, Writer
from agencyflow.web.api.problems import COMMON
from agencyflow.web.api.schemas import (
    CycleIn,
    CyclePublic,
    CycleStartedPublic,
    PlanDetail,
    PlanIn,
    PlanLoaded,
    PlanVersionPublic,
    StepSummary,
)

router = APIRouter(tags=["plans and cycles"], responses=COMMON)

PlanKey = Annotated[str, Path(min_length=1, max_length=100, description="The plan's key.")]


def _version(v: PlanVersion) -> PlanVersionPublic:
    return PlanVersionPublic.model_validate(v.model_dump())


def _steps(spec: PlanSpec) -> list[StepSummary]:
    return [StepSummary(id=s.id, clauses=list(s.clauses), title_vi=s.title.vi,
                        title_en=s.title.en, lead=s.lead, fan_out=s.fan_out,
                        cooperating=list(s.cooperating), recurrence=s.recurrence.value,
                        review=s.review, depends_on=list(s.depends_on),
                        outputs=[o.name for o in s.outputs]) for s in spec.steps]


def _loaded(body: PlanIn) -> LoadedPlan:
    if (body.bundled is None) == (body.text is None):
        raise ValidationError(_("give either `bundled` (a bundled plan's key) or `text` "
                                "(a plan file's YAML)"))
    if body.bundled is not None:
        if body.bundled not in bundled.bundled_plan_keys():
            raise ValidationError(_("no bundled plan {plan!r} (bundled: {known})").format(
                plan=body.bundled, known=", ".join(bundled.bundled_plan_keys())))
        text, source = bundled.bundled_plan_text(body.bundled)
        return load_plan_text(text, source)
    return load_plan_text(body.text or "", body.source)


@router.get("/plans", response_model=list[PlanVersionPublic], summary="List stored plans")
def list_plans(session: Reader, actor: CurrentActor) -> list[PlanVersionPublic]:
    """Every stored version of every plan, by key then version."""
    require(actor, Action.READ, target="plans")
    return [_version(v) for v in plans.list_versions(session)]


@router.get("/plans/{key}", response_model=PlanDetail, summary="A plan's newest version")
def get_plan(key: PlanKey, session: Reader, actor: CurrentActor) -> PlanDetail:
    """The newest stored version of plan ``key`` and its steps."""
    require(actor, Action.READ, target=f"plan {key}")
    version = plans.latest(session, key)
    spec = plans.spec_of(version)
    return PlanDetail(**_version(version).model_dump(), period_from=spec.period_from,
                      period_to=spec.period_to, steps=_steps(spec))


@router.post("/plans", response_model=PlanLoaded, status_code=201,
             responses={200: {"model": PlanLoaded, "description": "Already stored"}},
             summary="Load a plan (coordinator)")
def load_plan(body: PlanIn, session: Writer, ctx: Context, actor: CurrentActor
              ) -> JSONResponse:
    """Store a bundled plan or a plan file's text: a new version when the text changed, nothing
    when it is stored already (200). An invalid plan is refused with every problem listed."""
    version, created = plans.store_plan(session, _loaded(body), now=ctx.now(), actor=actor)
    session.commit()
    result = PlanLoaded(plan=_version(version), created=created)
    return JSONResponse(result.model_dump(mode="json"), status_code=201 if created else 200)


@router.post("/plans/validate", response_model=PlanDetail, summary="Validate a plan file")
def validate_plan(body: PlanIn, ctx: Context, actor: CurrentActor) -> PlanDetail:
    """Check a plan strictly without storing it; 422 lists every problem."""
    require(actor, Action.READ, target="plans")
    loaded = _loaded(body)
    spec = loaded.spec
    return PlanDetail(key=spec.key, version=0, title_vi=spec.title.vi, title_en=spec.title.en,
                      content_hash=loaded.content_hash, source=loaded.source,
                      loaded_at=ctx.now(), period_from=spec.period_from,
                      period_to=spec.period_to, steps=_steps(spec))


@router.get("/cycles", response_model=list[CyclePublic], summary="List cycles")
def list_cycles(session: Reader, actor: CurrentActor,
                plan: Annotated[str | None, Query(max_length=100)] = None) -> list[CyclePublic]:
    """Every cycle (optionally of one plan), newest year first."""
    require(actor, Action.READ, target="cycles")
    return [CyclePublic.model_validate(c.model_dump())
            for c in plans.list_cycles(session, plan)]


@router.post("/cycles", response_model=CycleStartedPublic, status_code=201,
             summary="Start a cycle (coordinator)")
def start_cycle(body: CycleIn, session: Writer, ctx: Context, actor: CurrentActor
                ) -> CycleStartedPublic:
    """Create the year's assignments; 409 if that cycle exists already."""
    _version, result = cycles.start_plan(session, plan=body.plan, year=body.year, now=ctx.now(),
                                         actor=actor, calendar=ctx.calendar,
                                         start_date=body.start, files=False)
    session.commit()
    return CycleStartedPublic(cycle=CyclePublic.model_validate(result.cycle.model_dump()),
                              assignments=result.assignments, open=result.open,
                              waiting=result.waiting)
