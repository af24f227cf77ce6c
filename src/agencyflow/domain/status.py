"""The official progress breakdown of an assignment at a given day.

Vietnamese task tracking distinguishes four states — done on time, done late, not done and
within the deadline, not done and overdue — and most provincial systems add "due soon" (sắp đến
hạn). We add "waiting" (dependencies not done, or the period not started) and "cancelled".
``board_status`` derives it from the stored state, the due dates and the completion day; it is
never stored, so ``--now`` can ask about any day.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from enum import StrEnum

from agencyflow.domain.lifecycle import Status


class BoardStatus(StrEnum):
    """The derived, official status shown on the board and in reports."""

    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    IN_PROGRESS = "in_progress"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class _Labels(Mapping[BoardStatus, dict[str, str]]):
    """``LABELS[status]`` → ``{"vi": …, "en": …}``: the words of the one label table,
    :mod:`agencyflow.labels` (kind ``board``), for callers that want both languages at once."""

    def __getitem__(self, status: BoardStatus) -> dict[str, str]:
        from agencyflow.labels import label

        return {lang: label("board", BoardStatus(status), lang) for lang in ("vi", "en")}

    def __iter__(self) -> Iterator[BoardStatus]:
        return iter(BoardStatus)

    def __len__(self) -> int:
        return len(BoardStatus)


#: The official words of each board status, in Vietnamese and English.
LABELS: Mapping[BoardStatus, dict[str, str]] = _Labels()


def board_status(
    *,
    status: Status | str,
    due: date | None,
    opened_on: date | None,
    completed_on: date | None,
    today: date,
    due_soon_until: date | None = None,
) -> BoardStatus:
    """Classify one assignment on ``today``.

    ``due`` is the date lateness is measured against (the current or the original due date, as
    the plan says). Unfinished work due on or before ``due_soon_until`` is "due soon" (the caller
    computes it as ``today`` plus N working days); None disables "due soon". Work completed after
    ``today`` counts as not done yet, and work opened after ``today`` counts as waiting, so the
    board on a past day shows what it showed then.
    """
    state = Status(status)
    if state is Status.CANCELLED:
        return BoardStatus.CANCELLED
    if state is Status.DONE and completed_on is not None and completed_on <= today:
        if due is None or completed_on <= due:
            return BoardStatus.DONE_ON_TIME
        return BoardStatus.DONE_LATE
    if state is Status.WAITING or due is None or opened_on is None or today < opened_on:
        return BoardStatus.WAITING
    if today > due:
        return BoardStatus.OVERDUE
    if due_soon_until is not None and due <= due_soon_until:
        return BoardStatus.DUE_SOON
    return BoardStatus.IN_PROGRESS
