"""Plan diffs, their words, successor maps and migration planning (pure: no database)."""

from __future__ import annotations

from datetime import date

import pytest

from agencyflow import plans as bundled
from agencyflow.domain.calendar import default_calendar
from agencyflow.domain.migration import Slot, plan_migration
from agencyflow.domain.plan_diff import changed_steps, diff_plans
from agencyflow.domain.plan_loader import load_plan_text
from agencyflow.domain.plan_words import describe
from agencyflow.domain.successors import load_successors_text
from agencyflow.errors import PlanError
from agencyflow.i18n import language

OLD = load_plan_text(*bundled.bundled_plan_text("kim-thanh-ocop")).spec
NEW = load_plan_text(*bundled.amendment_text("kim-thanh-ocop-2025-07")).spec
MAP = load_successors_text(*bundled.amendment_text("kim-thanh-ocop-2025-07",
                                                   successors=True)).succession
CAL = default_calendar()


def test_the_diff_names_every_kind_of_change() -> None:
    changes = diff_plans(OLD, NEW)
    kinds = {(c.what, c.kind) for c in changes}
    assert {("agency", "added"), ("agency", "removed"), ("group", "changed"),
            ("step", "changed"), ("plan", "changed")} <= kinds
    steps = changed_steps(changes)
    assert steps["XA-5"] >= {"deadline"} and "lead" in steps["KTHT-7"]
    assert "NN-3" not in {c.key for c in changes if c.field == "reminders"}  # said once
    assert diff_plans(OLD, OLD) == []


@pytest.mark.vietnamese  # reads the default language
def test_the_words_are_vietnamese_by_default_and_english_on_request() -> None:
    [xa5] = [c for c in diff_plans(OLD, NEW) if c.key == "XA-5" and c.field == "deadline"]
    assert "30/09 → " in describe(xa5) and "thời hạn" in describe(xa5)
    with language("en"):
        assert describe(xa5) == "Step XA-5: deadline: on 30/09 → on 31/10"
    [added] = [c for c in diff_plans(OLD, NEW) if c.key == "SO-KHCN"]
    assert describe(added).endswith("được thêm: Sở Khoa học và Công nghệ thành phố Hải Phòng")



@pytest.mark.vietnamese  # reads the default language
def test_a_reminder_policy_change_is_said_in_words_not_plan_keys() -> None:
    from agencyflow.domain.plan_diff import Change

    old = {"before": [5, 2, 1], "on_due": True,
           "escalations": [{"after": 5, "to": "leader", "level": 1}]}
    new = {"before": [5, 1], "on_due": False,
           "escalations": [{"after": 3, "to": "leader", "level": 1},
                           {"after": 10, "to": "KTHT", "level": 2}]}
    change = Change("step", "changed", "NN-3", "reminders", old, new)
    vi = describe(change)
    assert "nhắc trước hạn (ngày làm việc): 5, 2, 1 → 5, 1" in vi
    assert "cấp 2: báo cáo KTHT khi quá hạn 10 ngày làm việc" in vi
    assert "nhắc vào ngày đến hạn: có → không" in vi
    for key in ("before", "on_due", "escalations", "after", "level", "leader"):
        assert key not in vi, key
    with language("en"):
        en = describe(change)
    assert "level 1: to the plan's leader after 3 working days overdue" in en
    assert "reminder on the due date: yes → no" in en

def test_the_successor_map_resolves_by_step_and_by_member() -> None:
    assert MAP.successor("KTHT", step="KTHT-7") == "SO-KHCN"
    assert MAP.successor("KTHT", step="KTHT-3-MAY") == "SO-CT"
    assert MAP.successor("XA-KIM-XUYEN") == "XA-PHU-THAI"
    assert MAP.successor("SO-CT") is None
    assert MAP.new_codes() <= {a.code for a in NEW.agencies}
    assert {e.from_ for e in MAP.map} == {a.code for a in OLD.agencies}
    text = ("format: 1\nsuccessors:\n  plan: p\n  effective: 2025-07-01\n  map:\n"
            "    - from: A\n      to: [B, C]\n      rules: [{members: [X], to: C}]\n")
    custom = load_successors_text(text).succession
    assert custom.successor("A", member="X") == "C" and custom.successor("A", member="Y") == "B"


@pytest.mark.parametrize(("text", "expected"), [
    ("format: 1\nsuccessors:\n  plan: p\n  effective: 2025-07-01\n  map:\n"
     "    - {from: A, to: B}\n    - {from: A, to: C}\n", "A is mapped twice"),
    ("format: 1\nsuccessors:\n  plan: p\n  effective: 2025-07-01\n  map:\n"
     "    - {from: A, to: B}\n    - {from: B, to: C}\n", "both cease and succeed"),
    ("format: 1\nsuccessors:\n  plan: p\n  effective: 2025-07-01\n  map:\n"
     "    - {from: A, to: B, rules: [{to: B}]}\n", "names the steps or the members"),
    ("format: 1\nsuccessors:\n  plan: p\n  map:\n    - {from: A, to: B}\n", "effective"),
    ("format: 2\n", "exactly `format: 1`"),
])
def test_a_bad_map_is_an_error_naming_the_place(text: str, expected: str) -> None:
    with pytest.raises(PlanError) as caught:
        load_successors_text(text, "map.yaml")
    assert expected in str(caught.value) and "map.yaml:" in str(caught.value)


def _slot(i: int, step: str, member: str, lead: str, status: str = "open",
          due: date | None = date(2025, 9, 30)) -> Slot:
    return Slot(i, step, "2025", member, lead, ("NN",), status, due, due, date(2025, 1, 2),
                "t", None, False, ("XA-5",))


def test_the_plan_of_a_migration() -> None:
    slots = [_slot(1, "XA-5", "XA-KIM-ANH", "XA-KIM-ANH"),
             _slot(2, "XA-5", "TT-PHU-THAI", "TT-PHU-THAI", status="done"),
             _slot(3, "XA-5", "XA-TAM-KY", "KTHT")]  # reassigned by hand to an office
    plan = plan_migration(OLD, NEW, slots, year=2025, start=date(2025, 1, 2), calendar=CAL,
                          succession=MAP)
    by_id = {u.slot.id: u for u in plan.updates}
    assert set(by_id) == {1, 3} and plan.kept == 1 and not plan.cancels
    assert by_id[1].changes["lead_code"] == "XA-PHU-THAI"
    assert by_id[1].changes["due_current"] == date(2025, 10, 31)
    assert by_id[3].changes["lead_code"] == "SO-CT"  # the hand-made lead, succeeded
    assert by_id[1].why[0] == "successor" and "deadline" in by_id[1].why
    # new communes that no carried slot covers get their own assignment
    assert {c.member for c in plan.creates} == {"XA-LAI-KHE", "XA-AN-THANH"}
    alone = plan_migration(OLD, NEW, slots, year=2025, start=date(2025, 1, 2), calendar=CAL)
    assert {c.slot.id for c in alone.cancels} == {1, 3}  # no map: old communes leave the group
