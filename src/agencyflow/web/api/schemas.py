"""What the API answers and accepts: pydantic models kept apart from the tables (the web never
imports the models or SQLModel: it reaches the database only through the services).

``…Public`` models are what a response shows (never a token hash, never a plan's source text);
``…In`` models are request bodies. Each carries an example for the OpenAPI document.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    """The base of every answer and body: read from a row's attributes as well as a dict."""

    model_config = ConfigDict(from_attributes=True)


def _example(data: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [data]})


class Strict(Schema):
    """A request body: unknown fields are refused, so a typo is not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- plans and cycles -------------------------------------------------------------------------


class PlanVersionPublic(Schema):
    """One stored version of a plan."""

    model_config = _example(
        {
            "key": "kim-thanh-ocop",
            "version": 1,
            "title_vi": "Kế hoạch OCOP",
            "title_en": "OCOP plan",
            "content_hash": "9f2c…",
            "source": "bundled:kim-thanh-ocop",
            "loaded_at": "2027-01-04T02:00:00Z",
        }
    )
    key: str
    version: int
    title_vi: str
    title_en: str | None
    content_hash: str
    source: str
    loaded_at: datetime


class StepSummary(Schema):
    """One step of a plan."""

    model_config = _example(
        {
            "id": "EVAL",
            "clauses": ["XA-4"],
            "title_vi": "Tham gia đánh giá sản phẩm",
            "title_en": None,
            "lead": None,
            "fan_out": "communes",
            "cooperating": ["NN"],
            "recurrence": "yearly",
            "review": False,
            "depends_on": ["COUNCIL"],
            "outputs": ["products"],
        }
    )

    id: str
    clauses: list[str]
    title_vi: str
    title_en: str | None
    lead: str | None = Field(description="The lead agency; None for a fan-out step.")
    fan_out: str | None
    cooperating: list[str]
    recurrence: str
    review: bool
    depends_on: list[str]
    outputs: list[str]


class PlanDetail(PlanVersionPublic):
    """The newest version of a plan and its steps."""

    period_from: int
    period_to: int
    steps: list[StepSummary]


class PlanIn(Strict):
    """A plan to load: a bundled plan's key, or the YAML text of a plan file."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"bundled": "kim-thanh-ocop"},
                {"text": "format: 1\nplan: …", "source": "my-plan.yaml"},
            ]
        },
    )
    bundled: str | None = Field(default=None, max_length=100)
    text: str | None = Field(default=None, max_length=5_000_000)
    source: str = Field(
        default="api-upload.yaml",
        max_length=200,
        description="The name problems are reported against.",
    )


class PlanLoaded(Schema):
    """The result of loading a plan."""

    plan: PlanVersionPublic
    created: bool = Field(description="False when that exact text was stored already.")


class CyclePublic(Schema):
    """One run of a plan over a year."""

    model_config = _example(
        {
            "id": 1,
            "plan_key": "kim-thanh-ocop",
            "plan_version": 1,
            "plan_hash": "9f2c…",
            "year": 2027,
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "started_at": "2027-01-04T02:00:00Z",
            "started_by": "an",
            "assignment_count": 312,
            "late_against": "current",
        }
    )
    id: int
    plan_key: str
    plan_version: int
    plan_hash: str
    year: int
    start_date: date
    end_date: date
    started_at: datetime
    started_by: str
    assignment_count: int
    late_against: str


