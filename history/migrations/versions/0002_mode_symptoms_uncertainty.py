"""Measurement: SLR mode, symptom answers, the engine's uncertainty and camera yaw.

All columns are nullable: measurements saved before this revision simply have no such values.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _new_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("slr_mode", sa.String(16), nullable=True),
        sa.Column("symptoms", sa.JSON(), nullable=True),
        sa.Column("uncertainty_deg", sa.Double(), nullable=True),
        sa.Column("reach_uncertainty_cm", sa.Double(), nullable=True),
        sa.Column("camera_yaw_deg", sa.Double(), nullable=True),
    ]


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER every column kind in place; on PostgreSQL it is a plain ALTER.
    with op.batch_alter_table("measurement") as batch:
        for column in _new_columns():
            batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("measurement") as batch:
        for column in reversed(_new_columns()):
            batch.drop_column(column.name)
