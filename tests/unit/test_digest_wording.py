"""A digest says what it holds: its summary, its asks and its grouping follow its items."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import pytest

from agencyflow.notifications import LANGUAGES, Renderer
from tests.html_check import check_html

PLAN = {"key": "p", "title": "Kế hoạch OCOP năm 2027", "document_number": None,
        "document_date": None, "authority": "UBND huyện Kim Thành"}
OTHER_PLAN = PLAN | {"title": "Kế hoạch xây dựng nông thôn mới năm 2027"}


def item(kind: str, n: int, lead: str = "UBND xã Kim Tân", days_left: int | None = 3,
         plan: dict[str, Any] = PLAN, level: int = 0) -> dict[str, Any]:
    assignment = {
        "id": n, "title": f"Nhiệm vụ {n}", "step_id": "XA-2", "clauses": ["XA-2"],
        "clause_labels": ["UBND các xã, thị trấn: rà soát sản phẩm"], "lead_name": lead,
        "lead_code": "X", "commune_name": None, "cooperating_names": [],
        "due": date(2027, 3, 31), "original_due": date(2027, 3, 31), "days_left": days_left,
        "status": "open"}
    return {"kind": kind, "assignment": assignment, "plan": plan, "level": level}


def digest(items: list[dict[str, Any]], lang: str = "vi", recipient: str = "UBND xã Kim Tân"
           ) -> Any:
    return Renderer(lang, base_url="https://af.example.vn").render(
        "digest", {"recipient_name": recipient, "items": items})


def test_a_digest_of_new_tasks_only_asks_to_start_them() -> None:
    message = digest([item("opened", 1), item("opened", 2)])

    assert message.subject == "[Tổng hợp nhắc việc] 2 nhiệm vụ (2 mới giao) - UBND xã Kim Tân"
    for part in (message.text, html.unescape(message.html or "")):
        assert "chủ động triển khai các nhiệm vụ mới được giao" in part
        assert "sắp đến hạn" not in part and "quá hạn" not in part


def test_a_mixed_digest_names_each_kind_and_asks_for_each() -> None:
    message = digest([item("opened", 1), item("reminder", 2),
                      item("overdue", 3, days_left=-4), item("overdue", 4, days_left=-1)])

    assert "(1 mới giao, 1 sắp đến hạn, 2 quá hạn)" in message.subject
    assert "chủ động triển khai các nhiệm vụ mới được giao" in message.text
    assert "hoàn thành đúng hạn các nhiệm vụ sắp đến hạn;" in message.text
    assert "khẩn trương hoàn thành các nhiệm vụ quá hạn" in message.text
    assert "đến hạn hôm nay" not in message.text.split("Đề nghị Quý cơ quan")[-1]
    assert "chỉ đạo" not in message.text  # no escalation in it


def test_due_today_items_are_asked_for_today() -> None:
    message = digest([item("reminder", 1), item("due_today", 2, days_left=0)])

    assert "hoàn thành đúng hạn các nhiệm vụ sắp đến hạn và đến hạn hôm nay và cập nhật" in (
        message.text)


def test_an_escalation_digest_is_grouped_by_lead_agency_and_cites_the_plan_once() -> None:
    leads = ["Phòng Kinh tế và Hạ tầng huyện", "Phòng Nông nghiệp và PTNT huyện"]
    items = [item("escalation", n, lead=leads[n % 2], days_left=-6, level=1) for n in range(5)]

    message = digest(items, recipient="Ủy ban nhân dân huyện Kim Thành")

    assert message.subject == (
        "[Báo cáo chậm tiến độ] 5 nhiệm vụ của 2 đơn vị - Ủy ban nhân dân huyện Kim Thành")
    text = message.text
    assert text.count("Kế hoạch OCOP năm 2027 của UBND huyện Kim Thành") == 1
    first, second = (text.index(f"{lead} chủ trì (") for lead in (leads[0], leads[1]))
    assert text.count(" chủ trì (") == 2
    # every item of a lead is listed under its heading, numbered as shown
    numbers = [line.split(".")[0] for line in text.splitlines() if "[Chậm tiến độ - cấp 1]" in line]
    assert numbers == ["1", "2", "3", "4", "5"]
    at = {n: text.index(f"] Nhiệm vụ {n}\n") for n in range(5)}
    assert first < at[0] < at[2] < at[4] < second < at[1] < at[3]
    assert "xem xét, chỉ đạo các đơn vị chủ trì" in text
    assert "sắp đến hạn" not in text and "mới được giao" not in text


def test_items_of_several_plans_each_cite_their_own_document() -> None:
    message = digest([item("reminder", 1), item("reminder", 2, plan=OTHER_PLAN)])

    assert "Thực hiện " not in message.text  # no single document to cite at the top
    assert "   Kế hoạch: Kế hoạch OCOP năm 2027 của UBND huyện Kim Thành" in message.text
    assert "   Kế hoạch: Kế hoạch xây dựng nông thôn mới năm 2027 của" in message.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_digest_html_is_well_formed_and_links_every_item(lang: str) -> None:
    message = digest([item("opened", 1), item("escalation", 2, level=2, days_left=-9)], lang)

    checker = check_html(message.html or "")
    assert checker.errors == [] and checker.stack == []
    for n in (1, 2):
        assert f'href="https://af.example.vn/assignments/{n}"' in (message.html or "")
        assert f"https://af.example.vn/assignments/{n}" in message.text