class CycleIn(Strict):
    """A cycle to start."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"plan": "kim-thanh-ocop", "year": 2027}]}
    )
    plan: str = Field(min_length=1, max_length=100, description="A stored or bundled plan key.")
    year: int = Field(ge=2000, le=2100)
    start: date | None = Field(default=None, description="First day (default 1 January).")


class CycleStartedPublic(Schema):
    """What starting a cycle created."""

    model_config = _example(
        {
            "cycle": {
                "id": 1,
                "plan_key": "kim-thanh-ocop",
                "plan_version": 1,
                "plan_hash": "9f2c…",
                "year": 2027,
                "start_date": "2027-01-01",
                "end_date": "2027-12-31",
                "started_at": "2027-01-04T02:00:00Z",
                "started_by": "an",
                "assignment_count": 312,
                "late_against": "current",
            },
            "assignments": 312,
            "open": 40,
            "waiting": 272,
        }
    )

    cycle: CyclePublic
    assignments: int
    open: int
    waiting: int


# --- assignments ------------------------------------------------------------------------------


class AssignmentFields(Schema):
    """What every view of an assignment shows."""

    id: int
    version: int
    plan_key: str
    year: int
    step_id: str
    period: str
    member: str
    lead_code: str
    cooperating: list[str]
    clauses: list[str]
    title_vi: str
    title_en: str | None
    status: str
    due_original: date | None
    due_current: date | None
    completed_on: date | None


class AssignmentRow(AssignmentFields):
    """One assignment as the board lists it, with its official status on the day asked."""

    model_config = _example(
        {
            "id": 31,
            "version": 2,
            "plan_key": "kim-thanh-ocop",
            "year": 2027,
            "step_id": "XA-4",
            "period": "2027",
            "member": "XA-KIM-ANH",
            "lead_code": "XA-KIM-ANH",
            "cooperating": ["NN"],
            "clauses": ["XA-4"],
            "title_vi": "Tham gia đánh giá sản phẩm",
            "title_en": None,
            "due_original": "2027-08-30",
            "due_current": "2027-08-30",
            "completed_on": None,
            "status": "open",
            "board_status": "in_progress",
        }
    )
    board_status: str


class AssignmentPage(Schema):
    """One page of the list; pass ``next_cursor`` as ``cursor`` for the next one."""

    items: list[AssignmentRow]
    next_cursor: str | None = Field(description="None on the last page.")
    today: date = Field(description="The day the board statuses are for.")
    cycle_id: int


class AssignmentPublic(AssignmentFields):
    """An assignment's stored fields; ``version`` is also its ETag."""

    model_config = _example(
        {
            "id": 12,
            "version": 3,
            "cycle_id": 1,
            "plan_key": "kim-thanh-ocop",
            "year": 2027,
            "step_id": "NN-2",
            "period": "2027",
            "member": "",
            "lead_code": "NN",
            "cooperating": ["KTHT"],
            "clauses": ["NN-2"],
            "title_vi": "Xây dựng kế hoạch năm",
            "title_en": "Yearly plan",
            "review": True,
            "status": "in_progress",
            "due_original": "2027-02-26",
            "due_current": "2027-02-26",
            "opened_on": "2027-01-04",
            "started_at": "2027-01-05T02:00:00Z",
            "submitted_at": None,
            "completed_at": None,
            "completed_on": None,
            "completed_by": None,
            "outputs": None,
            "note": None,
            "next_notice_on": "2027-02-19",
        }
    )
    cycle_id: int
    review: bool
    opened_on: date | None
    started_at: datetime | None
    submitted_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    outputs: dict[str, Any] | None
    note: str | None
    next_notice_on: date | None


class OutputPublic(Schema):
    """An output a step declares."""

    name: str
    type: str
    required: bool
    label: str


class StepPublic(Schema):
    """The step an assignment comes from."""

    id: str
    title: dict[str, str | None]
    clauses: list[str]
    review: bool
    depends_on: list[str]
    outputs: list[OutputPublic]


class AgencyRef(Schema):
    """An agency by code and Vietnamese name."""

    code: str
    name: str | None


class HistoryEvent(Schema):
    """An audit event about the assignment."""

    model_config = _example(
        {
            "seq": 41,
            "at": "2027-02-10T03:00:00Z",
            "actor": "lan",
            "action": "assignment.start",
            "before": {"status": "open", "version": 1},
            "after": {"status": "in_progress", "version": 2},
            "reason": None,
        }
    )

    seq: int
    at: datetime
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


class ExtensionPublic(Schema):
    """An extension request (gia hạn) and its decision."""

    model_config = _example(
        {
            "id": 3,
            "assignment_id": 12,
            "requested_by": "lan",
            "requested_at": "2027-02-20T03:00:00Z",
            "old_due": "2027-02-26",
            "new_due": "2027-03-31",
            "reason": "Chờ số liệu các xã",
            "status": "pending",
            "decided_by": None,
            "decided_at": None,
            "decision_reason": None,
        }
    )
    id: int
    assignment_id: int
    requested_by: str
    requested_at: datetime
    old_due: date
    new_due: date
    reason: str
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None


