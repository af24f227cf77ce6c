"""The claim a write's business time may make (domain.clock.stamp), case by case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from agencyflow.domain.clock import LATE, SIMULATED, TOLERANCE, Clock, stamp
from agencyflow.domain.permissions import Actor, Role
from agencyflow.errors import PermissionDenied, ValidationError

REAL = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
COORDINATOR = Actor("dieu.phoi", Role.COORDINATOR, "NN")
OFFICER = Actor("can.bo.nn", Role.OFFICER, "NN")
PAST = REAL - timedelta(days=30)


def clock(**kwargs: object) -> Clock:
    return Clock(source=lambda: REAL, **kwargs)  # type: ignore[arg-type]


def test_now_is_recorded_as_is_and_claims_nothing() -> None:
    for actor in (OFFICER, COORDINATOR, None):
        for drift in (timedelta(0), TOLERANCE, -TOLERANCE):
            assert stamp(clock(), now=REAL + drift, actor=actor).__dict__ == {
                "recorded_at": REAL, "claim": None, "claim_reason": None}


def test_recorded_times_never_go_backwards() -> None:
    later = REAL + timedelta(seconds=3)
    assert stamp(clock(), now=REAL, actor=OFFICER, after=later).recorded_at == later


@pytest.mark.parametrize("actor", [OFFICER, Actor("chu.tich", Role.LEADER, "UBND"),
                                   Actor("thanh.tra", Role.INSPECTOR), None])
def test_only_a_coordinator_records_a_past_time(actor: Actor | None) -> None:
    with pytest.raises(PermissionDenied, match="may not date a change in the past"):
        stamp(clock(late_reason="giấy"), now=PAST, actor=actor)


def test_a_late_entry_needs_a_reason_and_is_marked() -> None:
    with pytest.raises(ValidationError, match="--late-reason"):
        stamp(clock(), now=PAST, actor=COORDINATOR)
    with pytest.raises(ValidationError, match="--late-reason"):
        stamp(clock(late_reason="  "), now=PAST, actor=COORDINATOR)
    got = stamp(clock(late_reason=" Biên bản giấy "), now=PAST, actor=COORDINATOR)
    assert (got.recorded_at, got.claim, got.claim_reason) == (REAL, LATE, "Biên bản giấy")


def test_a_late_entry_is_never_before_the_assignment_opened() -> None:
    opened = (PAST + timedelta(days=1)).date()
    with pytest.raises(ValidationError, match="cannot be dated before"):
        stamp(clock(late_reason="x"), now=PAST, actor=COORDINATOR, opened_on=opened,
              target="assignment 7")
    assert stamp(clock(late_reason="x"), now=PAST, actor=COORDINATOR,
                 opened_on=PAST.date()).claim == LATE


@pytest.mark.parametrize("actor", [OFFICER, COORDINATOR])
def test_nothing_is_dated_after_the_real_clock(actor: Actor) -> None:
    with pytest.raises(ValidationError, match="after the real clock"):
        stamp(clock(late_reason="x"), now=REAL + TOLERANCE + timedelta(seconds=1), actor=actor)


def test_a_simulation_accepts_any_time_and_says_so() -> None:
    for now in (REAL + timedelta(days=400), PAST):
        got = stamp(clock(simulated=True), now=now, actor=OFFICER, opened_on=date(2030, 1, 1))
        assert (got.recorded_at, got.claim) == (REAL, SIMULATED)
