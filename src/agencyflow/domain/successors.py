"""Successor maps: which agencies take over the work of agencies that ceased to exist, from when.

A successor map file (YAML, ``format: 1``; see docs/plan-format.md, "Successors")::

    format: 1
    successors:
      plan: kim-thanh-ocop
      effective: 2025-07-01
      basis:                                  # the public acts it follows (cited in messages)
        - {number: "202/2025/QH15", date: 2025-06-12, title: {vi: "…"}}
      map:
        - {from: NN, to: SO-NNMT, carry_users: true}
        - from: KTHT
          to: [SO-CT, SO-KHCN]                # several successors: the first is the default…
          rules:                              # … unless a rule names the step or the commune
            - {steps: [KTHT-7], to: SO-KHCN}
          assumption: {vi: "…"}               # what the public text does not settle

:func:`successor` resolves one agency for one assignment (step, fan-out member): the first rule
whose ``steps`` and ``members`` (each optional) match, else the entry's first ``to``. A code not
in the map has no successor. Problems are reported with file, line and field, like a plan's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import pydantic
from pydantic import BaseModel, Field, StrictBool, model_validator

from agencyflow.domain.plan_types import (
    FROZEN,
    AgencyCode,
    ItemId,
    NonEmpty,
    PlanDate,
    Slug,
    Text,
)
from agencyflow.domain.plan_yaml import read_yaml
from agencyflow.domain.pydantic_words import pydantic_message
from agencyflow.errors import PlanError, Problem
from agencyflow.i18n import _


class Citation(BaseModel):
    """A public act the map follows: its number, date and title."""

    model_config = FROZEN
    number: NonEmpty
    date: PlanDate | None = None
    title: Text | None = None
    url: NonEmpty | None = None


class SuccessorRule(BaseModel):
    """Work of the listed ``steps`` and/or fan-out ``members`` goes to ``to``."""

    model_config = FROZEN
    steps: list[ItemId] = Field(default_factory=list)
    members: list[AgencyCode] = Field(default_factory=list)
    to: AgencyCode

    @model_validator(mode="after")
    def _says_which(self) -> SuccessorRule:
        if not self.steps and not self.members:
            raise ValueError("a rule names the steps or the members (communes) it applies to")
        return self


class SuccessorEntry(BaseModel):
    """One agency that ceased to exist and who takes over its work."""

    model_config = FROZEN
    from_: AgencyCode = Field(alias="from")
    to: Annotated[list[AgencyCode], Field(min_length=1)]
    rules: list[SuccessorRule] = Field(default_factory=list)
    carry_users: StrictBool = False
    basis: Text | None = None
    assumption: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_or_many(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("to"), str):
            data = {**data, "to": [data["to"]]}
        return data

    @model_validator(mode="after")
    def _rules_within(self) -> SuccessorEntry:
        if self.from_ in self.to:
            raise ValueError(_("{code} cannot succeed itself").format(code=self.from_))
        for rule in self.rules:
            if rule.to not in self.to:
                raise ValueError(_("rule goes to {code}, which is not in `to` ({to})").format(
                    code=rule.to, to=", ".join(self.to)))
        return self


class SuccessorMap(BaseModel):
    """A whole successor map (see the module docstring)."""

    model_config = FROZEN
    plan: Slug
    effective: PlanDate
    title: Text | None = None
    basis: list[Citation] = Field(default_factory=list)
    map: Annotated[list[SuccessorEntry], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> SuccessorMap:
        seen: set[str] = set()
        for entry in self.map:
            if entry.from_ in seen:
                raise ValueError(_("{code} is mapped twice").format(code=entry.from_))
            seen.add(entry.from_)
        chained = seen & {code for e in self.map for code in e.to}
        if chained:
            raise ValueError(_("{codes} both cease and succeed: map each old agency straight to "
                               "the agency that exists after the date").format(
                                   codes=", ".join(sorted(chained))))
        return self

    def entry(self, code: str) -> SuccessorEntry | None:
        """The entry of the old agency ``code``, or None."""
        return next((e for e in self.map if e.from_ == code), None)

    def successor(self, code: str, *, step: str = "", member: str = "") -> str | None:
        """Who takes over ``code``'s work on ``step`` (for fan-out ``member``); None: nobody."""
        entry = self.entry(code)
        if entry is None:
            return None
        for rule in entry.rules:
            if (not rule.steps or step in rule.steps) and (
                    not rule.members or member in rule.members):
                return rule.to
        return entry.to[0]

    def commune_successor(self, code: str, *, step: str = "") -> str | None:
        """The commune that a registered product of ``code`` belongs to from the date: the
        only successor, else the first rule naming ``code`` among its members (and ``step``,
        the re-evaluation step, if it names steps); None: someone has to decide (or ``code``
        is not in the map)."""
        entry = self.entry(code)
        if entry is None or len(entry.to) == 1:
            return entry.to[0] if entry else None
        return next((rule.to for rule in entry.rules if code in rule.members
                     and (not rule.steps or step in rule.steps)), None)

    def new_codes(self) -> set[str]:
        """Every successor agency the map names."""
        return {code for e in self.map for code in e.to}


def remap(codes: Iterable[str], succession: SuccessorMap, *, step: str, member: str,
          lead: str) -> list[str]:
    """Cooperating agencies with each old one replaced by its successor, without duplicates or
    the lead."""
    out: list[str] = []
    for code in codes:
        new = succession.successor(code, step=step, member=member) or code
        if new != lead and new not in out:
            out.append(new)
    return out


@dataclass(frozen=True)
class LoadedMap:
    """A successor map read from a file, with where it came from."""

    succession: SuccessorMap
    source: str


def load_successors_text(text: str, source: str = "<successors>") -> LoadedMap:
    """Parse and validate a successor map; :class:`PlanError` lists every problem."""
    located = read_yaml(text, source)
    data = located.data
    if not isinstance(data, dict) or data.get("format") != 1 or set(data) != {
            "format", "successors"}:
        raise PlanError([Problem(source, 1, 1, "<root>",
                                 _("a successor map has exactly `format: 1` and "
                                   "`successors:`"))])
    try:
        return LoadedMap(SuccessorMap.model_validate(data["successors"]), source)
    except pydantic.ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = ("successors", *err["loc"])
            line, col = located.position(tuple(p for p in path if p != "from_"))
            name = ".".join(str(p) for p in path)
            problems.append(Problem(source, line, col, name, pydantic_message(err)))
        raise PlanError(problems) from None


def parse_effective(value: date | None, succession: SuccessorMap | None) -> date | None:
    """The effective date: the one given, else the map's."""
    return value or (succession.effective if succession else None)
