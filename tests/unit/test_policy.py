"""The bridge from a plan's reminder settings to the domain policy."""

from __future__ import annotations

from datetime import time

from agencyflow.domain import reminders
from agencyflow.domain.plan_loader import load_plan_text
from agencyflow.services.reminders import policy
from tests.reminder_world import PLAN

SPEC = load_plan_text(PLAN, "tet.yaml").spec


def test_escalation_roles_become_agency_codes_and_defaults_apply() -> None:
    got = policy.policy_for(SPEC, "hash-1", "MODEL")
    assert got == reminders.ReminderPolicy(
        on_open=True, before=(5, 2), on_due=True, overdue_every=3,
        escalations=(reminders.Escalation(3, "LANH-DAO", 1), reminders.Escalation(6, "VP", 2)))


def test_policies_are_cached_per_plan_hash_and_step() -> None:
    assert policy.policy_for(SPEC, "hash-2", "PLAN") is policy.policy_for(SPEC, "hash-2", "PLAN")


def test_office_hours_come_from_the_plan() -> None:
    assert policy.office_hours_for(SPEC) == reminders.OfficeHours(time(7, 30), time(17, 0))
