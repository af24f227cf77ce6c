"""The OCOP product registry on real databases: products enter it when an evaluation is done,
a certificate crosses its 36-month expiry (a re-evaluation opens 90 days before, the commune is
told through the outbox once), a cumulative target with a baseline counts only valid ones, and
an import of products rated before agencyflow is all or nothing with every error listed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.domain.products import ProductStatus
from agencyflow.errors import ValidationError
from agencyflow.models import Assignment, AuditEvent, Notification, Product
from agencyflow.services import cycles
from agencyflow.services.assignments import moves
from agencyflow.services.audit import trail as audit
from agencyflow.services.board import targets
from agencyflow.services.plans import store as plans
from agencyflow.services.products import imports, registry
from agencyflow.services.reminders import sweeps
from tests.factories import CALENDAR, FIXTURES, SYSTEM, at, store_plan

#: What the default language (Vietnamese) says is what these tests read.
pytestmark = pytest.mark.vietnamese


PLAN = (FIXTURES / "registry-plan.yaml").read_text(encoding="utf-8")
TEA = {"product": "Chè xanh Kim Anh", "producer": "HTX Kim Anh", "score": 72,
       "level": "province", "decision_number": "12/QĐ-UBND", "decision_date": "2027-03-15"}
LYCHEE = {"product": "Vải sấy", "producer": "Hộ Nguyễn Văn B", "score": 40, "level": "district"}


def _setup(engine: Engine) -> None:
    version = store_plan(engine, text=PLAN)
    for year in (2027, 2029, 2030):
        with session_scope(engine) as session:
            cycles.start(session, version=version, year=year, now=at(year, 1, 2), actor=SYSTEM,
                         calendar=CALENDAR)


def _assignment(engine: Engine, step: str, member: str, year: int) -> Assignment:
    with Session(engine) as session:
        return session.execute(select(Assignment).where(
            Assignment.step_id == step, Assignment.member == member,
            Assignment.year == year)).scalars().one()


def _complete(engine: Engine, a: Assignment, day: date, *items: dict) -> None:  # type: ignore[type-arg]
    with session_scope(engine) as session:
        moves.complete(session, assignment_id=a.id or 0, actor=SYSTEM, calendar=CALENDAR,
                       now=at(day.year, day.month, day.day), outputs={"products": list(items)})


def _valid_count(engine: Engine, day: date) -> float:
    with session_scope(engine) as session:
        found = targets.report(session, "registry-ocop", today=day, actor=SYSTEM)
    return found.results[0].value


def _rows(engine: Engine) -> list[Product]:
    with Session(engine) as session:
        return list(session.execute(select(Product).order_by(Product.id)).scalars())


def test_a_product_crosses_its_36_month_expiry(engine: Engine) -> None:
    _setup(engine)
    _complete(engine, _assignment(engine, "EVAL", "XA-A", 2027), date(2027, 3, 15), TEA, LYCHEE)
    tea, lychee = _rows(engine)
    assert (tea.commune, tea.stars, tea.criteria, tea.decision_number, tea.expires_on) == (
        "XA-A", 4, "148/2023", "12/QĐ-UBND", date(2030, 3, 15))
    assert (lychee.stars, lychee.expires_on) == (2, None)  # 2★: no certificate

    # 90 days before expiry is 15/12/2029: the sweep of Friday 14/12 opens nothing
    assert sweeps.sweep(engine, now=at(2029, 12, 14), calendar=CALENDAR).reevaluations == 0
    first = sweeps.sweep(engine, now=at(2029, 12, 17), calendar=CALENDAR)
    again = sweeps.sweep(engine, now=at(2029, 12, 17, 15), calendar=CALENDAR)
    assert (first.reevaluations, again.reevaluations) == (1, 0)
    reeval = _assignment(engine, "REEVAL", "XA-A", 2029)
    assert (reeval.status, reeval.lead_code, reeval.opened_on, reeval.period) == (
        "open", "XA-A", date(2029, 12, 17), f"SP-{tea.id}")
    assert reeval.due_current == CALENDAR.add_working_days(date(2029, 12, 17), 30)
    with Session(engine) as session:
        told = session.execute(select(Notification.kind, Notification.recipient_code).where(
            Notification.assignment_id == reeval.id)).all()
    assert told == [("opened", "XA-A")]  # once, although the sweep ran twice

    assert _valid_count(engine, date(2030, 3, 14)) == 3  # baseline 2 + the tea
    assert _valid_count(engine, date(2030, 3, 15)) == 2  # expired that day: no longer counted
    with Session(engine) as session:
        spec = plans.spec_of(plans.latest(session, "registry-ocop"))
    assert registry.status(tea, spec, date(2029, 12, 17)) is ProductStatus.EXPIRING
    assert registry.status(tea, spec, date(2030, 3, 15)) is ProductStatus.EXPIRED

    # the commune re-evaluates it (in 2030's cycle the new certificate counts again)
    renewed = {**TEA, "score": 75, "decision_number": "3/QĐ-UBND", "decision_date": "2030-04-02"}
    _complete(engine, reeval, date(2030, 4, 2), renewed)
    assert _rows(engine)[-1].expires_on == date(2033, 4, 2)
    assert _valid_count(engine, date(2030, 4, 2)) == 3
    assert sweeps.sweep(engine, now=at(2030, 4, 3), calendar=CALENDAR).reevaluations == 0
    with session_scope(engine) as session:
        actions = {e.action for e in session.execute(select(AuditEvent)).scalars()}
        assert {"product.record", "product.reevaluation", "assignment.create"} <= actions
        assert audit.verify(session) == len(list(session.execute(select(AuditEvent)).scalars()))


def test_an_import_is_all_or_nothing_and_lists_every_error(engine: Engine,
                                                           tmp_path: Path) -> None:
    _setup(engine)
    bad = tmp_path / "san-pham.csv"
    bad.write_text("Sản phẩm,Chủ thể,Xã,Điểm,Số quyết định,Ngày quyết định,Bộ tiêu chí\n"
                   "Gạo nếp cái hoa vàng,HTX Tuấn Việt,XA-B,68,45/QĐ-UBND,20/11/2024,1048\n"
                   "Bánh gai,Hộ Lê C,XA-Z,81,46/QĐ-UBND,31/02/2024,148/2023\n"
                   ",Hộ D,XA-A,101,47/QĐ-UBND,01/03/2025,2030\n", encoding="utf-8")
    with session_scope(engine) as session, pytest.raises(ValidationError) as caught:
        imports.import_file(session, plan="registry-ocop", path=bad, actor=SYSTEM,
                            now=at(2027, 1, 5))
    message = str(caught.value)
    for where in ("dòng 3, commune", "dòng 3, decision_date", "dòng 4, product",
                  "dòng 4, score", "dòng 4, criteria"):  # Vietnamese by default
        assert where in message, message
    assert _rows(engine) == []  # the good row 2 was not imported either

    good = tmp_path / "good.csv"
    good.write_text(bad.read_text(encoding="utf-8").splitlines()[0] + "\n"
                    "Gạo nếp cái hoa vàng,HTX Tuấn Việt,UBND xã B,68,45/QĐ-UBND,20/11/2024,"
                    "1048/QĐ-TTg\n", encoding="utf-8")
    for expected in ((1, 0), (0, 1)):  # the second run finds it registered already
        with session_scope(engine) as session:
            done = imports.import_file(session, plan="registry-ocop", path=good, actor=SYSTEM,
                                       now=at(2027, 1, 5))
        assert (done.added, done.already) == expected
    rice, = _rows(engine)
    assert (rice.commune, rice.stars, rice.criteria, rice.source, rice.expires_on) == (
        "XA-B", 3, "1048/2019", "import", date(2027, 11, 20))
    assert _valid_count(engine, date(2027, 11, 19)) == 3
    assert _valid_count(engine, date(2027, 11, 20)) == 2


def test_an_excel_workbook_imports_with_date_and_number_cells(engine: Engine,
                                                              tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    _setup(engine)
    book = Workbook()
    sheet = book.active
    sheet.append(["product", "producer", "commune", "score", "stars", "level",
                  "decision_number", "decision_date", "criteria"])
    sheet.append(["Mắm rươi", "HTX Đồng Gia", "XA-A", 86, None, "province", "9/QĐ-UBND",
                  datetime(2025, 6, 30), "148/2023"])
    sheet.append(["Rượu nếp", "Hộ Trần E", "XA-B", "71,5", 4, None, None, "01/12/2025", None])
    path = tmp_path / "san-pham.xlsx"
    book.save(path)
    with session_scope(engine) as session:
        done = imports.import_file(session, plan="registry-ocop", path=path, actor=SYSTEM,
                                   now=at(2027, 1, 5))
    assert (done.added, done.already) == (2, 0)
    fish, wine = _rows(engine)  # in file order
    assert (fish.product, fish.stars, fish.expires_on) == ("Mắm rươi", 5, date(2028, 6, 30))
    assert (wine.score, wine.stars, wine.criteria) == (71.5, 4, "148/2023")
