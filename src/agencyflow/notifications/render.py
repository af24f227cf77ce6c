"""Render notification messages from Jinja2 templates, one packaged template set per language.

Templates live in ``agencyflow/notifications/templates/<lang>/`` (``vi`` is the default,
``en`` is available). Each message *kind* has three files: ``<kind>.subject.txt``,
``<kind>.txt`` (not escaped) and ``<kind>.html`` (autoescaped). Whole template sets per
language, rather than gettext catalogs, because Vietnamese and English wording differ in
structure (word order, the administrative register), not only in words.

A site may override any of these files: put the same relative path under ``override_dir``
(``<override_dir>/vi/reminder.txt``). Overrides render in a limited sandbox
(:mod:`agencyflow.notifications.sandbox`) and may import or extend the packaged partials
(``vi/_macros.txt``, ``vi/_layout.html``, ``vi/_macros.html``). A broken override — syntax
error, undefined variable, sandbox violation, timeout — is logged at ERROR with its file name
and the packaged template is used instead. The context contract is in ``README-context.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)

from agencyflow.errors import ConfigError, TemplateError
from agencyflow.i18n import _, language, ngettext
from agencyflow.notifications.base import Message
from agencyflow.notifications.sandbox import LimitedSandbox, RenderLimits, render_limited

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
"""Languages with a packaged template set; the first is the default."""

KINDS = (
    "opened", "reminder", "due_today", "overdue", "escalation", "completed",
    "extension_decided", "digest",
)
"""Message kinds; each has ``<kind>.subject.txt``, ``<kind>.txt`` and ``<kind>.html``."""

#: Kinds that are not about one assignment: the monthly report to the leader
#: (:mod:`agencyflow.services.reports.monthly`; its context is described there).
REPORT_KINDS = ("monthly_report",)

PARTS = ("subject.txt", "txt", "html")


def vndate(value: date | datetime | None) -> str:
    """Format a date as ``dd/mm/yyyy`` (the Vietnamese administrative style); None → ``""``."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def workdays_phrase(days_left: int | None, lang: str = "vi") -> str:
    """Describe a working-day distance to a deadline: positive left, 0 today, negative late.

    None (an item without a due date, e.g. in a digest) reads "chưa có hạn" / "no due date".
    The words come from the ``messages`` catalog (:mod:`agencyflow.i18n`).
    """
    with language(lang):
        if days_left is None:
            return _("no due date")
        n = abs(int(days_left))
        if days_left > 0:
            return ngettext("{n} working day left", "{n} working days left", n).format(n=n)
        if days_left == 0:
            return _("due today")
        return ngettext("{n} working day overdue", "{n} working days overdue", n).format(n=n)


def document_reference(plan: Mapping[str, Any], lang: str = "vi") -> str:
    """How a message cites the plan's document, written once here for every template.

    With a number and/or a date: ``<title> (số 45/KH-UBND ngày 15/01/2026 của <authority>)``;
    without either (the signed document is not known yet): ``<title> của <authority>`` — no
    placeholder number, no date that is not the document's. English: ``<title> (No. 45/KH-UBND
    of 15/01/2026, issued by <authority>)`` / ``<title>, issued by <authority>``. The wording
    is in the ``messages`` catalog.
    """
    title, authority = plan.get("title") or "", plan.get("authority") or ""
    number, when = plan.get("document_number"), plan.get("document_date")
    with language(lang):
        if number and when:
            text = _("{title} (No. {number} of {date}, issued by {authority})")
        elif number:
            text = _("{title} (No. {number}, issued by {authority})")
        elif when:
            text = _("{title} (of {date}, issued by {authority})")
        else:
            text = _("{title}, issued by {authority}")
    return text.format(title=title, number=number, date=vndate(when), authority=authority)


def clause_labels(assignment: Mapping[str, Any]) -> list[str]:
    """The clauses an assignment implements as the plan labels them (``clause_labels``),
    falling back to the clause ids for contexts stored before labels existed."""
    labels = assignment.get("clause_labels")
    if labels is None:
        labels = assignment.get("clauses") or []
    return list(labels)


def _filters(lang: str) -> dict[str, Callable[..., Any]]:
    return {"vndate": vndate, "workdays": lambda days: workdays_phrase(days, lang),
            "docref": lambda plan: document_reference(plan, lang),
            "clause_labels": clause_labels}


def _configure(env: Environment, lang: str) -> Environment:
    env.filters.update(_filters(lang))
    return env


