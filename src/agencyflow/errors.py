"""Exceptions raised by agencyflow.

Every error that a user can cause derives from :class:`AgencyflowError`, so the CLI and the web
layer can show a clear message instead of a traceback. The tree::

    AgencyflowError
    ├── ConfigError            settings or configuration files are invalid
    ├── PlanError              a plan file is invalid (carries every problem found)
    ├── CalendarError          a date is outside the working-day calendar or malformed
    ├── NotFound               a plan, cycle, assignment, user or notification does not exist
    ├── CycleExists            the cycle was already started (nothing was created)
    ├── TransitionError        an assignment move that the lifecycle does not allow
    ├── ConflictError          someone else changed the row first (optimistic version check)
    ├── ValidationError        outputs, evidence or other user input is invalid
    ├── PermissionDenied       the acting user's role does not allow the action
    ├── AuthenticationError    unknown user, disabled user or invalid token
    ├── AuditError             the audit trail is broken (names the first broken event)
    ├── TemplateError          a notification template cannot be rendered
    ├── DeliveryError          a notification channel failed or no channel matches a tag
    └── StorageError           a disk is full, read-only or not writable (nothing was written)
"""

from __future__ import annotations

from dataclasses import dataclass


class AgencyflowError(Exception):
    """Root of every error agencyflow raises on purpose."""


class ConfigError(AgencyflowError):
    """Settings, environment variables or configuration files are invalid."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where it is and what is wrong."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.field}: {self.message}"


class PlanError(AgencyflowError):
    """A plan file is invalid; ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.field))
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid plan")


class CalendarError(AgencyflowError):
    """A date is malformed or outside the range the working-day calendar covers."""


class NotFound(AgencyflowError):
    """A plan, cycle, assignment, user or notification does not exist."""


class CycleExists(AgencyflowError):
    """The cycle was already started; nothing was created."""


class TransitionError(AgencyflowError):
    """An assignment move that the lifecycle does not allow from its current state."""


class ConflictError(AgencyflowError):
    """The row was changed by someone else since it was read (optimistic version check)."""


class ValidationError(AgencyflowError):
    """User input (outputs, evidence, dates, options) is invalid.

    ``problems`` lists each problem on its own (``"output budget: expected a number"``) when
    several were found at once; the message holds them all.
    """

    def __init__(self, message: str, *, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class PermissionDenied(AgencyflowError):
    """The acting user's role does not allow this action."""


class AuthenticationError(AgencyflowError):
    """Unknown or disabled user, or an invalid or revoked token."""


class AuditError(AgencyflowError):
    """The audit trail failed verification; the message names the first broken event."""


class TemplateError(AgencyflowError):
    """A notification template is missing or cannot be rendered."""


class DeliveryError(AgencyflowError):
    """A notification could not be delivered, or a tag matches no channel."""


class StorageError(AgencyflowError):
    """A disk is full, read-only or not writable; what was being written was not written."""
