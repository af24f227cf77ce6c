"""How `agencyflow demo` prints: month lines as the year runs, then the year-end tables.

Vietnamese by default, English with ``--lang en``. Nothing here computes: it shows the
:class:`~agencyflow.demo.runner.DemoResult` and the :class:`~agencyflow.demo.simulation.Month`
records the demo produced.
"""

from __future__ import annotations

from collections import Counter

from rich import box
from rich.panel import Panel
from rich.table import Table

from agencyflow.cli.base import console, styled
from agencyflow.demo.cast import PEOPLE
from agencyflow.demo.report import KINDS
from agencyflow.demo.runner import DemoResult
from agencyflow.demo.simulation import Event, Month
from agencyflow.domain.status import BoardStatus

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "agencyflow demo — Kế hoạch OCOP huyện Kim Thành, chu kỳ {year}",
        "how": "Mô phỏng từng ngày làm việc trong tiến trình này (không cần máy chủ Prefect): "
               "9:00 quét nhắc việc và gửi thông báo, 10:00 các cơ quan xử lý nhiệm vụ.",
        "where": "Dữ liệu: {db}",
        "sink": "Thông báo gửi qua apprise tới máy nhận cục bộ json://127.0.0.1:<cổng>/<mã cơ "
                "quan>; chưa khớp kênh: {missing}.",
        "people": "Người dùng",
        "month": "Tháng {m}: hoàn thành {done} ({late} trễ hạn{own}) · {notices} thông báo "
                 "[{kinds}] → {sent} tin đã gửi",
        "own": "; {n} của chính cơ quan điều phối: không gửi báo hoàn thành",
        "digest_note": "Các xã, thị trấn nhận thông báo gộp thành tin tổng hợp (digest).",
        "received": "Thông báo mỗi cơ quan đã nhận (máy nhận cục bộ, đối chiếu với hộp thư đi)",
        "agency": "Cơ quan", "total": "Tổng",
        "outbox": "✓: khớp hộp thư đi (bản ghi đã gửi)",
        "sample": "Một thông báo nhận được (nguyên văn)",
        "board": "Bảng theo dõi ngày {day} (theo cơ quan chủ trì)",
        "targets": "Chỉ tiêu năm {year}",
        "target_cols": "Chỉ tiêu|Nội dung|Kỳ|Đạt được|Tối thiểu|Đánh giá",
        "audit_ok": "Nhật ký kiểm toán: {n} sự kiện, chuỗi băm toàn vẹn ✓ (thanh.tra kiểm tra)",
        "audit_bad": "Nhật ký kiểm toán: {n} sự kiện, CHUỖI BỊ PHÁ VỠ: {error}",
        "mismatch": "Máy nhận và hộp thư đi KHÔNG khớp ({unmatched} tin không rõ nguồn)",
        "summary": "{sent} thông báo đã gửi tới {agencies} cơ quan; {escalations} báo cáo "
                   "chậm tiến độ tới {leader}.",
        "took": "Thời gian chạy: {s:.1f} giây. Xem thêm: {explore}",
        "web": "Mở bảng điều khiển trên dữ liệu này: AGENCYFLOW_DATA_DIR={dir} agencyflow web "
               "rồi vào http://127.0.0.1:8000/ — đăng nhập bằng {users} (mật khẩu: {password}).",
    },
    "en": {
        "title": "agencyflow demo — Kim Thành district OCOP plan, {year} cycle",
        "how": "Every working day simulated in this process (no Prefect server): 09:00 reminder "
               "sweep and dispatch, 10:00 the agencies act on their assignments.",
        "where": "Data: {db}",
        "sink": "Notifications go through apprise to a local sink json://127.0.0.1:<port>/"
                "<agency code>; tags without a channel: {missing}.",
        "people": "Users",
        "month": "{m}: {done} completed ({late} late{own}) · {notices} notices [{kinds}] → "
                 "{sent} messages sent",
        "own": "; {n} by the coordinator's own office: no completion notice",
        "digest_note": "Communes and the town get their notices folded into digest messages.",
        "received": "What each agency received (local sink, cross-checked with the outbox)",
        "agency": "Agency", "total": "Total",
        "outbox": "✓: matches the outbox (rows sent)",
        "sample": "One message as received (verbatim)",
        "board": "Board on {day} (by lead agency)",
        "targets": "Targets for {year}",
        "target_cols": "Target|Title|Period|Value|Minimum|Status",
        "audit_ok": "Audit trail: {n} events, hash chain intact ✓ (verified by thanh.tra)",
        "audit_bad": "Audit trail: {n} events, CHAIN BROKEN: {error}",
        "mismatch": "The sink and the outbox do NOT agree ({unmatched} unknown messages)",
        "summary": "{sent} notifications sent to {agencies} agencies; {escalations} escalations "
                   "to {leader}.",
        "took": "Run time: {s:.1f} s. Explore: {explore}",
        "web": "Open the dashboard on this data: AGENCYFLOW_DATA_DIR={dir} agencyflow web, then "
               "http://127.0.0.1:8000/ — log in as {users} (password: {password}).",
    },
}
KIND_LABELS = {
    "vi": {"opened": "giao việc", "reminder": "nhắc việc", "due_today": "đến hạn",
           "overdue": "quá hạn", "escalation": "báo cáo cấp trên",
           "completed": "hoàn thành", "extension_decided": "gia hạn",
           "digest": "tổng hợp"},
    "en": {"opened": "opened", "reminder": "reminder", "due_today": "due today",
           "overdue": "overdue", "escalation": "escalation", "completed": "completed",
           "extension_decided": "extension", "digest": "digest"},
}
EVENTS = {
    "vi": {"submit": "{label}: trình điều phối duyệt",
           "reject": "{label}: điều phối trả lại — {detail}",
           "approve": "{label}: điều phối phê duyệt",
           "extend": "{label}: xin gia hạn đến {detail}",
           "grant": "{label}: điều phối chấp thuận gia hạn",
           "refuse": "{label}: lãnh đạo không chấp thuận gia hạn — {detail}",
           "late": "{label}: hoàn thành trễ {number} ngày làm việc",
           "escalation": "{label}: quá hạn, báo cáo {detail} (cấp {number})"},
    "en": {"submit": "{label}: submitted for review",
           "reject": "{label}: sent back by the coordinator — {detail}",
           "approve": "{label}: approved by the coordinator",
           "extend": "{label}: asks for an extension to {detail}",
           "grant": "{label}: the coordinator grants the extension",
           "refuse": "{label}: the leader refuses the extension — {detail}",
           "late": "{label}: completed {number} working day(s) late",
           "escalation": "{label}: overdue, escalated to {detail} (level {number})"},
}
ROLES = {"vi": {"coordinator": "điều phối", "leader": "lãnh đạo", "inspector": "thanh tra",
                "officer": "cán bộ"},
         "en": {"coordinator": "coordinator", "leader": "leader", "inspector": "inspector",
                "officer": "officer"}}
