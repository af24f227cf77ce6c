"""Every role × action pair, on an assignment of the actor's own agency, one its agency cooperates
on, and one of another agency — against the table below, written out by hand from the README's
roles (not computed from ``domain.permissions``)."""

from __future__ import annotations

import pytest

from agencyflow.domain.permissions import Action, Actor, Role, allowed, require
from agencyflow.errors import PermissionDenied
from agencyflow.labels import label

ROLES = ["coordinator", "officer", "leader", "inspector", "system"]
RELATIONS = ["own", "cooperating", "other"]

# Y = allowed, . = refused. Per role three columns: own agency leads / own agency cooperates /
# another agency leads (with no part for the actor's agency).
#
#                               coordinator officer leader inspector system
#                               o c x       o c x   o c x  o c x     o c x
EXPECTED_TABLE = """
read                            Y Y Y       Y Y Y   Y Y Y  Y Y Y     Y Y Y
plan.load                       Y Y Y       . . .   . . .  . . .     Y Y Y
cycle.start                     Y Y Y       . . .   . . .  . . .     Y Y Y
cycle.migrate                   Y Y Y       . . .   . . .  . . .     Y Y Y
assignment.start                Y Y Y       Y . .   . . .  . . .     Y Y Y
assignment.progress             Y Y Y       Y . .   . . .  . . .     Y Y Y
assignment.complete             Y Y Y       Y . .   . . .  . . .     Y Y Y
assignment.submit               Y Y Y       Y . .   . . .  . . .     Y Y Y
assignment.approve              Y Y Y       . . .   . . .  . . .     Y Y Y
assignment.reject               Y Y Y       . . .   . . .  . . .     Y Y Y
assignment.extend               Y Y Y       Y . .   . . .  . . .     Y Y Y
assignment.decide               Y Y Y       . . .   Y Y Y  . . .     Y Y Y
assignment.reassign             Y Y Y       . . .   . . .  . . .     Y Y Y
assignment.contribute           Y Y Y       Y Y .   . . .  . . .     Y Y Y
assignment.cancel               Y Y Y       . . .   . . .  . . .     Y Y Y
user.manage                     Y Y Y       . . .   . . .  . . .     Y Y Y
audit.read                      Y Y Y       . . .   Y Y Y  Y Y Y     Y Y Y
notifications.admin             Y Y Y       . . .   . . .  . . .     Y Y Y
feed.manage                     Y Y Y       Y . .   . . .  . . .     Y Y Y
report.download                 Y Y Y       . . .   Y Y Y  . . .     Y Y Y
"""


def expected() -> dict[tuple[str, str, str], bool]:
    """(role, action, relation) → allowed, parsed from EXPECTED_TABLE."""
    table: dict[tuple[str, str, str], bool] = {}
    for line in EXPECTED_TABLE.strip().splitlines():
        action, *marks = line.split()
        assert len(marks) == len(ROLES) * len(RELATIONS), line
        for i, mark in enumerate(marks):
            role, relation = ROLES[i // 3], RELATIONS[i % 3]
            table[(role, action, relation)] = mark == "Y"
    return table


EXPECTED = expected()
ME, PARTNER, STRANGER = "KTHT", "TNMT", "NN"
ASSIGNMENTS = {
    "own": {"lead": ME, "cooperating": [PARTNER]},
    "cooperating": {"lead": PARTNER, "cooperating": [ME, STRANGER]},
    "other": {"lead": STRANGER, "cooperating": [PARTNER]},
}


def test_the_table_covers_every_role_and_action() -> None:
    assert {r.value for r in Role} == set(ROLES)
    assert {a.value for a in Action} == {action for (_, action, _) in EXPECTED}


@pytest.mark.parametrize(("role", "action", "relation"), sorted(EXPECTED))
def test_role_action_relation(role: str, action: str, relation: str) -> None:
    actor = Actor(f"{role}1", Role(role), ME)
    where = ASSIGNMENTS[relation]
    want = EXPECTED[(role, action, relation)]
    got = allowed(actor, Action(action), lead=where["lead"], cooperating=where["cooperating"])
    assert got is want, f"{role} {action} on {relation} assignment: expected {want}"
    if want:
        require(actor, Action(action), target="assignment 7", **where)  # type: ignore[arg-type]
    else:
        with pytest.raises(PermissionDenied, match=rf"may not {label('action', action)} "
                                                   r"\(assignment 7\)"):
            require(actor, Action(action), target="assignment 7", **where)  # type: ignore[arg-type]


@pytest.mark.parametrize("action", [a.value for a in Action])
def test_officer_without_agency_may_only_read(action: str) -> None:
    # The anonymous reader of the CLI is such an actor.
    actor = Actor("anonymous", Role.OFFICER, None)
    for where in ASSIGNMENTS.values():
        got = allowed(actor, Action(action), lead=where["lead"],  # type: ignore[arg-type]
                      cooperating=where["cooperating"])
        assert got is (action == "read")


def test_refusal_names_user_role_agency_and_target() -> None:
    with pytest.raises(PermissionDenied) as info:
        require(Actor("lan", Role.OFFICER, "KTHT"), Action.APPROVE, target="assignment 12")
    message = str(info.value)
    for part in ("lan", "officer", "KTHT", "may not approve an assignment (assignment 12)"):
        assert part in message


# Four eyes, written out by hand: the actions nobody takes on what they asked for themself.
REFUSED_TO_THEIR_AUTHOR = {"assignment.decide", "assignment.approve"}


@pytest.mark.parametrize(("role", "action", "relation"), sorted(EXPECTED))
def test_nobody_decides_what_they_asked_for(role: str, action: str, relation: str) -> None:
    actor = Actor(f"{role}1", Role(role), ME)
    where = ASSIGNMENTS[relation]
    base = EXPECTED[(role, action, relation)]
    mine = allowed(actor, Action(action), author=actor.username, **where)  # type: ignore[arg-type]
    theirs = allowed(actor, Action(action), author="someone.else", **where)  # type: ignore[arg-type]
    assert theirs is base
    assert mine is (base and action not in REFUSED_TO_THEIR_AUTHOR)
    if base and action in REFUSED_TO_THEIR_AUTHOR:
        with pytest.raises(PermissionDenied, match=rf"may not {label('action', action)} "
                                                   r"\(assignment 7\): four eyes"):
            require(actor, Action(action), target="assignment 7", author=actor.username,
                    **where)  # type: ignore[arg-type]


@pytest.mark.parametrize("role", ROLES)
def test_nobody_disables_the_last_active_coordinator(role: str) -> None:
    actor = Actor(f"{role}1", Role(role), ME)
    assert not allowed(actor, Action.USER_MANAGE, last_coordinator=True)
    assert allowed(actor, Action.USER_MANAGE) is EXPECTED[(role, "user.manage", "other")]
    with pytest.raises(PermissionDenied, match="may not manage users \\(user boss\\)"):
        require(actor, Action.USER_MANAGE, target="user boss", last_coordinator=True)
