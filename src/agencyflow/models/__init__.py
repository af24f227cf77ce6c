"""SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``."""

from agencyflow.models.assignment import (
    Assignment,
    AssignmentBase,
    Contribution,
    Evidence,
    ExtensionRequest,
)
from agencyflow.models.audit import AuditEvent, AuditHead
from agencyflow.models.feed import CalendarFeed
from agencyflow.models.idempotency import IdempotentRequest
from agencyflow.models.outbox import Delivery, DeliveryAttempt, Notification
from agencyflow.models.people import ApiToken, User
from agencyflow.models.plan import Agency, Cycle, PlanVersion
from agencyflow.models.product import Product
from agencyflow.models.web import LoginAttempt, WebSession

__all__ = [
    "Agency",
    "ApiToken",
    "Assignment",
    "AssignmentBase",
    "AuditEvent",
    "AuditHead",
    "CalendarFeed",
    "Contribution",
    "Cycle",
    "Delivery",
    "DeliveryAttempt",
    "Evidence",
    "ExtensionRequest",
    "IdempotentRequest",
    "LoginAttempt",
    "Notification",
    "PlanVersion",
    "Product",
    "User",
    "WebSession",
]