BOARD = {"vi": {"done_on_time": "đúng hạn", "done_late": "trễ hạn", "in_progress": "trong hạn",
                "due_soon": "sắp đến hạn", "overdue": "quá hạn", "waiting": "chờ",
                "cancelled": "đã hủy"},
         "en": {"done_on_time": "on time", "done_late": "late", "in_progress": "in progress",
                "due_soon": "due soon", "overdue": "overdue", "waiting": "waiting",
                "cancelled": "cancelled"}}
STATUS = {"vi": {"met": "đạt", "not_met": "không đạt", "in_progress": "đang thực hiện"},
          "en": {"met": "met", "not_met": "not met", "in_progress": "in progress"}}


def t(lang: str, key: str, **values: object) -> str:
    """The text ``key`` in ``lang`` with ``values`` filled in."""
    return TEXT[lang][key].format(**values)


def header(lang: str, year: int, db: str) -> None:
    """What the demo is about to do, and who takes part."""
    console.print(styled((t(lang, "title", year=year), "bold")), highlight=False)
    console.print(t(lang, "how"), highlight=False)
    console.print(t(lang, "where", db=db), highlight=False)
    people = ", ".join(
        f"{p.username} ({ROLES[lang][p.role.value]}{', ' + p.agency if p.agency else ''})"
        for p in PEOPLE)
    console.print(f"{t(lang, 'people')}: {people}", highlight=False)
    console.print(t(lang, "digest_note"), highlight=False)


def month_line(lang: str, month: Month) -> None:
    """One line per month, and one indented line per notable event."""
    kinds = ", ".join(f"{KIND_LABELS[lang][k]} {n}" for k in KINDS if (n := month.queued[k]))
    console.print(t(lang, "month", m=f"{month.first:%m/%Y}", done=month.completed,
                    late=month.late, own=t(lang, "own", n=month.own) if month.own else "",
                    notices=sum(month.queued.values()), kinds=kinds or "—", sent=month.sent),
                  highlight=False)
    for event in month.events:
        console.print(f"   {event.day:%d/%m} {event_text(lang, event)}", highlight=False)


def event_text(lang: str, event: Event) -> str:
    """An event in words."""
    return EVENTS[lang][event.kind].format(label=event.label, detail=event.detail,
                                           number=event.number)