class ContributionPublic(Schema):
    """What a cooperating agency added."""

    model_config = _example(
        {
            "id": 5,
            "assignment_id": 12,
            "agency_code": "KTHT",
            "author": "lan",
            "at": "2027-02-10T03:00:00Z",
            "comment": "Đã rà soát",
            "figures": None,
        }
    )

    id: int
    assignment_id: int
    agency_code: str
    author: str
    at: datetime
    comment: str | None
    figures: dict[str, Any] | None


class EvidencePublic(Schema):
    """A stored file (by SHA-256) or a link."""

    model_config = _example(
        {
            "id": 8,
            "assignment_id": 31,
            "contribution_id": None,
            "sha256": "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b",
            "filename": "bien-ban.pdf",
            "size": 48213,
            "link": None,
            "added_by": "lan",
            "added_at": "2027-08-20T03:00:00Z",
        }
    )

    id: int
    assignment_id: int
    contribution_id: int | None
    sha256: str | None
    filename: str | None
    size: int | None
    link: str | None
    added_by: str
    added_at: datetime


class AssignmentDetail(Schema):
    """Everything about one assignment, its official status on the day asked included."""

    assignment: AssignmentPublic
    step: StepPublic
    lead: AgencyRef
    cooperating: list[AgencyRef]
    board_status: str
    board_label: dict[str, str]
    today: date
    late_against: str
    history: list[HistoryEvent]
    extensions: list[ExtensionPublic]
    contributions: list[ContributionPublic]
    evidence: list[EvidencePublic]


# --- moves ------------------------------------------------------------------------------------

_LINKS: Any = Field(default_factory=list, max_length=50, description="http(s) links as evidence.")


class StartIn(Strict):
    """Start an open assignment (no fields needed)."""


class ProgressIn(Strict):
    """A progress report: a note, partial figures, evidence links (files: multipart)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"note": "Đã khảo sát 5 xã", "figures": {"surveyed": 5}}]},
    )
    note: str | None = Field(default=None, max_length=10_000)
    figures: dict[str, Any] = Field(default_factory=dict)
    links: list[str] = _LINKS


class HandInIn(Strict):
    """Complete or submit: the outputs the step declares, a note, evidence links."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outputs": {
                        "products": [
                            {"product": "Mật ong Kim Anh", "producer": "HTX Kim Anh", "score": 72}
                        ]
                    },
                    "note": "Biên bản đính kèm",
                }
            ]
        },
    )
    outputs: dict[str, Any] = Field(default_factory=dict)
    note: str | None = Field(default=None, max_length=10_000)
    links: list[str] = _LINKS


class ApproveIn(Strict):
    """Approve a submission, optionally with a comment."""

    reason: str | None = Field(default=None, max_length=10_000)


class ReasonIn(Strict):
    """A move that needs a reason (reject, cancel)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Thiếu số liệu xã"}]}
    )
    reason: str = Field(min_length=1, max_length=10_000)


class ReassignIn(Strict):
    """Hand the assignment to another agency of the plan."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"to": "NN", "reason": "Xã thiếu cán bộ"}]}
    )
    to: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=10_000)


class ContributeIn(Strict):
    """A cooperating agency's comment, figures and evidence links (files: multipart)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"comment": "Đã rà soát", "figures": {}}]}
    )
    comment: str | None = Field(default=None, max_length=10_000)
    figures: dict[str, Any] = Field(default_factory=dict)
    links: list[str] = _LINKS
    agency: str | None = Field(
        default=None, max_length=64, description="Coordinators: the agency it is from."
    )


class ExtensionIn(Strict):
    """Ask for a later due date."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"new_due": "2027-04-30", "reason": "Chờ số liệu các xã"}]},
    )
    new_due: date
    reason: str = Field(min_length=1, max_length=10_000)


class DecisionIn(Strict):
    """Approve or refuse an extension request (a reason is required to refuse)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"approve": True, "reason": "Đồng ý"}]}
    )
    approve: bool
    reason: str | None = Field(default=None, max_length=10_000)
