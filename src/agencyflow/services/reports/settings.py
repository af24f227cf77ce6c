"""The letterhead and the Word template of a site, from :class:`~agencyflow.config.Settings`."""

from __future__ import annotations

from pathlib import Path

from agencyflow.config import Settings
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.services.reports.context import Letterhead
from agencyflow.services.reports.render import letterhead


def letterhead_for(settings: Settings, spec: PlanSpec, lang: str) -> Letterhead:
    """The plan's issuing body with the site's place, superior body, number symbol, signer and
    recipients (``AGENCYFLOW_REPORT_*``; ``\\n`` or ``;`` separate lines)."""
    recipients = None
    if settings.report_recipients:
        recipients = [line.strip() for line in settings.report_recipients.replace(";", "\n")
                      .splitlines() if line.strip()]
    title = settings.report_signer_title.replace("\\n", "\n") if settings.report_signer_title \
        else None
    return letterhead(spec, lang=lang, place=settings.report_place,
                      superior=settings.report_superior, symbol=settings.report_symbol,
                      signer=settings.report_signer, signer_title=title, recipients=recipients)


def template_for(settings: Settings) -> Path | None:
    """The site's Word template (None: the packaged one)."""
    return settings.report_template
