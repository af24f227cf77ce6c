"""The composition root of the demo: database, sink, notifier, simulation, report.

:func:`run` sets up the empty database, starts the local webhook sink, builds an apprise notifier
with one ``json://`` channel per agency of the plan, simulates the year and reads the results;
the sink is stopped whatever happens. Apprise is imported only here, when the demo runs.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agencyflow.config import Settings
from agencyflow.db import engine_from_settings
from agencyflow.demo import report
from agencyflow.demo.simulation import Delivery, Month, Simulation, setup
from agencyflow.demo.sink import DemoSink, Received
from agencyflow.domain.clock import Clock
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.services import delivery as delivery_service
from agencyflow.services.clock import with_clock


@dataclass(frozen=True)
class DemoResult:
    """Everything the demo shows at the end."""

    year: int
    leader: str
    months: list[Month]
    tally: report.Tally
    sample: Received | None
    findings: report.Findings
    missing_tags: list[str]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-friendly data (``agencyflow demo --json``)."""
        f = self.findings
        return {
            "year": self.year, "leader": self.leader, "seconds": round(self.seconds, 1),
            "months": [{"month": m.first.strftime("%Y-%m"), "completed": m.completed,
                        "late": m.late, "own": m.own, "sent": m.sent,
                        "queued": dict(sorted(m.queued.items()))}
                       for m in self.months],
            "received": {a: dict(sorted(k.items())) for a, k in sorted(self.tally.kinds.items())},
            "outbox_sent": dict(sorted(self.tally.outbox_sent.items())),
            "consistent": self.tally.consistent, "unmatched": self.tally.unmatched,
            "missing_tags": self.missing_tags, "leads": f.leads,
            "board": {a: dict(sorted(s.items())) for a, s in sorted(f.board.items())},
            "targets": [{"target": t.target_id, "period": t.period, "value": t.value,
                         "min": t.min, "status": t.status.value} for t in f.targets],
            "audit": {"events": f.audit_events, "intact": f.audit_error is None,
                      "error": f.audit_error},
            "outbox": dict(sorted(f.outbox.items())),
            "sample": None if self.sample is None else
            {"agency": self.sample.agency, "title": self.sample.title, "body": self.sample.body},
        }


def _channels(sink: DemoSink, spec: PlanSpec) -> tuple[Any, list[str]]:
    """The apprise notifier of every agency's channel on the sink, and tags left uncovered."""
    from agencyflow.notifications.apprise_notifier import AppriseNotifier

    notifier = AppriseNotifier.from_urls(sink.channels((a.code, a.tags) for a in spec.agencies))
    tags = sorted({tag for a in spec.agencies for tag in a.tags})
    return notifier, notifier.missing_tags(tags)


def run(settings: Settings, *, year: int,
        on_month: Callable[[Month], None] | None = None) -> DemoResult:
    """Simulate the ``year`` cycle of the Kim Thành plan on the (empty) configured database."""
    started = clock.perf_counter()
    # The demo plays a whole year, ahead of the real clock: a simulation. Every event it writes
    # carries the real recorded time and is marked ``simulated``.
    engine = with_clock(engine_from_settings(settings), Clock(simulated=True))
    calendar = delivery_service.calendar(settings)
    cycle, spec = setup(engine, calendar, year)
    with DemoSink() as sink:
        notifier, missing = _channels(sink, spec)
        delivery = Delivery(notifier, delivery_service.renderer_factory(settings),
                            settings.language,
                            settings.dispatch_max_attempts, settings.dispatch_backoff_seconds)
        months = Simulation(engine, calendar, cycle, spec, delivery).run(on_month)
        received = list(sink.received)
    return DemoResult(
        year=year, leader=spec.leader, months=months,
        tally=report.tally(engine, received),
        sample=report.sample(engine, received, spec.leader),
        findings=report.findings(engine, calendar, cycle), missing_tags=missing,
        seconds=clock.perf_counter() - started)
