"""The bridge from a plan's reminder settings to the pure reminder policy of the domain.

A plan file says *when* to remind in :class:`~agencyflow.domain.plan_types.ReminderPolicySpec`
(resolved per step against the plan defaults); :mod:`agencyflow.domain.reminders` decides with a
:class:`~agencyflow.domain.reminders.ReminderPolicy`. Escalation targets ("leader",
"coordinator") are resolved to agency codes here, with :meth:`PlanSpec.escalation_target`, so that
a notice's recipient is always an agency code. Policies are cached per (plan hash, step id): a
plan version never changes, so its policies never do.
"""

from __future__ import annotations

import threading

from agencyflow.domain import reminders
from agencyflow.domain.plan_spec import PlanSpec, ReminderPolicySpec
from agencyflow.domain.plan_types import OfficeHours as OfficeHoursSpec
from agencyflow.errors import NotFound

_CACHE: dict[tuple[str, str], reminders.ReminderPolicy] = {}
_LOCK = threading.Lock()


def to_policy(spec: PlanSpec, rules: ReminderPolicySpec) -> reminders.ReminderPolicy:
    """The domain policy for ``rules`` of plan ``spec`` (escalation targets resolved)."""
    escalations = tuple(
        reminders.Escalation(after=e.after, to=spec.escalation_target(e), level=e.level)
        for e in rules.escalations
    )
    return reminders.ReminderPolicy(
        on_open=rules.on_open,
        before=tuple(rules.before),
        on_due=rules.on_due,
        overdue_every=rules.overdue_every,
        escalations=escalations,
    )


def to_office_hours(hours: OfficeHoursSpec) -> reminders.OfficeHours:
    """The domain office hours of a plan's ``office_hours``."""
    return reminders.OfficeHours(start=hours.start, end=hours.end)


def policy_for(spec: PlanSpec, plan_hash: str, step_id: str) -> reminders.ReminderPolicy:
    """The policy of step ``step_id`` of the plan version with ``plan_hash`` (cached).

    A step the plan no longer has (cannot happen for a stored version, but be safe) falls back
    to the plan-wide default reminders.
    """
    key = (plan_hash, step_id)
    policy = _CACHE.get(key)
    if policy is None:
        try:
            rules = spec.step(step_id).reminders
        except NotFound:
            rules = spec.reminders
        policy = to_policy(spec, rules)
        with _LOCK:
            _CACHE[key] = policy
    return policy


def office_hours_for(spec: PlanSpec) -> reminders.OfficeHours:
    """The plan's office hours as the domain type."""
    return to_office_hours(spec.office_hours)