def year_end(lang: str, result: DemoResult) -> None:
    """The tables after the year: received, a sample message, the board, the targets."""
    console.print(t(lang, "sink", missing=", ".join(result.missing_tags) or "—"),
                  highlight=False)
    received_table(lang, result)
    if result.sample is not None:
        console.print(Panel(styled((result.sample.title, "bold"), f"\n\n{result.sample.body}"),
                            title=f"{t(lang, 'sample')} → {result.sample.agency}",
                            expand=False), highlight=False)
    board_table(lang, result)
    targets_table(lang, result)


def received_table(lang: str, result: DemoResult) -> None:
    """Messages per agency and kind (sink), with the outbox count beside them."""
    tally = result.tally
    table = _table(t(lang, "received"), t(lang, "agency"),
                   [*(KIND_LABELS[lang][k] for k in KINDS), t(lang, "total")])
    table.caption = t(lang, "outbox")
    for agency in sorted(set(tally.kinds) | set(tally.outbox_sent)):
        kinds = tally.kinds.get(agency, Counter())
        got, sent = tally.received(agency), tally.outbox_sent[agency]
        mark = "✓" if got == sent else f"✗ {sent}"
        table.add_row(agency, *(str(kinds.get(k, 0) or "") for k in KINDS), f"{got} {mark}")
    console.print(table)


def _table(title: str, first: str, numbers: list[str]) -> Table:
    """A compact table: the agency column never wraps, numbers are right-aligned."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(first, no_wrap=True)
    for header_text in numbers:
        table.add_column(header_text, justify="right")
    return table


def board_table(lang: str, result: DemoResult) -> None:
    """The year-end board: assignments per lead agency and status (statuses that occur)."""
    counts = result.findings.board
    shown = [s for s in BoardStatus if any(c.get(s.value) for c in counts.values())]
    table = _table(t(lang, "board", day=f"31/12/{result.year}"), t(lang, "agency"),
                   [*(BOARD[lang][s.value] for s in shown), t(lang, "total")])
    for agency in sorted(counts):
        row = counts[agency]
        table.add_row(agency, *(str(row.get(s.value, 0) or "") for s in shown),
                      str(sum(row.values())))
    totals = [sum(c.get(s.value, 0) for c in counts.values()) for s in shown]
    table.add_row(styled((t(lang, "total"), "bold")), *(styled((str(n), "bold")) for n in totals),
                  styled((str(sum(totals)), "bold")))
    console.print(table)


def targets_table(lang: str, result: DemoResult) -> None:
    """The plan's targets for the demo year."""
    if not result.findings.targets:
        return
    table = Table(title=t(lang, "targets", year=result.year), box=box.SIMPLE_HEAD)
    for header_text in t(lang, "target_cols").split("|"):
        table.add_column(header_text)
    for r in result.findings.targets:
        table.add_row(r.target_id, r.title.get(lang), r.period, f"{r.value:g}", f"{r.min:g}",
                      STATUS[lang][r.status.value])
    console.print(table)


def finish(lang: str, result: DemoResult, *, tables: bool, explore: str) -> None:
    """Everything after the year: the tables (unless ``--quiet``) and the closing lines;
    ``explore`` is the command to look at the board."""
    if tables:
        year_end(lang, result)
    closing(lang, result, explore)


def web_hint(lang: str, data_dir: object) -> None:
    """How to open the web app on the demo's data, with the users and their password."""
    from agencyflow.demo import cast

    names = ", ".join(f"{p.username} ({ROLES[lang].get(p.role.value, p.role.value)})"
                      for p in cast.PEOPLE)
    console.print(t(lang, "web", dir=data_dir, users=names, password=cast.PASSWORD),
                  highlight=False, soft_wrap=True)


def closing(lang: str, result: DemoResult, explore: str) -> None:
    """The summary lines: totals, escalations, cross-check, audit verification, run time and
    the command to explore further."""
    tally, f = result.tally, result.findings
    escalations = tally.kinds.get(result.leader, Counter())["escalation"]
    console.print(t(lang, "summary", sent=sum(tally.outbox_sent.values()),
                    agencies=len(tally.outbox_sent), escalations=escalations,
                    leader=result.leader), highlight=False)
    if not tally.consistent:
        console.print(styled((t(lang, "mismatch", unmatched=tally.unmatched), "bold red")))
    if f.audit_error is None:
        console.print(styled((t(lang, "audit_ok", n=f.audit_events), "bold green")),
                      highlight=False)
    else:
        console.print(styled((t(lang, "audit_bad", n=f.audit_events, error=f.audit_error),
                              "bold red")), highlight=False)
    console.print(t(lang, "took", s=result.seconds, explore=explore), highlight=False,
                  soft_wrap=True)
