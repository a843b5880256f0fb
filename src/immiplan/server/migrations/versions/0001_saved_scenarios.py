"""Saved scenarios: validated YAML, its SHA-256, the immiplan version and the time.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_scenarios",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("yaml", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("immiplan_version", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_saved_scenarios_sha256", "saved_scenarios", ["sha256"])
    op.create_index("ix_saved_scenarios_created_at", "saved_scenarios", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_saved_scenarios_created_at", "saved_scenarios")
    op.drop_index("ix_saved_scenarios_sha256", "saved_scenarios")
    op.drop_table("saved_scenarios")
