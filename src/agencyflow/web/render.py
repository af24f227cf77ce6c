"""Jinja2 templates from the package (``PackageLoader``, autoescaped), one environment per
language with the ``web`` catalog installed through ``jinja2.ext.i18n``."""

from __future__ import annotations

from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from agencyflow import i18n as gettext_catalogs
from agencyflow.domain.status import BoardStatus
from agencyflow.labels import label, words
from agencyflow.services.people import Current
from agencyflow.web import formats, i18n
from agencyflow.web.context import ctx, lang, template_globals


def environments() -> dict[str, jinja2.Environment]:
    """One environment per language of :data:`agencyflow.web.i18n.LANGUAGES`."""
    return {code: _environment(code) for code in i18n.LANGUAGES}


def _environment(code: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("agencyflow.web", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True, lstrip_blocks=True,
        auto_reload=False,  # the templates are the package's: never re-read per request
    )
    env.install_gettext_translations(gettext_catalogs.translations(code), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(d=formats.ddmmyyyy, dt=formats.ddmmyyyy_hhmm, num=formats.number)
    labels = dict(words("board", code))
    env.globals.update(status_label=labels.__getitem__, STATUS_LABELS=labels,
                       label=lambda kind, value: label(kind, value, code),
                       STATUSES=[s.value for s in BoardStatus])
    return env


def page(request: Request, name: str, current: Current | None, *, status: int = 200,
         **values: Any) -> HTMLResponse:
    """Render template ``name`` for the viewer in their language."""
    env = ctx(request).templates[lang(request)]
    body = env.get_template(name).render(**template_globals(request, current), **values)
    return HTMLResponse(body, status_code=status)


def fragment(request: Request, name: str, **values: Any) -> Markup:
    """Template ``name`` rendered in the viewer's language from ``values`` alone (nothing about
    the viewer: no :func:`~agencyflow.web.context.template_globals`), as HTML a page can embed;
    what a page keeps rendered for every viewer (the board's counts table)."""
    env = ctx(request).templates[lang(request)]
    return Markup(env.get_template(name).render(**values))  # autoescaped: safe to embed
