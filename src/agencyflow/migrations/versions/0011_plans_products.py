"""The OCOP product registry: rated products and their certificates

Revision ID: 0011_plans_products
Revises: 0010
Create Date: 2026-12-02 01:30:00

``ocop_product`` holds one row per certificate decision of a rated product: from the outputs
of completed evaluation assignments, or imported for products rated before agencyflow. Its
expiry day is computed from the plan's registry data when the row is written; the index on
(plan_key, expires_on) serves the sweep that opens re-evaluations before expiry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from agencyflow.models.types import UTCDateTime

revision = '0011_plans_products'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ocop_product",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_key", sa.String(length=100), nullable=False),
        sa.Column("product_key", sa.String(length=700), nullable=False),
        sa.Column("product", sa.String(length=300), nullable=False),
        sa.Column("producer", sa.String(length=300), nullable=False),
        sa.Column("commune", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=32), nullable=True),
        sa.Column("decision_number", sa.String(length=100), nullable=True),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("criteria", sa.String(length=16), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey("assignment.id"), nullable=True),
        sa.Column("reevaluation_id", sa.Integer(), sa.ForeignKey("assignment.id"),
                  nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.UniqueConstraint("plan_key", "product_key", "decision_date",
                            name="uq_ocop_product_certificate"),
    )
    op.create_index("ix_ocop_product_plan_expires", "ocop_product", ["plan_key", "expires_on"])


def downgrade() -> None:
    op.drop_index("ix_ocop_product_plan_expires", table_name="ocop_product")
    op.drop_table("ocop_product")
