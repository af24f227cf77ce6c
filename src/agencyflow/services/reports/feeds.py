"""Calendar feeds: each agency's calendar (:mod:`~agencyflow.services.reports.ical`) at a URL a
calendar application subscribes to, ``/feeds/<token>.ics``.

- A feed token is ``afc_`` + ``secrets.token_urlsafe(32)``: shown once when it is created and
  stored only as its SHA-256 (:class:`~agencyflow.models.CalendarFeed`), like an API token.
- It is good for that one feed only: it names no user, and whoever holds it reads the agency's
  calendar of the plan's newest cycle and nothing else (the calendar is made as the anonymous
  reader). Revoking it ends it for good; an unknown or revoked token is refused
  (:class:`~agencyflow.errors.AuthenticationError`), never answered with another feed.
- The coordinator creates and revokes feeds for any agency, an officer for its own
  (``feed.manage`` in :mod:`agencyflow.domain.permissions`); each is an audit event
  (``feed.create``, ``feed.revoke``) naming the feed by id, never its token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.calendar import WorkingCalendar
from agencyflow.domain.ids import storable
from agencyflow.domain.permissions import Action, Actor, Role, allowed, require
from agencyflow.errors import AuthenticationError, NotFound, TransitionError
from agencyflow.i18n import _
from agencyflow.models import CalendarFeed
from agencyflow.services.audit import trail as audit
from agencyflow.services.board import listing as board
from agencyflow.services.people.token_check import token_hash
from agencyflow.services.plans import store as plans
from agencyflow.services.reports.ical import agency_calendar

#: The start of every feed token (tells it apart from an API token, ``af_``).
PREFIX = "afc_"
#: The audit trail's name for a feed.
TARGET = "calendar_feed"


@dataclass(frozen=True)
class NewFeed:
    """A feed just created: ``secret`` is in its URL, shown once and never stored."""

    feed: CalendarFeed
    secret: str

    def path(self) -> str:
        """The feed's path in the web app."""
        return path_of(self.secret)


def path_of(secret: str) -> str:
    """``/feeds/<token>.ics``."""
    return f"/feeds/{secret}.ics"


def url_of(secret: str, base_url: str | None) -> str:
    """The feed's full URL when the site's base URL is set, else its path."""
    return (base_url or "").rstrip("/") + path_of(secret)


def create(session: Session, *, agency: str, actor: Actor, now: datetime,
           plan_key: str | None = None) -> NewFeed:
    """A new feed of ``agency``'s calendar in ``plan_key`` (default: the newest cycle's plan)."""
    require(actor, Action.FEED_MANAGE,
            target=_("the calendar feed of {agency}").format(agency=agency), lead=agency)
    cycle = board.cycle_for(session, plan_key)
    plans.spec_of(plans.latest(session, cycle.plan_key)).agency(agency)  # NotFound if unknown
    secret = PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed(plan_key=cycle.plan_key, agency_code=agency,
                        token_hash=token_hash(secret), created_by=actor.username, created_at=now)
    session.add(feed)
    session.flush()
    audit.record(session, now=now, actor=actor, action="feed.create", target_type=TARGET,
                 target_id=feed.id or 0, after={"plan_key": feed.plan_key, "agency": agency})
    return NewFeed(feed, secret)


def revoke(session: Session, feed_id: int, *, actor: Actor, now: datetime,
           reason: str | None = None) -> CalendarFeed:
    """End a feed for good: its URL answers 401 from now on."""
    feed = session.get(CalendarFeed, feed_id) if storable(feed_id) else None
    if feed is None:
        raise NotFound(_("calendar feed {id} does not exist").format(id=feed_id))
    require(actor, Action.FEED_MANAGE, target=_("calendar feed {id} of {agency}").format(
                id=feed_id, agency=feed.agency_code),
            lead=feed.agency_code)
    if feed.revoked_at is not None:
        raise TransitionError(f"calendar feed {feed_id} was already revoked")
    feed.revoked_at = now
    session.add(feed)
    session.flush()
    audit.record(session, now=now, actor=actor, action="feed.revoke", target_type=TARGET,
                 target_id=feed_id, before={"revoked_at": None},
                 after={"revoked_at": now.isoformat()}, reason=(reason or "").strip() or None)
    return feed


def listing(session: Session, *, actor: Actor, agency: str | None = None
            ) -> list[CalendarFeed]:
    """The feeds ``actor`` may manage (an officer: its agency's), newest first."""
    if actor.role is Role.OFFICER:
        agency = agency or actor.agency_code or ""
    whose = agency or _("every agency")
    require(actor, Action.FEED_MANAGE,
            target=_("the calendar feeds of {agency}").format(agency=whose), lead=agency)
    stmt = select(CalendarFeed).order_by(col(CalendarFeed.id).desc())
    if agency:
        stmt = stmt.where(col(CalendarFeed.agency_code) == agency)
    return list(session.execute(stmt).scalars())


def may_manage(actor: Actor, agency: str) -> bool:
    """Whether ``actor`` may create or revoke ``agency``'s feeds (for what a page offers)."""
    return allowed(actor, Action.FEED_MANAGE, lead=agency)


def agencies_for(session: Session, actor: Actor, lang: str = "vi") -> list[tuple[str, str]]:
    """(code, name) of the agencies of the newest cycle's plan whose feeds ``actor`` manages."""
    cycle = board.cycle_for(session)
    spec = plans.spec_of(plans.latest(session, cycle.plan_key))
    return [(a.code, a.name.get(lang)) for a in spec.agencies if may_manage(actor, a.code)]


#: Who reads a feed: the anonymous reader (an officer of no agency may only read).
READER = Actor("calendar-feed", Role.OFFICER)


def calendar_of(session: Session, secret: str, *, now: datetime, calendar: WorkingCalendar,
                base_url: str | None = None, lang: str = "vi") -> bytes:
    """The .ics of the feed whose token is ``secret`` (AuthenticationError if unknown or
    revoked)."""
    feed = session.execute(select(CalendarFeed).where(
        col(CalendarFeed.token_hash) == token_hash(secret))).scalar_one_or_none()
    if feed is None or feed.revoked_at is not None:
        raise AuthenticationError("unknown or revoked calendar feed")
    return agency_calendar(session, agency=feed.agency_code, actor=READER, now=now,
                           calendar=calendar, plan_key=feed.plan_key, base_url=base_url,
                           lang=lang)
