"""Notifications: the Notifier protocol, a recording fake, rendering, and apprise delivery.

Importing this package is cheap: it does not import apprise. Get the apprise-backed notifier
from its module (``from agencyflow.notifications.apprise_notifier import AppriseNotifier``) or
lazily as ``agencyflow.notifications.AppriseNotifier`` (imports apprise on first access).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agencyflow.notifications.base import ChannelResult, Message, Notifier, SendItem
from agencyflow.notifications.recording import RecordingNotifier
from agencyflow.notifications.render import KINDS, LANGUAGES, Renderer, vndate, workdays_phrase
from agencyflow.notifications.sandbox import RenderLimits

if TYPE_CHECKING:
    from agencyflow.notifications.apprise_notifier import AppriseNotifier

__all__ = [
    "KINDS",
    "LANGUAGES",
    "AppriseNotifier",
    "ChannelResult",
    "Message",
    "Notifier",
    "RecordingNotifier",
    "RenderLimits",
    "Renderer",
    "SendItem",
    "vndate",
    "workdays_phrase",
]


def __getattr__(name: str) -> Any:
    """Import ``AppriseNotifier`` (and apprise) only when it is first used."""
    if name == "AppriseNotifier":
        from agencyflow.notifications.apprise_notifier import AppriseNotifier

        return AppriseNotifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
