"""A plan of one office step and one step fanned out over many communes: its opening sweep
queues ``communes + 1`` notices, each a message of its own (no digests). Used where a test needs
a dispatch or a sweep that lasts (the cluster, the database restarts)."""

from __future__ import annotations


def commune_plan(communes: int) -> str:
    """A plan whose opening sweep queues ``communes + 1`` notices: one office step and one
    step fanned out over ``communes`` communes (each message its own: no digests)."""
    members = [f"XA-{i:04d}" for i in range(1, communes + 1)]
    agencies = "\n".join(f'  - {{code: {c}, name: {{vi: "Xã {c}"}}, kind: commune, '
                         f'digest: false, tags: [xa]}}' for c in members)
    return f"""\
format: 1
plan:
  key: cluster-ocop
  title: {{vi: "Kế hoạch thử nghiệm cụm máy"}}
  authority: {{vi: "UBND huyện Thử"}}
  document: {{number: "9/KH-UBND", date: 2027-01-04}}
  period: {{from_year: 2027, to_year: 2027}}
  leader: LANH-DAO
  coordinator: VP
agencies:
  - {{code: LANH-DAO, name: {{vi: "Lãnh đạo huyện"}}, kind: leader}}
  - {{code: VP, name: {{vi: "Văn phòng"}}, kind: office}}
  - {{code: NN, name: {{vi: "Phòng Nông nghiệp"}}, kind: office}}
{agencies}
groups:
  communes:
    name: {{vi: "Các xã"}}
    members: [{", ".join(members)}]
steps:
  - id: PLAN
    clauses: ["Mục II.1"]
    title: {{vi: "Xây dựng kế hoạch năm"}}
    lead: NN
    deadline: {{kind: fixed_date, month: 1, day: 29}}
  - id: SURVEY
    clauses: ["Mục II.2"]
    title: {{vi: "Khảo sát sản phẩm"}}
    fan_out: communes
    deadline: {{kind: fixed_date, month: 3, day: 19}}
defaults:
  reminders: {{before: [5, 2], on_due: true, overdue_every: 3}}
  office_hours: {{start: "07:30", end: "17:00"}}
"""
