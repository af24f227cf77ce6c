"""``plan diff OLD NEW``: what changed between two plans, each named by a file, a stored
``key@version``, a stored or bundled key (its newest version) or a bundled amendment."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow import plans as bundled
from agencyflow.domain.plan_diff import Change, diff_plans
from agencyflow.domain.plan_loader import load_plan_text
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.errors import NotFound
from agencyflow.i18n import _
from agencyflow.models import PlanVersion
from agencyflow.services.plans import store


def spec_of_ref(session: Session, ref: str) -> PlanSpec:
    """The plan ``ref`` names (see the module docstring)."""
    if ref in bundled.amendment_names():
        return load_plan_text(*bundled.amendment_text(ref)).spec
    key, at, number = ref.rpartition("@")
    if at and number.isdigit():
        row = session.execute(select(PlanVersion).where(
            col(PlanVersion.key) == key, col(PlanVersion.version) == int(number))
        ).scalar_one_or_none()
        if row is None:
            raise NotFound(_("plan {plan} has no stored version {version}").format(
                plan=key, version=number))
        return store.spec_of(row)
    return store.spec_named(session, ref)[0]


def diff(session: Session, old: str, new: str) -> list[Change]:
    """The changes from plan ``old`` to plan ``new``."""
    return diff_plans(spec_of_ref(session, old), spec_of_ref(session, new))
