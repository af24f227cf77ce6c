"""The OCOP product registry: one row per certificate decision of a rated product.

A row is written when an evaluation assignment is completed (``source = evaluation``, one per
rated item of its output) or imported for products rated before agencyflow (``source =
import``). ``expires_on`` is computed from the plan's registry data when the row is written
(None: below the stars that earn a certificate). ``reevaluation_id`` is the assignment the sweep
opened before expiry (at most one per row: the sweep is idempotent by it).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from agencyflow.models.types import UTCDateTime, utcnow


class Product(SQLModel, table=True):
    """A rated OCOP product and its certificate (see the module docstring)."""

    __tablename__ = "ocop_product"
    __table_args__ = (
        UniqueConstraint("plan_key", "product_key", "decision_date",
                         name="uq_ocop_product_certificate"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_key: str = Field(max_length=100)
    product_key: str = Field(max_length=700)
    product: str = Field(max_length=300)
    producer: str = Field(max_length=300)
    commune: str = Field(max_length=64)
    score: float | None = None
    stars: int | None = None
    level: str | None = Field(default=None, max_length=32)
    decision_number: str | None = Field(default=None, max_length=100)
    decision_date: date
    criteria: str = Field(max_length=16)
    expires_on: date | None = None
    source: str = Field(max_length=16)
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id")
    reevaluation_id: int | None = Field(default=None, foreign_key="assignment.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by: str = Field(max_length=100)


Index("ix_ocop_product_plan_expires", Product.__table__.c.plan_key,  # type: ignore[attr-defined]
      Product.__table__.c.expires_on)  # type: ignore[attr-defined]
