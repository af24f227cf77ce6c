"""When a failed task is worth retrying: the ``retry_condition_fn`` of every task that retries."""

from __future__ import annotations

from typing import Any

from prefect import Task
from prefect.client.schemas.objects import State, TaskRun

from agencyflow.errors import AgencyflowError


def worth_retrying(_task: Task[..., Any], _run: TaskRun, state: State[Any]) -> bool:
    """Retry what may pass on a second try (a locked or unreachable database, a network
    error), not what agencyflow itself refused: a missing setting, a broken plan or channel
    file fails the same way every time, and retrying only keeps a run slot busy for minutes."""
    error = state.data if isinstance(state.data, BaseException) else None
    if error is None:
        try:
            error = state.result(raise_on_failure=False)
        except Exception:  # the result cannot be read: keep the retry policy
            return True
    return not isinstance(error, AgencyflowError)
