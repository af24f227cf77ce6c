"""Rendering notification messages: every kind in every language, escaping, overrides, sandbox."""

from __future__ import annotations

import logging
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError

from agencyflow.errors import ConfigError, TemplateError
from agencyflow.notifications import KINDS, LANGUAGES, Renderer, RenderLimits, workdays_phrase
from agencyflow.notifications.sandbox import LimitedSandbox

TITLE = "Hoàn thiện hồ sơ đề nghị công nhận sản phẩm OCOP 3 sao"


def assignment(**changes: Any) -> dict[str, Any]:
    """A sample assignment as the context contract describes it."""
    data: dict[str, Any] = {
        "id": 42,
        "title": TITLE,
        "step_id": "ocop-2.1",
        "clauses": ["Mục III.2.a", "Phụ lục 1 (dòng 5)"],
        "lead_name": "Phòng Nông nghiệp và Môi trường",
        "lead_code": "nn",
        "commune_name": "xã Đồng Cẩm",
        "cooperating_names": ["Phòng Tài chính - Kế hoạch", "UBND xã Đồng Cẩm"],
        "due": date(2026, 3, 16),
        "original_due": date(2026, 3, 9),
        "days_left": 2,
        "status": "in_progress",
    }
    data.update(changes)
    return data


PLAN = {
    "title": "Kế hoạch triển khai Chương trình OCOP năm 2026",
    "document_number": "45/KH-UBND",
    "document_date": date(2026, 1, 15),
    "authority": "UBND huyện Kim Thành",
}


def context(kind: str, **changes: Any) -> dict[str, Any]:
    """A complete sample context for ``kind``."""
    if kind == "digest":
        ctx: dict[str, Any] = {
            "recipient_name": "Phòng Nông nghiệp và Môi trường",
            "items": [
                {"kind": "overdue", "assignment": assignment(days_left=-3), "plan": PLAN},
                {"kind": "reminder", "assignment": assignment(id=43, commune_name=None),
                 "plan": PLAN},
            ],
        }
    else:
        ctx = {"assignment": assignment(), "plan": PLAN, "level": 1,
               "recipient_name": "Phòng Nông nghiệp và Môi trường"}
    if kind == "extension_decided":
        ctx.update(decision="approved", new_due=date(2026, 3, 16), reason="Chờ kết quả kiểm nghiệm")
    ctx.update(changes)
    return ctx


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_every_language(kind: str, lang: str) -> None:
    message = Renderer(lang).render(kind, context(kind))

    assert message.subject and "\n" not in message.subject
    for part in (message.text, message.html or ""):
        assert TITLE in part
        assert "45/KH-UBND" in part and "15/01/2026" in part  # document reference, dd/mm/yyyy
        assert "Mục III.2.a" in part  # the clause
        assert "16/03/2026" in part
    assert message.html is not None and message.html.lstrip().startswith("<!DOCTYPE html>")


def test_vietnamese_text_is_natural_and_diacritics_intact() -> None:
    message = Renderer().render("reminder", context("reminder"))

    assert unicodedata.is_normalized("NFC", message.text)
    assert message.subject == f"[Nhắc việc] {TITLE} - còn 2 ngày làm việc (hạn 16/03/2026)"
    assert message.text.startswith("Kính gửi: Phòng Nông nghiệp và Môi trường\n")
    assert "- Đơn vị chủ trì: Phòng Nông nghiệp và Môi trường" in message.text
    assert "- Đơn vị phối hợp: Phòng Tài chính - Kế hoạch, UBND xã Đồng Cẩm" in message.text
    assert "- Hạn hoàn thành: 16/03/2026 (đã gia hạn, hạn ban đầu 09/03/2026)" in message.text
    assert "Đề nghị Quý cơ quan khẩn trương hoàn thành" in message.text


@pytest.mark.parametrize(
    ("lang", "days_left", "phrase"),
    [
        ("vi", 2, "còn 2 ngày làm việc"),
        ("vi", -3, "quá hạn 3 ngày làm việc"),
        ("en", 2, "2 working days left"),
        ("en", -3, "3 working days overdue"),
    ],
)
def test_working_day_phrases_appear_in_messages(lang: str, days_left: int, phrase: str) -> None:
    kind = "reminder" if days_left > 0 else "overdue"
    ctx = context(kind, assignment=assignment(days_left=days_left))

    assert phrase in Renderer(lang).render(kind, ctx).text


def test_workdays_phrase_singular_and_today() -> None:
    assert workdays_phrase(1, "en") == "1 working day left"
    assert workdays_phrase(0, "en") == "due today"
    assert workdays_phrase(0, "vi") == "đến hạn hôm nay"
    assert workdays_phrase(-1, "vi") == "quá hạn 1 ngày làm việc"


def test_workdays_accepts_a_missing_distance() -> None:
    assert workdays_phrase(None, "vi") == "chưa có hạn"
    assert workdays_phrase(None, "en") == "no due date"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_digest_item_without_a_due_date_renders(lang: str) -> None:
    undated = assignment(id=44, due=None, original_due=None, days_left=None)
    ctx = context("digest")
    ctx["items"].append({"kind": "reminder", "assignment": undated, "plan": PLAN})

    message = Renderer(lang).render("digest", ctx)

    phrase = workdays_phrase(None, lang)
    assert phrase in message.text and phrase in (message.html or "")


