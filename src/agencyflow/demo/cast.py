"""The people of the demo (fictional): who they are, and who acts for which agency.

The coordinator sits at the Agriculture office (NN), which coordinates the scheme; the leader is
the district vice-chairman (UBND-HUYEN), who receives escalations and decides extensions; the
inspector reads and verifies the audit trail. Each district office and two communes have an
officer; for the other communes a second coordinator, the office's clerk, records their reports
(they send them on paper), as the permission table allows — so that the coordinator who reviews
a submission or grants an extension is never the one who entered it (four eyes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from agencyflow.domain.permissions import Actor, Role
from agencyflow.services import people

#: The actor that sets up the empty database (loads the plan, adds the first coordinator).
SYSTEM = Actor("system:demo", Role.SYSTEM)


@dataclass(frozen=True)
class Person:
    """A demo user: username, role, agency and full name."""

    username: str
    role: Role
    agency: str | None
    full_name: str


COORDINATOR = Person("dieu.phoi", Role.COORDINATOR, "NN", "Nguyễn Văn Phối")
CLERK = Person("van.thu", Role.COORDINATOR, "NN", "Lương Thị Thư")
LEADER = Person("lanh.dao", Role.LEADER, "UBND-HUYEN", "Trần Thị Lãnh")
INSPECTOR = Person("thanh.tra", Role.INSPECTOR, None, "Lê Văn Tra")
OFFICERS = (
    Person("cb.nn", Role.OFFICER, "NN", "Phạm Thị Nông"),
    Person("cb.ktht", Role.OFFICER, "KTHT", "Hoàng Văn Tế"),
    Person("cb.tnmt", Role.OFFICER, "TNMT", "Vũ Thị Môi"),
    Person("cb.phuthai", Role.OFFICER, "TT-PHU-THAI", "Đỗ Văn Thái"),
    Person("cb.kimanh", Role.OFFICER, "XA-KIM-ANH", "Bùi Thị Anh"),
)
PEOPLE = (COORDINATOR, CLERK, LEADER, INSPECTOR, *OFFICERS)
#: The web password of every demo user (fictional people, a throw-away database).
PASSWORD = "ocop-kim-thanh"


def actor(person: Person) -> Actor:
    """The actor of a demo person."""
    return Actor(person.username, person.role, person.agency)


def add_people(session: Session, now: datetime) -> None:
    """Create every demo user with the web password :data:`PASSWORD`: the system adds the
    coordinator, who adds the others."""
    by = SYSTEM
    for person in PEOPLE:
        people.add_user(session, username=person.username, role=person.role.value, now=now,
                        actor=by, agency_code=person.agency, full_name=person.full_name)
        by = actor(COORDINATOR)
        people.set_password(session, person.username, PASSWORD, now=now, actor=by)


def acting_for(agency: str) -> Actor:
    """Who records the work of ``agency``: its officer, or else the clerk."""
    for person in OFFICERS:
        if person.agency == agency:
            return actor(person)
    return actor(CLERK)
