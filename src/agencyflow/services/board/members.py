"""What the board calls the members of a fan-out, in the plan's own words.

A board's "commune" column and filter hold the member agencies of fan-out steps. Their label is
the name of the plan's fan-out group(s) — "Các xã" in a district plan, "Các tỉnh" in a national
one — and the filter offers those groups' members, never a hard-coded kind. The groups come from
the cycle's stored plan version (its spec JSON, read once per version and process: a version
never changes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from agencyflow.dbapi import fetch


@dataclass(frozen=True)
class Members:
    """The label of a board's member column (Vietnamese, English) and its filter's options."""

    label_vi: str
    label_en: str
    options: tuple[tuple[str, str], ...]  # (agency code, Vietnamese name), by code

    def label(self, lang: str = "vi") -> str:
        """The label in ``lang``."""
        return self.label_en if lang == "en" else self.label_vi


#: A plan without fan-outs: the word the board used before.
DEFAULT = Members("Xã", "Commune", ())


#: Members by plan version hash: a version never changes, so each is read once per process.
_KNOWN: dict[str, Members] = {}
#: Versions remembered, at most.
_MAX_KNOWN = 64


def members(conn: Any, cycle_id: int) -> Members:
    """The member label and options of the cycle's board."""
    found = fetch(conn, "SELECT pv.content_hash FROM cycle c JOIN plan_version pv "
                  "ON pv.id = c.plan_version_id WHERE c.id = :id", {"id": cycle_id})
    if not found:
        return DEFAULT
    digest = found[0][0]
    if digest not in _KNOWN:
        text = fetch(conn, "SELECT pv.spec_json FROM cycle c JOIN plan_version pv "
                     "ON pv.id = c.plan_version_id WHERE c.id = :id", {"id": cycle_id})[0][0]
        if len(_KNOWN) >= _MAX_KNOWN:
            _KNOWN.clear()
        _KNOWN[digest] = from_spec(json.loads(text))
    return _KNOWN[digest]


def from_spec(spec: dict[str, Any]) -> Members:
    """The members of a spec (as stored JSON): its fan-out groups' names and members."""
    groups = spec.get("groups") or {}
    used = [g for g in dict.fromkeys(s.get("fan_out") for s in spec.get("steps", [])) if g]
    chosen = [groups[g] for g in used if g in groups]
    if not chosen:
        return DEFAULT
    names = {a["code"]: a["name"]["vi"] for a in spec.get("agencies", [])}
    codes = sorted({m for g in chosen for m in g["members"]})
    label_vi = " / ".join(g["name"]["vi"] for g in chosen)
    label_en = " / ".join(g["name"].get("en") or g["name"]["vi"] for g in chosen)
    return Members(label_vi, label_en, tuple((c, names.get(c, c)) for c in codes))
