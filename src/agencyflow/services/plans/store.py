"""Loading plans into the database and reading them back.

A plan is stored once per content hash: loading the same text again changes nothing; loading
changed text creates the next version. Agencies are upserted so names and channels stay current;
cycles keep pointing at the version (and hash) they were started from.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session, col

from agencyflow import plans as bundled
from agencyflow.domain import suggest
from agencyflow.domain.ids import storable
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.plan_loader import (
    PLAN_MAX_BYTES,
    LoadedPlan,
    load_plan_file,
    load_plan_text,
)
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.errors import NotFound
from agencyflow.i18n import _
from agencyflow.models import Agency, PlanVersion
from agencyflow.services.audit import trail as audit
from agencyflow.services.plans.specs import remember, spec_from

__all__ = ["by_id", "ensure_loaded", "is_file_ref", "latest", "list_versions", "read_source",
           "spec_from", "spec_named", "spec_of", "store"]


def is_file_ref(ref: str) -> bool:
    """Whether ``ref`` names a plan file (rather than a plan key)."""
    path = Path(ref)
    return path.suffix in (".yaml", ".yml") or path.exists()


def read_source(ref: str, *, max_bytes: int = PLAN_MAX_BYTES) -> LoadedPlan:
    """Parse a plan given as a file path or as the key of a bundled plan (strict validation);
    a file is read only if it is a regular file of at most ``max_bytes``."""
    path = Path(ref)
    if is_file_ref(ref):
        if not path.exists():
            raise NotFound(_("plan file {file} does not exist").format(file=ref))
        return load_plan_file(path, max_bytes=max_bytes)
    if ref in bundled.bundled_plan_keys():
        text, source = bundled.bundled_plan_text(ref)
        return load_plan_text(text, source)
    raise NotFound(_("no plan file or bundled plan named \"{ref}\" (bundled: {bundled})").format(
        ref=ref, bundled=", ".join(bundled.bundled_plan_keys()) or _("none"))
    )


def store(session: Session, loaded: LoadedPlan, *, now: datetime, actor: Actor
          ) -> tuple[PlanVersion, bool]:
    """Store ``loaded`` unless that exact text is stored already; return (version, created)."""
    spec = loaded.spec
    require(actor, Action.PLAN_LOAD, target=_("plan {key}").format(key=spec.key))
    remember(loaded.content_hash, spec)
    existing = session.execute(
        select(PlanVersion).where(
            col(PlanVersion.key) == spec.key,
            col(PlanVersion.content_hash) == loaded.content_hash,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    last = session.execute(
        select(func.max(col(PlanVersion.version))).where(col(PlanVersion.key) == spec.key)
    ).scalar_one()
    version = PlanVersion(
        key=spec.key, version=(last or 0) + 1, content_hash=loaded.content_hash,
        title_vi=spec.title.vi, title_en=spec.title.en, source=loaded.source, text=loaded.text,
        spec_json=spec.model_dump_json(), loaded_at=now,
    )
    session.add(version)
    _upsert_agencies(session, spec)
    session.flush()
    audit.record(
        session, now=now, actor=actor, action="plan.load", target_type="plan",
        target_id=f"{spec.key}@{version.version}",
        after={"key": spec.key, "version": version.version, "hash": loaded.content_hash,
               "source": loaded.source, "steps": len(spec.steps), "agencies": len(spec.agencies)},
    )
    return version, True


def _upsert_agencies(session: Session, spec: PlanSpec) -> None:
    rows = {a.code: a for a in session.execute(
        select(Agency).where(col(Agency.plan_key) == spec.key)).scalars()}
    for agency in spec.agencies:
        row = rows.get(agency.code) or Agency(plan_key=spec.key, code=agency.code, name_vi="",
                                              kind="")
        row.name_vi, row.name_en = agency.name.vi, agency.name.en
        row.kind, row.parent_code = agency.kind.value, agency.parent
        row.tags, row.digest = list(agency.tags), agency.digest
        session.add(row)


def latest(session: Session, key: str) -> PlanVersion:
    """The newest stored version of plan ``key``."""
    row = session.execute(
        select(PlanVersion).where(col(PlanVersion.key) == key)
        .order_by(col(PlanVersion.version).desc()).limit(1)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(_("plan \"{key}\" is not loaded (try `agencyflow plan load FILE`)")
                       .format(key=key))
    return row


def spec_named(session: Session, ref: str) -> tuple[PlanSpec, PlanVersion | None]:
    """The plan ``ref`` names, for reading: a file; else the newest stored version of the key
    (what cycles start from); else the bundled plan of that key. NotFound names the nearest
    keys there are."""
    if is_file_ref(ref):
        return read_source(ref).spec, None
    stored = session.execute(select(col(PlanVersion.key)).distinct()).scalars().all()
    if ref in stored:
        version = latest(session, ref)
        return spec_of(version), version
    if ref in bundled.bundled_plan_keys():
        return read_source(ref).spec, None
    keys = set(stored) | set(bundled.bundled_plan_keys())
    raise NotFound(_("no plan file, stored plan or bundled plan named '{ref}': {hint}").format(
        ref=ref, hint=suggest.hint(ref, keys)))


def by_id(session: Session, version_id: int) -> PlanVersion:
    """A stored plan version by its row id."""
    row = session.get(PlanVersion, version_id) if storable(version_id) else None
    if row is None:
        raise NotFound(_("plan version id {id} does not exist").format(id=version_id))
    return row


def spec_of(version: PlanVersion) -> PlanSpec:
    """The parsed spec of a stored version (parsed once per content hash and process)."""
    return spec_from(version.content_hash, version.spec_json)


def list_versions(session: Session) -> list[PlanVersion]:
    """Every stored plan version, by key then version."""
    stmt = select(PlanVersion).order_by(col(PlanVersion.key), col(PlanVersion.version))
    return list(session.execute(stmt).scalars())


def ensure_loaded(session: Session, ref: str, *, now: datetime, actor: Actor,
                  purpose: Action = Action.PLAN_LOAD, files: bool = True) -> PlanVersion:
    """Resolve ``ref`` to a stored version: a file or bundled plan is (re)loaded first;
    otherwise the newest stored version of the key ``ref`` is used.

    ``purpose`` is what the caller is about to do with the plan (e.g. start a cycle): it is
    checked first, so that a refusal names the action the user attempted. ``files=False`` (the
    web and the API: a request never names a file of the server) reads ``ref`` as a stored or
    bundled key only."""
    require(actor, purpose, target=_("plan {key}").format(key=ref))
    named_file = files and bool(Path(ref).suffix)
    stored_only = not named_file and ref not in bundled.bundled_plan_keys()
    if stored_only:
        return latest(session, ref)
    version, _created = store(session, read_source(ref), now=now, actor=actor)
    return version
