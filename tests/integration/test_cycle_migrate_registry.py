"""``cycle migrate --successors`` and the OCOP product registry, on SQLite and PostgreSQL.

The registry plan (communes XA-A, XA-B, XA-C) rated one product in each commune in 2027; their
certificates expire on 15/03/2030. On 02/07/2029 the communes merge: XA-A into XA-MOI, XA-B is
split between XA-MOI and XA-DONG with a rule sending it to XA-DONG, XA-C is split with no rule.
The 2029 cycle is migrated (dry, then applied): the products of XA-A and XA-B are under their
successor communes, each move an audit event in the chain, XA-C's is listed for a decision;
the dry run lists what the applied run does; the sweep of 17/12/2029 opens the re-evaluations
of the moved products for the new communes (XA-C's waits: its commune no longer exists).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from agencyflow.db import session_scope
from agencyflow.domain.permissions import Actor, Role
from agencyflow.models import Assignment, AuditEvent, Notification, Product
from agencyflow.services import cycles
from agencyflow.services.assignments import moves
from agencyflow.services.audit import trail as audit
from agencyflow.services.cycles import migrate, migrate_report
from agencyflow.services.plans import successors as succ
from agencyflow.services.reminders import sweeps
from tests.factories import CALENDAR, FIXTURES, SYSTEM, at, store_plan

#: What the default language (Vietnamese) says is what these tests read.
pytestmark = pytest.mark.vietnamese

COORD = Actor("dieu.phoi", Role.COORDINATOR, "NN")
OLD = (FIXTURES / "registry-plan.yaml").read_text(encoding="utf-8").replace(
    '  - {code: XA-B, kind: commune, parent: UBND-HUYEN, name: {vi: "UBND xã B"}}\n',
    '  - {code: XA-B, kind: commune, parent: UBND-HUYEN, name: {vi: "UBND xã B"}}\n'
    '  - {code: XA-C, kind: commune, parent: UBND-HUYEN, name: {vi: "UBND xã C"}}\n').replace(
    "members: [XA-A, XA-B]}", "members: [XA-A, XA-B, XA-C]}")
NEW = OLD.replace(
    '  - {code: XA-C, kind: commune, parent: UBND-HUYEN, name: {vi: "UBND xã C"}}\n',
    '  - {code: XA-C, kind: commune, parent: UBND-HUYEN, name: {vi: "UBND xã C"}}\n'
    '  - {code: XA-MOI, kind: commune, parent: UBND-HUYEN, name: {vi: "UBND xã Mới"}}\n'
    '  - {code: XA-DONG, kind: commune, parent: UBND-HUYEN, name: {vi: "UBND xã Đông"}}\n'
).replace("members: [XA-A, XA-B, XA-C]}", "members: [XA-MOI, XA-DONG]}").replace(
    'number: "5/KH-UBND"', 'number: "9/KH-UBND"')
SUCCESSORS = """format: 1
successors:
  plan: registry-ocop
  effective: 2029-07-02
  map:
    - {from: XA-A, to: XA-MOI}
    - from: XA-B
      to: [XA-MOI, XA-DONG]
      rules:
        - {members: [XA-B], to: XA-DONG}
    - {from: XA-C, to: [XA-MOI, XA-DONG]}
