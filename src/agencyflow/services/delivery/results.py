"""What the dispatcher's parts hand each other: a claimed :class:`Job`, and the
:class:`DispatchResult` of one call (its own module so that digests and recording need not
import the dispatcher)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DispatchResult:
    """What one :func:`dispatch` call did; ``by_agency`` maps recipient → outcome → count."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    digests: int = 0
    digested: int = 0
    batches: int = 0
    by_agency: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The counts as plain JSON-friendly data (for Prefect task results and ``--format``)."""
        return {"claimed": self.claimed, "sent": self.sent, "failed": self.failed,
                "dead": self.dead, "digests": self.digests, "digested": self.digested,
                "batches": self.batches,
                "by_agency": {k: dict(v) for k, v in self.by_agency.items()},
                "seconds": round(self.seconds, 3)}

    def count(self, recipient: str, outcome: str) -> None:
        """Count one notification of ``recipient`` that ended ``outcome`` (sent/failed/dead)."""
        setattr(self, outcome, getattr(self, outcome) + 1)
        agency = self.by_agency.setdefault(recipient, {})
        agency[outcome] = agency.get(outcome, 0) + 1


@dataclass(frozen=True)
class Job:
    """A claimed notification ready to send: its row, its render context (None: its
    assignment could not be read) and the channels that already delivered."""

    row: Mapping[str, Any]
    context: dict[str, Any] | None
    delivered: frozenset[str]
