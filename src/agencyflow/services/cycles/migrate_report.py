"""A migration's report in words (the dry run and the applied run print the same lines) and as
data (``--format json``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from agencyflow.domain.migration import Cancel, Create, Update
from agencyflow.domain.plan_words import FIELD_NAMES
from agencyflow.i18n import N_, _, ngettext
from agencyflow.labels import label
from agencyflow.services.cycles.migrate import MigrationReport
from agencyflow.services.cycles.migrate_apply import Words
from agencyflow.services.plans.successors import ProductMove

#: The assignment fields a migration may change, in the order they are said.
SAID = ("lead_code", "cooperating", "due_original", "due_current", "title_vi", "clauses",
        "review")
_NAMES = {"lead_code": FIELD_NAMES["lead"], "cooperating": FIELD_NAMES["cooperating"],
          "due_original": N_("due (plan)"), "due_current": N_("due"),
          "title_vi": FIELD_NAMES["title"], "clauses": FIELD_NAMES["clauses"],
          "review": FIELD_NAMES["review"]}


def _value(value: Any) -> str:
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "—" if value is None else str(value)


def _slot(step: str, period: str, member: str) -> str:
    return " ".join(p for p in (step, period, member) if p)


def _update(upd: Update) -> str:
    s = upd.slot
    before = {"lead_code": s.lead_code, "cooperating": list(s.cooperating),
              "due_original": s.due_original, "due_current": s.due_current,
              "title_vi": s.title_vi, "clauses": list(s.clauses), "review": s.review}
    parts = [f"{_(_NAMES[k])}: {_value(before[k])} → {_value(upd.changes[k])}"
             for k in SAID if k in upd.changes]
    return (f"  ~ #{s.id} {_slot(s.step_id, s.period, s.member)} [{label('state', s.status)}]: "
            + "; ".join(parts))


def _cancel(cancel: Cancel, reason: str) -> str:
    s = cancel.slot
    return f"  - #{s.id} {_slot(s.step_id, s.period, s.member)} [{label('state', s.status)}]: " + _(
        "cancelled ({reason})").format(reason=reason)


def _create(c: Create) -> str:
    return f"  + {_slot(c.step_id, c.period.label, c.member)}: " + _(
        "lead {lead}, due {due}").format(lead=c.lead, due=_value(c.due))


def lines(report: MigrationReport) -> list[str]:
    """The report, one line per change (ids of new assignments are not said: a dry run has
    none), then the totals."""
    plan, cycle = report.plan, report.cycle
    head = _("Cycle {id} ({plan} {year}): plan version {old} → {new}, effective {day}").format(
        id=cycle.id, plan=cycle.plan_key, year=cycle.year, old=report.old.version,
        new=report.new.version, day=f"{report.effective:%d/%m/%Y}")
    out = [(_("DRY RUN, nothing saved: ") if report.dry_run else "") + head]
    out += [_update(u) for u in plan.updates]
    words = Words(report.old.version, report.new.version, report.effective, None)
    out += [_cancel(c, words.cancel(c)) for c in plan.cancels]
    out += [_create(c) for c in plan.creates]
    out += [f"  > #{i} " + _("opens: its prerequisites are finished") for i in report.opened]
    out += [f"  @ {user}: {old} → {new}" for user, old, new in report.users]
    out += [_product(m) for m in report.products]
    out.append(ngettext("{n} assignment updated", "{n} assignments updated",
                        len(plan.updates)).format(n=len(plan.updates)) + ", " + _(
        "{cancelled} cancelled, {created} created, {opened} opened, {kept} unchanged; "
        "{superseded} notices superseded, {redirected} redirected; {users} users moved").format(
        cancelled=len(plan.cancels), created=len(plan.creates), opened=len(report.opened),
        kept=plan.kept, superseded=report.superseded, redirected=report.redirected,
        users=len(report.users)))
    if report.products:
        left = sum(m.new is None for m in report.products)
        out.append(_("{moved} registered products moved to their successor commune, {left} "
                     "left for a decision").format(moved=len(report.products) - left,
                                                   left=left))
    return out


def _product(move: ProductMove) -> str:
    head = f"  * {_('product')} #{move.id} {move.product} ({move.producer}): {move.old} → "
    if move.new is not None:
        return head + move.new
    return head + _("{choices}? needs a decision: the successor map names several communes and "
                    "no rule for it").format(choices=" / ".join(move.choices))


def as_data(report: MigrationReport) -> dict[str, Any]:
    """The report as JSON-ready data."""
    plan = report.plan
    return {
        "cycle": report.cycle.id, "plan": report.cycle.plan_key, "dry_run": report.dry_run,
        "from_version": report.old.version, "to_version": report.new.version,
        "effective": report.effective.isoformat(),
        "updated": [{"id": u.slot.id, "step": u.slot.step_id, "period": u.slot.period,
                     "member": u.slot.member, "changes": {k: _json(v) for k, v in
                                                          u.changes.items()},
                     "why": list(u.why)} for u in plan.updates],
        "cancelled": [{"id": c.slot.id, "step": c.slot.step_id, "period": c.slot.period,
                       "member": c.slot.member, "why": c.why} for c in plan.cancels],
        "created": [{"step": c.step_id, "period": c.period.label, "member": c.member,
                     "lead": c.lead, "due": _json(c.due)} for c in plan.creates],
        "opened": report.opened, "kept": plan.kept, "superseded": report.superseded,
        "redirected": report.redirected,
        "users": [{"user": u, "from": o, "to": n} for u, o, n in report.users],
        "products": [{"id": m.id, "product": m.product, "producer": m.producer, "from": m.old,
                      "to": m.new, "choices": list(m.choices)} for m in report.products],
    }


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
