"""The lifecycle table: every allowed move, and refusals that name what was refused."""

from __future__ import annotations

import pytest

from agencyflow.domain.lifecycle import FINAL, TRANSITIONS, Move, Status, next_status
from agencyflow.errors import TransitionError
from agencyflow.labels import label

EXPECTED = {
    ("waiting", "open"): "open",
    ("open", "start"): "in_progress",
    ("open", "complete"): "done",
    ("in_progress", "complete"): "done",
    ("open", "submit"): "submitted",
    ("in_progress", "submit"): "submitted",
    ("submitted", "approve"): "done",
    ("submitted", "reject"): "in_progress",
    ("waiting", "cancel"): "cancelled",
    ("open", "cancel"): "cancelled",
    ("in_progress", "cancel"): "cancelled",
    ("submitted", "cancel"): "cancelled",
}


def test_the_table_is_exactly_the_documented_one() -> None:
    assert {(s.value, m.value): t.value for (s, m), t in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("state", list(Status))
@pytest.mark.parametrize("move", list(Move))
def test_every_pair_is_allowed_or_refused_by_name(state: Status, move: Move) -> None:
    review = move in (Move.SUBMIT, Move.APPROVE, Move.REJECT)
    key = (state.value, move.value)
    if key in EXPECTED:
        assert next_status(state, move, review=review, label="#7").value == EXPECTED[key]
        return
    with pytest.raises(TransitionError) as info:
        next_status(state, move, review=review, label="#7")
    assert "#7" in str(info.value) and label("state", state) in str(info.value)


def test_review_steps_must_be_submitted_and_others_completed() -> None:
    with pytest.raises(TransitionError, match="review"):
        next_status("in_progress", "complete", review=True, label="#1")
    with pytest.raises(TransitionError, match="no review"):
        next_status("in_progress", "submit", review=False, label="#1")


def test_final_states_have_no_way_out() -> None:
    for state in FINAL:
        assert not [m for (s, m) in TRANSITIONS if s is state]
