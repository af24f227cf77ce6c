"""The API's own user-facing texts: English message ids, translated through
:mod:`agencyflow.i18n` (catalog domain ``api``, Vietnamese by default).

Problem titles and the few details the API writes itself; the details of refused actions are the
services' messages, in the request's language as far as the services translate them.
"""

from __future__ import annotations

from agencyflow.i18n import N_, _, language

_TEXTS: dict[str, str] = {
    "problem.unauthenticated": N_("Not authenticated"),
    "problem.forbidden": N_("Forbidden"),
    "problem.not-found": N_("Not found"),
    "problem.cycle-exists": N_("Cycle already started"),
    "problem.transition-refused": N_("Not allowed in the current state"),
    "problem.conflict": N_("Changed meanwhile"),
    "problem.invalid-plan": N_("Invalid plan"),
    "problem.invalid-input": N_("Invalid input"),
    "problem.invalid-date": N_("Invalid date"),
    "problem.audit-broken": N_("Audit trail broken"),
    "problem.misconfigured": N_("Server misconfigured"),
    "problem.template-error": N_("Template error"),
    "problem.delivery-failed": N_("Delivery failed"),
    "problem.refused": N_("Refused"),
    "problem.bad-request": N_("Bad request"),
    "problem.no-such-route": N_("No such route"),
    "problem.method-not-allowed": N_("Method not allowed"),
    "problem.not-acceptable": N_("Not acceptable"),
    "problem.precondition-failed": N_("Precondition failed"),
    "problem.too-large": N_("Too large"),
    "problem.unsupported-media-type": N_("Unsupported media type"),
    "problem.invalid-request": N_("Invalid request"),
    "problem.precondition-required": N_("Precondition required"),
    "problem.internal-error": N_("Internal error"),
    "problem.unavailable": N_("Unavailable"),
    "problem.http-error": N_("HTTP error"),
    "detail.internal": N_("An unexpected error happened; it has been logged."),
    "detail.busy": N_("The database is busy or unreachable: try again."),
    "detail.conflict": N_("Another request changed the same thing at the same moment: nothing "
                          "of yours was saved; look again and retry."),
    "detail.if_match": N_('If-Match must be an ETag such as "3" (or *).'),
}


def text(key: str, lang: str = "vi", **values: object) -> str:
    """The text ``key`` in ``lang``, with ``values`` filled in."""
    message = _TEXTS.get(key)
    if message is None:
        return key
    with language(lang):
        translated = _(message)
    return translated.format(**values) if values else translated
