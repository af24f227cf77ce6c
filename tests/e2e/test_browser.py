"""The web app in a real browser: Debian's Chromium driven by Playwright, the real app served
by ``agencyflow web`` (uvicorn) in another process on a random free port, on a real SQLite
database.

Scenarios: the coordinator logs in and starts the cycle; a commune officer on a 360×740 phone
sees only their work, fills in the evaluation (a list of products with scores), uploads a PDF
and completes; a lead requests an extension that the leader approves; the inspector verifies
the audit trail. A screenshot of every page is kept in ``tests/artifacts/browser/`` (ignored by
git) to look at.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from agencyflow.db import make_engine, session_scope, upgrade
from agencyflow.services.assignments import moves as assignments
from tests.factories import CALENDAR
from tests.lifecycle_plan import assignment_id, get
from tests.sinks import free_port
from tests.web_world import (
    COORDINATOR,
    INSPECTOR,
    LEADER,
    NN_OFFICER,
    PASSWORD,
    XA_A_OFFICER,
    XA_B_OFFICER,
    cycle_start,
    now,
    setup_world,
)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "browser"
PHONE = {"width": 360, "height": 740}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """``agencyflow web`` on a random port over a fresh SQLite database with the world (no
    cycle yet: the coordinator starts it in the browser)."""
    data = tmp_path_factory.mktemp("web-data")
    url = f"sqlite:///{data / 'agencyflow.db'}"
    engine = make_engine(url)
    upgrade(engine)
    setup_world(engine, start=False)
    port = free_port()
    env = {**os.environ, "AGENCYFLOW_DATA_DIR": str(data), "AGENCYFLOW_DATABASE_URL": url,
           "AGENCYFLOW_LANGUAGE": "vi"}
    env.pop("AGENCYFLOW_TOKEN", None)
    log = (data / "server.log").open("wb")
    command = [str(Path(sys.executable).parent / "agencyflow"), "web", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.close()
                raise AssertionError((data / "server.log").read_text()) from None
            time.sleep(0.2)
    yield base, engine
    process.terminate()
    process.wait(timeout=20)
    log.close()
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (never a downloaded one)."""
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def shot(page: Page, name: str) -> None:
    """Keep a full-page screenshot of ``page`` as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(browser: Browser, base: str, username: str, *, phone: bool = False) -> Page:
    """A new browser context (its own cookies) logged in as ``username``."""
    context = browser.new_context(viewport=PHONE if phone else {"width": 1200, "height": 900},
                                  locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()
    return page


def test_1_coordinator_starts_the_cycle(server: tuple[str, Engine], browser: Browser) -> None:
    base, engine = server
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/board")
    assert "/login" in page.url
    shot(page, "01-login")
    page.fill("#username", COORDINATOR.username)
    page.fill("#password", "sai mật khẩu")
    page.click("button[type=submit]")
    expect(page.locator(".alert")).to_be_visible()
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/board"))
    page.goto(f"{base}/cycles")
    page.fill("#year", str(cycle_start().year))
    page.fill("#start", cycle_start().strftime("%d/%m/%Y"))
    shot(page, "02-cycles")
    page.click("form[action='/cycles'] button[type=submit]")
    expect(page.locator(".notice")).to_be_visible()
    page.goto(f"{base}/board")
    expect(page.locator("table.counts")).to_be_visible()
    shot(page, "03-board")
    assert assignment_id(engine, "PLAN", year=cycle_start().year)
    context.close()
    # The office's yearly plan is handed in and approved (not this test's subject), so that the
    # communes' evaluation opens.
    plan = assignment_id(engine, "PLAN", year=cycle_start().year)
    with session_scope(engine) as s:
        assignments.submit(s, assignment_id=plan, actor=NN_OFFICER.actor, now=now(),
                           calendar=CALENDAR, outputs={"plan_document": "https://x.vn/kh.pdf",
                                                       "budget": 120})
        assignments.approve(s, assignment_id=plan, actor=COORDINATOR.actor, now=now(),
                            calendar=CALENDAR)


def test_2_commune_officer_on_a_phone_completes_the_evaluation(
        server: tuple[str, Engine], browser: Browser, tmp_path: Path) -> None:
    base, engine = server
    page = log_in(browser, base, XA_A_OFFICER.username, phone=True)
    page.goto(f"{base}/work")
    shot(page, "04-officer-work")
    cards = page.locator("ul.cards > li")
    expect(cards).to_have_count(1)  # only their own: EVAL of XA-A, not the other communes'
    assert "XA-A" in cards.first.inner_text()
    # nothing is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    cards.first.locator("a").click()
    page.wait_for_url(re.compile(r"/assignments/\d+"))
    ident = int(page.url.rsplit("/", 1)[1].split("?")[0])
    page.click("#move-complete summary")
    page.fill("#complete-o\\.products\\.0\\.product", "Gà đồi Kim Anh")
    page.fill("#complete-o\\.products\\.0\\.producer", "HTX Kim Anh")
    page.fill("#complete-o\\.products\\.0\\.score", "150")
    page.click("#move-complete button[name=more]")  # a second row, without JavaScript
    page.fill("#complete-o\\.products\\.1\\.product", "Mật ong")
    page.fill("#complete-o\\.products\\.1\\.producer", "Hộ Nguyễn Văn B")
    page.fill("#complete-o\\.products\\.1\\.score", "72")
    page.click("#move-complete form button[type=submit]:not([name])")
    error = page.locator("#complete-o\\.products\\.0\\.score-error")
    expect(error).to_be_visible()  # the bad score, next to its field, values kept
    assert page.input_value("#complete-o\\.products\\.1\\.product") == "Mật ong"
    shot(page, "05-officer-form-errors")
    page.fill("#complete-o\\.products\\.0\\.score", "85")
    pdf = tmp_path / "bien-ban-danh-gia.pdf"
    pdf.write_bytes(PDF)
    page.set_input_files("#evidence-complete", str(pdf))
    page.click("#move-complete form button[type=submit]:not([name])")
    expect(page.locator(".notice")).to_be_visible()
    shot(page, "06-officer-done")
    row = get(engine, ident)
    assert row.status == "done"
    assert [p["stars"] for p in row.outputs["products"]] == [4, 4]
    expect(page.locator("a", has_text="bien-ban-danh-gia.pdf")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()


def test_3_lead_requests_an_extension_the_leader_approves(
        server: tuple[str, Engine], browser: Browser) -> None:
    base, engine = server
    ident = assignment_id(engine, "EVAL", "XA-B", year=cycle_start().year)
    due = get(engine, ident).due_current
    assert due is not None
    new_due = due.replace(year=due.year + 1) if due.month != 2 else due.replace(day=1,
                                                                               year=due.year + 1)
    lead = log_in(browser, base, XA_B_OFFICER.username, phone=True)
    lead.goto(f"{base}/assignments/{ident}")
    lead.click("#move-extend summary")
    lead.fill("#new_due", new_due.strftime("%d/%m/%Y"))
    lead.fill("#reason-extend", "Chờ kết quả của hội đồng huyện")
    lead.click("#move-extend button[type=submit]")
    expect(lead.locator(".notice")).to_be_visible()
    shot(lead, "07-lead-extension-requested")
    lead.context.close()
    leader = log_in(browser, base, LEADER.username)
    leader.goto(f"{base}/extensions")
    shot(leader, "08-leader-extensions")
    leader.click(f"a[href='/assignments/{ident}#move-decide'].button")
    leader.click("#move-decide summary")
    leader.click("#move-decide button[value=approve]")
    expect(leader.locator(".notice")).to_be_visible()
    shot(leader, "09-leader-approved")
    assert get(engine, ident).due_current == new_due
    assert get(engine, ident).due_original == due
    leader.context.close()


def test_4_inspector_verifies_the_audit_trail(server: tuple[str, Engine],
                                              browser: Browser) -> None:
    base, _ = server
    page = log_in(browser, base, INSPECTOR.username, phone=True)
    page.goto(f"{base}/audit")
    shot(page, "10-inspector-audit")
    page.click("a[href='/audit/verify']")
    result = page.locator("#verify-result")
    expect(result).to_be_visible()
    assert "notice" in (result.get_attribute("class") or "")
    shot(page, "11-inspector-verified")
    with page.expect_download() as download:
        page.click("a[href='/audit/export?format=jsonl']")
    assert download.value.suggested_filename == "audit.jsonl"
    for name, path in (("12-targets", "/targets"), ("13-timeline", "/timeline"),
                       ("14-board-phone", "/board")):
        page.goto(f"{base}{path}")
        expect(page.locator("h1")).to_be_visible()
        shot(page, name)
    page.context.close()
    admin = log_in(browser, base, COORDINATOR.username)
    for name, path in (("15-users", "/users"), ("16-notifications", "/notifications")):
        admin.goto(f"{base}{path}")
        expect(admin.locator("h1")).to_be_visible()
        shot(admin, name)
    admin.context.close()
