"""What each agency does with each assignment: the demo's story, deterministic.

Days are working days counted from the assignment's *deadline* (the last working day on or
before its current due date; an approved extension moves it):

- by default the lead starts the working day after the assignment opens and hands it in 1–4
  working days before the deadline (a CRC-32 of the assignment's label picks how many);
- :data:`LATE` assignments are handed in that many working days *after* the deadline (at most
  4, so they are late without being escalated);
- a reviewed step is approved by the coordinator the working day after it is submitted, except
  :data:`REWORK`, which is sent back once with a reason and submitted again;
- :data:`EXTENSIONS`: the lead asks for more time; the coordinator grants one request, the
  leader refuses the other;
- :data:`NEVER_DONE` is started and never finished: it stays overdue and the plan's escalation
  policy raises it to the leader (UBND-HUYEN).

Everything is decided from the assignment's state and the day, plus what the script itself did
(:class:`Script` remembers rejections and extension requests), so every run tells the same story.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from agencyflow.demo.outputs import seed
from agencyflow.domain.calendar import WorkingCalendar

#: Assignment label → working days after its deadline on which it is handed in (late).
LATE: dict[str, int] = {
    "KTHT-4/Q1": 2, "NN-1-H1": 1, "TNMT-2-H1": 4, "XA-1/XA-CO-DUNG": 2, "XA-1/XA-LAI-VU": 3,
    "XA-3/XA-DAI-DUC": 1, "KTHT-5/Q3": 2, "XA-5/XA-KIM-ANH": 3,
}
#: The reviewed step that goes submit → reject → submit → approve.
REWORK = "NN-2"
REWORK_REASON = "Thiếu dự toán kinh phí và phân công cụ thể cho các xã"
#: Hand-in days (relative to the deadline) of the rework: first submission, second submission.
REWORK_DAYS = (-6, -3)


@dataclass(frozen=True)
class Extension:
    """An extension request: asked ``ask_at`` days from the deadline for ``extra`` more working
    days; ``granted`` by the coordinator, or refused by the leader with ``refusal``."""

    ask_at: int
    extra: int
    granted: bool
    reason: str
    refusal: str | None = None


EXTENSIONS: dict[str, Extension] = {
    "KTHT-6": Extension(-6, 10, True, "Chờ kết quả khảo sát nhu cầu hỗ trợ của các chủ thể"),
    "XA-5/XA-KIM-ANH": Extension(-3, 10, False, "Chưa thống nhất được diện tích vùng nguyên liệu",
                                 "Vùng nguyên liệu đã có trong quy hoạch, đề nghị hoàn thành "
                                 "đúng hạn"),
}
#: Hand-in day of a granted extension, relative to the new deadline.
EXTENDED_HAND_IN = -2
#: Started, never finished: overdue until the year ends, escalated to the leader.
NEVER_DONE = "XA-5/XA-THUONG-VU"


class Act(StrEnum):
    """Something a user does to an assignment (or to its extension request)."""

    START = "start"
    COMPLETE = "complete"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    EXTEND = "extend"
    GRANT = "grant"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Work:
    """The state of an assignment the script decides on."""

    id: int
    label: str
    step_id: str
    lead: str
    status: str
    review: bool
    due: date
    opened_on: date


def label_of(step_id: str, member: str | None, period: str) -> str:
    """``NN-2``, ``XA-5/XA-KIM-ANH``, ``KTHT-4/Q1``: how the script names an assignment."""
    parts = [step_id]
    if member:
        parts.append(member)
    if "-" in period:
        parts.append(period.split("-", 1)[1])
    return "/".join(parts)


@dataclass
class Script:
    """Decides, day by day, what happens to each assignment (see the module docstring)."""

    calendar: WorkingCalendar
    rejected: set[str] = field(default_factory=set)
    requested: set[str] = field(default_factory=set)
    decided: set[str] = field(default_factory=set)

    def decide(self, w: Work, today: date) -> Act | None:
        """The act on ``w`` today (a working day), or None."""
        if w.status == "submitted":
            return Act.REJECT if w.label == REWORK and w.label not in self.rejected else Act.APPROVE
        if today <= self.calendar.next_working_day(w.opened_on):
            return None  # the day it opens, the lead only reads the notice
        rel = self.calendar.working_days_between(self.deadline(w), today)
        ext = self._extension(w, rel)
        if ext is not None:
            return ext
        if w.label != NEVER_DONE and rel >= self.hand_in(w):
            return Act.SUBMIT if w.review else Act.COMPLETE
        return Act.START if w.status == "open" else None

    def deadline(self, w: Work) -> date:
        """The last working day on or before the current due date."""
        return self.calendar.previous_working_day(w.due)

    def hand_in(self, w: Work) -> int:
        """The day (relative to the deadline) the lead completes or submits ``w``."""
        if w.label == REWORK:
            return REWORK_DAYS[1] if w.label in self.rejected else REWORK_DAYS[0]
        if w.label in LATE:
            return LATE[w.label]
        if w.label in EXTENSIONS:
            return EXTENDED_HAND_IN
        return -(1 + seed(w.label) % 4)

    def _extension(self, w: Work, rel: int) -> Act | None:
        ext = EXTENSIONS.get(w.label)
        if ext is None or w.label in self.decided:
            return None
        if w.label in self.requested:
            return Act.GRANT if ext.granted else Act.REFUSE
        return Act.EXTEND if rel >= ext.ask_at else None

    def new_due(self, w: Work) -> date:
        """The due date ``w``'s extension request asks for."""
        return self.calendar.add_working_days(self.deadline(w), EXTENSIONS[w.label].extra)

    def remember(self, w: Work, act: Act) -> None:
        """Note what was done (rejections and extension requests happen once)."""
        if act is Act.REJECT:
            self.rejected.add(w.label)
        elif act is Act.EXTEND:
            self.requested.add(w.label)
        elif act in (Act.GRANT, Act.REFUSE):
            self.decided.add(w.label)
