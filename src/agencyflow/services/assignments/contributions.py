"""Contributions: what a cooperating agency adds to the lead's assignment.

A contribution carries a comment, figures (validated like a progress report against the step's
outputs, none required) and evidence. An officer contributes for their own agency where it
cooperates (or leads); a coordinator (or the system) names the agency it speaks for. Contributing
does not change the assignment itself, so it does not bump its version: the lead and the
cooperating agencies can work at the same time. It is refused on done and cancelled assignments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from agencyflow.domain.lifecycle import UNFINISHED
from agencyflow.domain.outputs import validate_outputs
from agencyflow.domain.permissions import Action, Actor, Role
from agencyflow.errors import ValidationError
from agencyflow.i18n import _
from agencyflow.models import Contribution
from agencyflow.services.assignments import core, evidence
from agencyflow.services.assignments.acts import DEFAULT_MAX_BYTES  # one default for evidence


def contribute(session: Session, *, assignment_id: int, actor: Actor, now: datetime,
               comment: str | None = None, figures: Mapping[str, Any] | None = None,
               files: Sequence[Path] = (), links: Sequence[str] = (),
               agency_code: str | None = None, evidence_dir: Path | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES) -> Contribution:
    """Add a contribution (comment, figures, evidence) of ``agency_code`` to an assignment."""
    a = core.load(session, assignment_id)
    core.authorise(actor, Action.CONTRIBUTE, a)
    core.require_state(a, sorted(UNFINISHED), _("add a contribution"))
    agency = _agency(actor, agency_code, a.lead_code, a.cooperating)
    text = (comment or "").strip() or None
    if not (text or figures or files or links):
        raise ValidationError(_("a contribution needs a comment, figures or evidence"))
    if files and evidence_dir is None:
        raise ValidationError(_("no evidence directory is configured: cannot store files"))
    spec, step = core.step_of(session, a)
    checked = (validate_outputs(step.outputs, figures, stars_for=spec.stars_for, partial=True)
               if figures else None)
    row = Contribution(assignment_id=assignment_id, agency_code=agency, author=actor.username,
                       at=now, comment=text, figures=checked)
    session.add(row)
    session.flush()
    added = evidence.attach(session, assignment_id=assignment_id, files=files, links=links,
                            added_by=actor.username, now=now, evidence_dir=evidence_dir or Path(),
                            max_bytes=max_bytes, contribution_id=row.id)
    core.record(session, a, actor=actor, now=now, action=Action.CONTRIBUTE.value,
                after={"contribution": row.id, "agency": agency, "comment": text,
                       "figures": checked, "evidence": added})
    return row


def _agency(actor: Actor, requested: str | None, lead: str, cooperating: Sequence[str]) -> str:
    """The agency the contribution is from: the officer's own, or the one a coordinator names."""
    involved = {lead, *cooperating}
    if actor.role is Role.OFFICER:
        if requested and requested != actor.agency_code:
            raise ValidationError(_("user {user} contributes for agency {agency}, not {other}")
                                  .format(user=actor.username, agency=actor.agency_code,
                                          other=requested))
        return actor.agency_code or ""
    code = requested or actor.agency_code
    if not code:
        raise ValidationError(_("name the agency the contribution is from (--agency)"))
    if code not in involved:
        raise ValidationError(_("agency {code} neither leads nor cooperates on this assignment "
                                "(lead {lead}; cooperating: {cooperating})").format(
            code=code, lead=lead, cooperating=", ".join(cooperating) or _("none")))
    return code