@lru_cache(maxsize=len(LANGUAGES))
def packaged_environment(lang: str) -> Environment:
    """The (cached) environment for packaged templates of ``lang``: strict, HTML autoescaped.

    Packaged templates do not change while the process runs: ``auto_reload`` is off, so a
    compiled template is reused without checking its file on every render.
    """
    env = Environment(
        loader=PackageLoader("agencyflow.notifications", "templates"),
        auto_reload=False,
        undefined=StrictUndefined,
        autoescape=select_autoescape(("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return _configure(env, lang)


def _sandbox_environment(override_dir: Path, lang: str, limits: RenderLimits) -> Environment:
    env = LimitedSandbox(
        loader=ChoiceLoader([
            FileSystemLoader(str(override_dir)),
            PackageLoader("agencyflow.notifications", "templates"),
        ]),
        undefined=StrictUndefined,
        autoescape=select_autoescape(("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        limits=limits,
    )
    _configure(env, lang)
    env.guard_filters()
    return env


class Renderer:
    """Renders a message kind with a context into a :class:`~.base.Message`.

    ``lang`` selects the template set (``"vi"`` default, ``"en"``); ``override_dir`` holds
    site overrides (see the module docstring); when ``base_url`` is set, ``link`` defaults to
    ``{base_url}/assignments/{assignment.id}`` (for digests: for every item).
    """

    def __init__(
        self,
        lang: str = "vi",
        override_dir: Path | None = None,
        base_url: str | None = None,
        limits: RenderLimits | None = None,
    ) -> None:
        """Prepare the environments; raises ConfigError for an unknown language."""
        if lang not in LANGUAGES:
            raise ConfigError(f"unknown notification language {lang!r}; use one of {LANGUAGES}")
        self.lang = lang
        self.override_dir = Path(override_dir) if override_dir is not None else None
        self.base_url = base_url.rstrip("/") if base_url else None
        self.limits = limits or RenderLimits()
        self._env = packaged_environment(lang)
        self._sandbox = (
            _sandbox_environment(self.override_dir, lang, self.limits)
            if self.override_dir is not None else None
        )

    def render(self, kind: str, context: Mapping[str, Any], html: bool = True) -> Message:
        """Render subject (one line), text and — unless ``html`` is False — HTML of ``kind``.

        Pass ``html=False`` when no channel will show the HTML part (it is then None).
        Raises :class:`~agencyflow.errors.TemplateError` for an unknown kind or when a
        packaged template fails (e.g. a variable of the context contract is missing).
        """
        if kind not in KINDS and kind not in REPORT_KINDS:
            raise TemplateError(f"unknown notification kind {kind!r}; known: {', '.join(KINDS)}")
        ctx = self._prepare(context)
        subject = " ".join(self._render_part(kind, "subject.txt", ctx).split())
        text = self._render_part(kind, "txt", ctx).strip() + "\n"
        body = self._render_part(kind, "html", ctx) if html else None
        return Message(subject=subject, text=text, html=body)

    def link_for(self, assignment_id: object) -> str | None:
        """The web link of an assignment, or None without ``base_url``."""
        return f"{self.base_url}/assignments/{assignment_id}" if self.base_url else None

    def _prepare(self, context: Mapping[str, Any]) -> dict[str, Any]:
        ctx = dict(context)
        if "link" not in ctx:
            ctx["link"] = self._default_link(ctx.get("assignment"))
        if "items" in ctx:
            items = []
            for raw in ctx["items"]:
                item = dict(raw)
                item.setdefault("link", self._default_link(item.get("assignment")))
                if "plan" not in item and "plan" in ctx:
                    item["plan"] = ctx["plan"]
                items.append(item)
            ctx["items"] = items
            ctx.update(self._digest_summary(items))
        return ctx

    def _digest_summary(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """What a digest template needs beyond its items: the documents cited (each once),
        how many items of each kind (so the wording follows what it holds) and the items
        grouped by lead agency (in order of first appearance)."""
        documents: list[str] = []
        counts = {kind: 0 for kind in KINDS}
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            plan = item.get("plan")
            item["docref"] = document_reference(plan, self.lang) if plan else ""
            if item["docref"] and item["docref"] not in documents:
                documents.append(item["docref"])
            counts[item.get("kind", "")] = counts.get(item.get("kind", ""), 0) + 1
            lead = (item.get("assignment") or {}).get("lead_name") or ""
            groups.setdefault(lead, []).append(item)
        ordered = [item for found in groups.values() for item in found]
        for number, item in enumerate(ordered, start=1):
            item["number"] = number  # numbered as shown: group after group
        return {"documents": documents, "counts": {k: n for k, n in counts.items() if n},
                "groups": [{"lead_name": lead, "entries": found} for lead, found in groups.items()]}

    def _default_link(self, assignment: Any) -> str | None:
        if isinstance(assignment, Mapping) and assignment.get("id") is not None:
            return self.link_for(assignment["id"])
        return None

    def _render_part(self, kind: str, part: str, ctx: dict[str, Any]) -> str:
        name = f"{self.lang}/{kind}.{part}"
        if self._sandbox is not None and self.override_dir is not None:
            path = self.override_dir / name
            if path.is_file():
                try:
                    return render_limited(self._sandbox.get_template(name), ctx, self.limits)
                except Exception as exc:  # noqa: BLE001 - any failure falls back, logged
                    line = getattr(exc, "lineno", None)
                    log.error(
                        "notification template override %s%s failed (%s: %s); "
                        "using the packaged template",
                        path, f" line {line}" if line else "", type(exc).__name__, exc,
                    )
        try:
            return self._env.get_template(name).render(ctx)
        except jinja2.TemplateError as exc:
            raise TemplateError(f"template {name}: {type(exc).__name__}: {exc}") from exc