def test_html_part_is_skipped_on_request() -> None:
    message = Renderer("vi").render("reminder", context("reminder"), html=False)

    assert message.html is None
    assert message.text == Renderer("vi").render("reminder", context("reminder")).text


def test_html_escapes_user_text_and_text_does_not() -> None:
    title = "Báo cáo <script>alert(1)</script> & số liệu"
    ctx = context("opened", assignment=assignment(title=title))
    message = Renderer().render("opened", ctx)

    assert message.html is not None
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; số liệu" in message.html
    assert "Báo cáo <script>alert(1)</script> & số liệu" in message.text
    assert "<script>" in message.subject


def test_extension_refused_keeps_due_date() -> None:
    ctx = context("extension_decided", decision="refused", new_due=None, reason=None)
    message = Renderer().render("extension_decided", ctx)

    assert message.subject.startswith("[Không chấp thuận gia hạn]")
    assert "Hạn hoàn thành giữ nguyên: 16/03/2026" in message.text


def test_link_is_built_from_base_url() -> None:
    renderer = Renderer("vi", base_url="https://giamsat.kimthanh.gov.vn/")

    assert "https://giamsat.kimthanh.gov.vn/assignments/42" in renderer.render(
        "reminder", context("reminder")).text
    digest = renderer.render("digest", context("digest"))
    assert "https://giamsat.kimthanh.gov.vn/assignments/43" in (digest.html or "")
    assert "/assignments/" not in Renderer("vi").render("reminder", context("reminder")).text


def test_missing_variable_in_packaged_template_raises_template_error() -> None:
    ctx = context("reminder")
    del ctx["plan"]

    with pytest.raises(TemplateError, match="plan"):
        Renderer().render("reminder", ctx)


def test_unknown_kind_and_language_are_refused() -> None:
    with pytest.raises(TemplateError, match="unknown notification kind"):
        Renderer().render("birthday", context("reminder"))
    with pytest.raises(ConfigError):
        Renderer("fr")


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_override_is_used_and_can_import_packaged_macros(tmp_path: Path) -> None:
    write(tmp_path, "vi/reminder.subject.txt",
          "Nhắc: {{ assignment.title }} ({{ assignment.due|vndate }})")
    write(tmp_path, "vi/reminder.txt",
          '{% import "vi/_macros.txt" as m %}'
          "Xin chào {{ recipient_name }}.\n{{ m.docref(plan) }}\n")

    message = Renderer("vi", override_dir=tmp_path).render("reminder", context("reminder"))

    assert message.subject == f"Nhắc: {TITLE} (16/03/2026)"
    assert message.text.startswith("Xin chào Phòng Nông nghiệp và Môi trường.\n")
    assert "(số 45/KH-UBND ngày 15/01/2026 của UBND huyện Kim Thành)" in message.text
    assert message.html == Renderer("vi").render("reminder", context("reminder")).html


#: name → (override source, what the log must say stopped it)
BROKEN_OVERRIDES = {
    "syntax error": ("{{ assignment.title ", "TemplateSyntaxError"),
    "undefined variable": ("{{ no_such_variable }}", "'no_such_variable' is undefined"),
    "dunder escape": ("{{ ''.__class__.__mro__[1].__subclasses__() }}",
                      "attribute '__class__' of 'str' object is unsafe"),
    "mutation": ("{{ assignment.clauses.append('x') }}",
                 "attribute 'append' of 'list' object is unsafe"),
    "huge output": ("{{ 'x' * 100000 * 100 }}", "multiplication result too large"),
    "huge filter argument": ("{{ 'x'|center(10 ** 9) }}", "filter argument 1000000000 exceeds"),
    "cpu bomb": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                 "{% endfor %}", "RenderTimeout: template render took too long"),
}


@pytest.mark.parametrize(("source", "why"), BROKEN_OVERRIDES.values(),
                         ids=BROKEN_OVERRIDES.keys())
def test_broken_override_falls_back_and_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, source: str, why: str
) -> None:
    path = write(tmp_path, "vi/reminder.txt", source)
    renderer = Renderer("vi", override_dir=tmp_path, limits=RenderLimits(seconds=0.5))

    with caplog.at_level(logging.ERROR, logger="agencyflow.notifications.render"):
        message = renderer.render("reminder", context("reminder"))

    assert message.text == Renderer("vi").render("reminder", context("reminder")).text
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and str(path) in errors[0] and why in errors[0], errors


def test_sandbox_refuses_attribute_tricks_directly() -> None:
    env = LimitedSandbox(undefined=StrictUndefined)

    for source in ("{{ ''.__class__ }}", "{{ cycler.__init__.__globals__ }}",
                   "{{ ().__class__.__base__.__subclasses__() }}"):
        with pytest.raises(SecurityError):
            env.from_string(source).render()
