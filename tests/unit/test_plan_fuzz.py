"""Fuzzing the plan loader, kept (issue 9, part 9): mutants of the bundled plan never crash it.

Each mutant (:mod:`tests.plan_mutants`) loads or is a PlanError whose problems are all
``file:line:column: field: message``; each stays within a memory budget (tracemalloc's peak)
and a CPU budget (an ``ITIMER_VIRTUAL`` limit, process time, not wall-clock). ``make test`` runs a
bounded number of mutants (``AGENCYFLOW_FUZZ_EXAMPLES``, default 120); ``make fuzz`` runs 10,000.
"""

from __future__ import annotations

import os
import signal
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.plan_mutants import MUTANTS, check, mutate

#: Bytes one load may allocate at its peak (the bundled plan needs well under 1 MiB).
MEMORY_BUDGET = 64 * 1024 * 1024
#: CPU seconds one load may take (the bundled plan takes about 0.02 s).
CPU_BUDGET = 10.0


class OverBudget(Exception):
    """The CPU budget of one case ran out."""


@contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Raise OverBudget in the block once it has used ``seconds`` of CPU time."""

    def expired(_signum: int, _frame: Any) -> None:
        raise OverBudget(f"over {seconds} s of CPU time")

    previous = signal.signal(signal.SIGVTALRM, expired)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


@settings(max_examples=int(os.environ.get("AGENCYFLOW_FUZZ_EXAMPLES", "120")), deadline=None,
          database=None, suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.data_too_large])
@given(MUTANTS)
def test_a_mutant_of_the_bundled_plan_loads_or_is_reported_in_form(edits: list[Any]) -> None:
    text = mutate(edits)
    tracemalloc.start()
    try:
        with cpu_limit(CPU_BUDGET):
            problem = check(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problem is None, problem
    assert peak < MEMORY_BUDGET, f"{peak} bytes at the peak"


def test_the_mutations_do_change_the_plan() -> None:
    assert mutate([("delete", 5)]) != mutate([("duplicate", 5)])
    laughs = mutate([("laughs", 40, 9, 9)])
    assert "lol8: &lol8" in laughs and "aliases expand" in (check_problem(laughs) or "")


def check_problem(text: str) -> str | None:
    """The first problem message of ``text``, or None."""
    from agencyflow.domain.plan_loader import load_plan_text
    from agencyflow.errors import PlanError

    try:
        load_plan_text(text, "x.yaml")
    except PlanError as exc:
        return exc.problems[0].message
    return None