"""
#: product → the commune that rated it in 2027
RATED = {"Chè xanh A": "XA-A", "Mật ong B": "XA-B", "Gạo nếp C": "XA-C"}


@pytest.fixture
def rated(engine: Engine) -> Engine:
    """The 2027 and 2029 cycles of the old version, one 4★ product rated in each commune."""
    version = store_plan(engine, text=OLD)
    for year in (2027, 2029):
        with session_scope(engine) as s:
            cycles.start(s, version=version, year=year, now=at(year, 1, 2), actor=SYSTEM,
                         calendar=CALENDAR)
    for product, commune in RATED.items():
        with session_scope(engine) as s:
            eval_id = s.execute(select(col(Assignment.id)).where(
                col(Assignment.step_id) == "EVAL", col(Assignment.member) == commune,
                col(Assignment.year) == 2027)).scalar_one()
            moves.complete(s, assignment_id=eval_id, actor=SYSTEM, calendar=CALENDAR,
                           now=at(2027, 3, 15), outputs={"products": [{
                               "product": product, "producer": "HTX " + product, "score": 75,
                               "level": "province", "decision_date": "2027-03-15"}]})
    return engine


def _migrate(engine: Engine, tmp_path: Path, *, dry_run: bool) -> list[str]:
    plan, successors = tmp_path / "registry-2029.yaml", tmp_path / "successors.yaml"
    plan.write_text(NEW, encoding="utf-8")
    successors.write_text(SUCCESSORS, encoding="utf-8")
    with session_scope(engine) as s:
        cycle = s.execute(select(col(Assignment.cycle_id)).where(
            col(Assignment.year) == 2029)).scalars().first()
        report = migrate.migrate(s, cycle_id=cycle or 0, to=str(plan), now=at(2029, 7, 2, 8),
                                 actor=COORD, calendar=CALENDAR,
                                 succession=succ.read_map(str(successors)), dry_run=dry_run)
        assert migrate_report.as_data(report)["products"] == [
            {"id": i, "product": p, "producer": "HTX " + p, "from": c, "to": to,
             "choices": choices} for i, (p, c, to, choices) in enumerate([
                 ("Chè xanh A", "XA-A", "XA-MOI", ["XA-MOI"]),
                 ("Mật ong B", "XA-B", "XA-DONG", ["XA-MOI", "XA-DONG"]),
                 ("Gạo nếp C", "XA-C", None, ["XA-MOI", "XA-DONG"])], start=1)]
        return migrate_report.lines(report)


def _communes(engine: Engine) -> dict[str, str]:
    with Session(engine) as s:
        return {p.product: p.commune for p in s.execute(select(Product)).scalars()}


def test_products_of_old_communes_follow_their_successors(rated: Engine, tmp_path: Path
                                                          ) -> None:
    with Session(rated) as s:
        events = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    dry = _migrate(rated, tmp_path, dry_run=True)
    assert _communes(rated) == RATED  # the dry run saved nothing
    applied = _migrate(rated, tmp_path, dry_run=False)
    assert dry[1:] == applied[1:]
    said = [line for line in applied if line.startswith("  * ")]
    assert said == ["  * sản phẩm #1 Chè xanh A (HTX Chè xanh A): XA-A → XA-MOI",
                    "  * sản phẩm #2 Mật ong B (HTX Mật ong B): XA-B → XA-DONG",
                    "  * sản phẩm #3 Gạo nếp C (HTX Gạo nếp C): XA-C → XA-MOI / XA-DONG? cần "
                    "quyết định: bản đồ kế thừa nêu nhiều xã và không có quy tắc cho xã này"]
    assert applied[-1] == "2 sản phẩm trong sổ chuyển về xã kế thừa, 1 sản phẩm chờ quyết định"
    assert _communes(rated) == {"Chè xanh A": "XA-MOI", "Mật ong B": "XA-DONG",
                                "Gạo nếp C": "XA-C"}
    with Session(rated) as s:
        moved = s.execute(select(AuditEvent).where(
            col(AuditEvent.action) == "product.succession").order_by(col(AuditEvent.seq))
        ).scalars().all()
        assert [(e.target_id, e.before, e.after, e.actor) for e in moved] == [
            ("1", {"commune": "XA-A"}, {"commune": "XA-MOI"}, "dieu.phoi"),
            ("2", {"commune": "XA-B"}, {"commune": "XA-DONG"}, "dieu.phoi")]
        assert audit.verify(s) == s.execute(select(func.count()).select_from(AuditEvent)
                                            ).scalar_one() > events + 2


def test_the_sweep_opens_the_reevaluation_for_the_new_commune(rated: Engine, tmp_path: Path
                                                              ) -> None:
    _migrate(rated, tmp_path, dry_run=False)
    sweeps.sweep(rated, now=at(2029, 12, 17), calendar=CALENDAR)
    with Session(rated) as s:
        opened = s.execute(select(Assignment).where(col(Assignment.step_id) == "REEVAL")
                           .order_by(col(Assignment.period))).scalars().all()
        assert [(a.period, a.lead_code, a.member, a.year, a.status,
                 a.opened_on) for a in opened] == [
            ("SP-1", "XA-MOI", "XA-MOI", 2029, "open", date(2029, 12, 17)),
            ("SP-2", "XA-DONG", "XA-DONG", 2029, "open", date(2029, 12, 17))]
        told = s.execute(select(Notification.recipient_code).where(
            col(Notification.kind) == "opened",
            col(Notification.assignment_id).in_([a.id for a in opened]))).scalars().all()
        assert sorted(told) == ["XA-DONG", "XA-MOI"]
        waiting = s.execute(select(Product).where(col(Product.commune) == "XA-C")).scalar_one()
        assert waiting.reevaluation_id is None  # left for the decision the report asked for
        assert audit.verify(s) > 0
