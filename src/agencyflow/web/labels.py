"""Words the templates translate from data (roles, states, actions, notice kinds), marked here so
that ``make extract`` puts them in the ``web`` catalog. Nothing here is called."""

from __future__ import annotations

from agencyflow.i18n import N_

ROLES = (N_("coordinator"), N_("officer"), N_("leader"), N_("inspector"))
STATES = (N_("waiting"), N_("open"), N_("in_progress"), N_("submitted"), N_("done"),
          N_("cancelled"), N_("pending"), N_("approved"), N_("refused"), N_("withdrawn"))
OUTBOX = (N_("sent"), N_("failed"), N_("dead"), N_("superseded"), N_("digested"))
NOTICES = (N_("opened"), N_("reminder"), N_("due_today"), N_("overdue"), N_("escalation"),
           N_("completed"), N_("extension_decided"), N_("digest"))
TARGETS = (N_("met"), N_("not_met"))
ACTIONS = (N_("assignment.open"), N_("assignment.start"), N_("assignment.progress"),
           N_("assignment.complete"), N_("assignment.submit"), N_("assignment.approve"),
           N_("assignment.reject"), N_("assignment.extend"), N_("assignment.decide"),
           N_("assignment.reassign"), N_("assignment.contribute"), N_("assignment.cancel"))
