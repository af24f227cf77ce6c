"""Stored plan specs, parsed once per content hash and process, read with SQL text.

Light on purpose: no SQLAlchemy, so that the CLI's quick writes (a plain DBAPI connection) and the
full path (a session) read a cycle's spec by the same query and share one cache.
"""

from __future__ import annotations

from typing import Any

from agencyflow.dbapi import fetch
from agencyflow.domain.plan_spec import STORED, PlanSpec
from agencyflow.errors import NotFound
from agencyflow.i18n import _

#: Parsed plans by content hash: a national plan takes seconds to parse, so parse it once per
#: process (the hash is over the text, so a hit is always the same plan).
_PARSED: dict[str, PlanSpec] = {}
_PARSED_MAX = 16

_OF_CYCLE = """SELECT pv.content_hash, pv.spec_json FROM cycle c
JOIN plan_version pv ON pv.id = c.plan_version_id WHERE c.id = :cycle"""
_OF_KEY = """SELECT content_hash, spec_json FROM plan_version WHERE key = :key
ORDER BY version"""


def remember(content_hash: str, spec: PlanSpec) -> None:
    """Keep ``spec`` as the parse of the text hashed ``content_hash``."""
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[content_hash] = spec


def spec_from(content_hash: str, spec_json: str) -> PlanSpec:
    """The parsed spec stored as ``spec_json`` under ``content_hash`` (for callers that read
    only those two columns, not the plan's source text); the cross-checks ran when it was
    stored and are not repeated."""
    spec = _PARSED.get(content_hash)
    if spec is None:
        spec = PlanSpec.model_validate_json(spec_json, context={STORED: True})
        remember(content_hash, spec)
    return spec


def of_cycle(conn: Any, cycle_id: int) -> PlanSpec:
    """The spec cycle ``cycle_id`` was started from (``conn``: a session or a DBAPI
    connection)."""
    rows = fetch(conn, _OF_CYCLE, {"cycle": cycle_id})
    if not rows:
        raise NotFound(_("cycle {id} does not exist").format(id=cycle_id))
    return spec_from(rows[0][0], rows[0][1])


def versions_of(conn: Any, plan_key: str) -> list[PlanSpec]:
    """The specs of every stored version of plan ``plan_key``, oldest first."""
    return [spec_from(h, text) for h, text in fetch(conn, _OF_KEY, {"key": plan_key})]
