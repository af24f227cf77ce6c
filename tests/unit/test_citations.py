"""How messages cite the plan: the document once, cleanly; each clause by its label."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from agencyflow.domain.plan_loader import load_plan_file, load_plan_text
from agencyflow.errors import PlanError
from agencyflow.notifications import KINDS, LANGUAGES, Renderer
from agencyflow.notifications.render import document_reference
from agencyflow.services.plans import store as plans
from agencyflow.services.reminders.notice_context import plan_context

VALID = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "valid.yaml"
ITEM_KINDS = [k for k in KINDS if k != "digest"]

PLAN = {"key": "p", "title": "Kế hoạch triển khai Chương trình OCOP năm 2026",
        "document_number": "45/KH-UBND", "document_date": date(2026, 1, 15),
        "authority": "UBND huyện Kim Thành"}


def _assignment(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": 7, "title": "Tổ chức hội chợ OCOP", "step_id": "KTHT-3-MAY",
        "clauses": ["KTHT-3"],
        "clause_labels": ["Phòng Kinh tế và Hạ tầng huyện: xúc tiến thương mại"],
        "lead_name": "Phòng Kinh tế và Hạ tầng huyện", "lead_code": "KTHT",
        "commune_name": None, "cooperating_names": [], "due": date(2026, 5, 29),
        "original_due": date(2026, 5, 29), "days_left": -2, "status": "in_progress"}
    return data | changes


def _context(kind: str, plan: dict[str, Any]) -> dict[str, Any]:
    ctx: dict[str, Any] = {"assignment": _assignment(), "plan": plan, "level": 1,
                           "recipient_name": "UBND huyện Kim Thành"}
    if kind == "extension_decided":
        ctx.update(decision="approved", new_due=date(2026, 6, 5), reason=None)
    return ctx


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", ITEM_KINDS)
def test_the_document_is_cited_exactly_once_in_each_part(kind: str, lang: str) -> None:
    reference = document_reference(PLAN, lang)
    message = Renderer(lang).render(kind, _context(kind, PLAN))

    for part in (message.text, html.unescape(message.html or "")):
        assert part.count(reference) == 1, part
        assert part.count(PLAN["title"]) == 1
        assert part.count("45/KH-UBND") == 1


def test_reference_with_and_without_number_and_date() -> None:
    assert document_reference(PLAN, "vi") == (
        "Kế hoạch triển khai Chương trình OCOP năm 2026 (số 45/KH-UBND ngày 15/01/2026 "
        "của UBND huyện Kim Thành)")
    unknown = PLAN | {"document_number": None, "document_date": None}
    assert document_reference(unknown, "vi") == (
        "Kế hoạch triển khai Chương trình OCOP năm 2026 của UBND huyện Kim Thành")
    assert document_reference(PLAN | {"document_date": None}, "vi").endswith(
        "(số 45/KH-UBND của UBND huyện Kim Thành)")
    assert document_reference(unknown | {"authority": "X"}, "en") == (
        "Kế hoạch triển khai Chương trình OCOP năm 2026, issued by X")


def test_clauses_are_cited_by_label_and_fall_back_to_their_ids() -> None:
    labelled = Renderer("vi").render("overdue", _context("overdue", PLAN))
    assert "- Nội dung kế hoạch: Phòng Kinh tế và Hạ tầng huyện: xúc tiến thương mại" in (
        labelled.text)
    assert "KTHT-3" not in labelled.text and "KTHT-3" not in (labelled.html or "")

    old = _context("overdue", PLAN)
    del old["assignment"]["clause_labels"]  # a context stored before labels existed
    assert "- Nội dung kế hoạch: KTHT-3" in Renderer("vi").render("overdue", old).text


def test_the_bundled_plan_cites_a_clean_reference_and_every_clause_by_label() -> None:
    spec = plans.read_source("kim-thanh-ocop").spec
    assert spec.document.number is None and spec.document.date is None  # the article has none
    cited = {c for s in spec.steps for c in s.clauses}
    assert cited <= set(spec.clauses), f"clauses without a label: {cited - set(spec.clauses)}"
    assert spec.clause_label("KTHT-3").startswith("Phòng Kinh tế và Hạ tầng huyện: xúc tiến")

    step = spec.step("KTHT-3-MAY")
    ctx = _context("opened", plan_context(spec, "vi"))
    ctx["assignment"] |= {"clauses": step.clauses,
                          "clause_labels": [spec.clause_label(c) for c in step.clauses]}
    message = Renderer("vi").render("opened", ctx)

    for part in (message.text, html.unescape(message.html or "")):
        assert part.count(spec.title.vi) == 1
        assert f"{spec.title.vi} của UBND huyện Kim Thành," in part
        assert part.count("UBND huyện Kim Thành") == 2  # the reference, and "Kính gửi"
        assert "((" not in part and "01/05/2020" not in part and "số hiệu" not in part
        assert spec.clause_label("KTHT-3") in part


def _with_clauses(section: str) -> str:
    text = VALID.read_text(encoding="utf-8")
    return text.replace("\nsteps:\n", f"\n{section}\nsteps:\n", 1)


def test_plan_file_clause_labels_load() -> None:
    spec = load_plan_text(_with_clauses(
        'clauses:\n  NN-2: {label: {vi: "Phòng NN: xây dựng kế hoạch", en: "Plan"}}\n')).spec

    assert spec.clause_label("NN-2") == "Phòng NN: xây dựng kế hoạch"
    assert spec.clause_label("NN-2", "en") == "Plan"
    assert spec.clause_label("NN-4") == "NN-4"  # no label: the id
    assert load_plan_file(VALID).spec.clauses == {}  # the section is optional


@pytest.mark.parametrize(("section", "field", "words"), [
    ('clauses:\n  NN-9: {label: {vi: "Không ai trích dẫn"}}\n', "clauses.NN-9",
     "cited by no step or target"),
    ('clauses:\n  NN-2: {label: "chỉ một chuỗi"}\n', "clauses.NN-2.label", "text mapping"),
    ('clauses:\n  NN-2: {label: {vi: "x"}, wording: "y"}\n', "clauses.NN-2.wording", ""),
    ('clauses:\n  "NN 2": {label: {vi: "x"}}\n', "clauses.NN 2", "clause id"),
    ("clauses: [NN-2]\n", "clauses", "mapping of clause ids"),
])
def test_plan_file_clause_problems_name_line_and_field(section: str, field: str,
                                                        words: str) -> None:
    text = _with_clauses(section)
    with pytest.raises(PlanError) as info:
        load_plan_text(text, "plan.yaml")

    [problem] = info.value.problems
    assert problem.field == field
    assert words in problem.message
    assert problem.line == text.splitlines().index(section.splitlines()[-1]) + 1


def test_bundled_clause_labels_quote_the_source_exactly() -> None:
    """A label is "<lead as the article names it>: <an excerpt of the clause's wording>", so an
    official can find it in the source with a search."""
    source = Path(__file__).resolve().parents[2] / "docs" / "source"
    paragraphs = [" ".join(line.split()) for line in
                  (source / "kim-thanh-ocop-plan.vi.txt").read_text("utf-8").splitlines()]
    table = (source / "kim-thanh-ocop-clauses.md").read_text("utf-8")
    table = table.split("\n## Responsibilities\n", 1)[1].split("\n## ", 1)[0]
    wording = {cid: cells.split("|")[2].strip() for cid, cells in
               re.findall(r"^\|\s*([A-Z]+-\d+)\s*\|(.*)\|\s*$", table, re.MULTILINE)}
    spec = plans.read_source("kim-thanh-ocop").spec
    assert set(spec.clauses) == set(wording)
    for cid, clause in spec.clauses.items():
        who, what = clause.label.vi.split(": ", 1)
        [paragraph] = [p for p in paragraphs if wording[cid] in p]
        assert paragraph.startswith(who), cid  # the lead, as its paragraph names it
        quoted = {what, what[0].upper() + what[1:]}
        assert any(q in wording[cid] for q in quoted), (cid, what)
        assert clause.label.en  # an English gloss for --lang en
