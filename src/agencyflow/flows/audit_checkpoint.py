"""``audit_checkpoint``: once a day, the audit head written outside the database (a file, and a
message to the inspectors' tag when channels are configured). Thin: the work is
:mod:`agencyflow.services.audit.anchor`."""

from __future__ import annotations

from typing import Any

from prefect import flow

from agencyflow.db import session_scope
from agencyflow.services import audit, delivery

#: When `serve` takes the checkpoint: every day at 17:30, Vietnam time (after office hours).
CRON = "30 17 * * *"


@flow(name="audit-checkpoint")
def audit_checkpoint(database_url: str | None = None) -> dict[str, Any]:
    """Verify the chain, append its head to ``AGENCYFLOW_AUDIT_CHECKPOINT_FILE`` and send it to
    ``AGENCYFLOW_AUDIT_TAG`` (when ``AGENCYFLOW_APPRISE_CONFIG`` is set)."""
    settings = delivery.settings_for(database_url)
    with session_scope(delivery.engine(settings)) as session:
        point = audit.take_checkpoint(session)
    path = settings.resolved_checkpoint_file()
    audit.append_checkpoint(path, point)
    sent = 0
    if settings.apprise_config is not None:
        sent = audit.send_checkpoint(delivery.notifier(settings), settings.audit_tag, point)
    return {"seq": point.seq, "hash": point.hash, "file": str(path), "channels": sent}
