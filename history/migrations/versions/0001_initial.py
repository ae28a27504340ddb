"""Initial schema: person, measurement, measurement_series.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(16), nullable=True),
        sa.Column("height_cm", sa.Double(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("name", name="uq_person_name"),
    )
    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "person_id",
            sa.Integer(),
            sa.ForeignKey("person.id", ondelete="CASCADE", name="fk_measurement_person"),
            nullable=False,
        ),
        sa.Column("test", sa.String(16), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("angle_deg", sa.Double(), nullable=True),
        sa.Column("reach_cm", sa.Double(), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("band", sa.Text(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("engine_version", sa.String(64), nullable=False),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("annotated_path", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
    )
    op.create_index("ix_measurement_person_taken", "measurement", ["person_id", "taken_at"])
    op.create_table(
        "measurement_series",
        sa.Column(
            "measurement_id",
            sa.Integer(),
            sa.ForeignKey("measurement.id", ondelete="CASCADE", name="fk_series_measurement"),
            primary_key=True,
        ),
        sa.Column("n_frames", sa.Integer(), nullable=False),
        sa.Column("t_s", sa.LargeBinary(), nullable=False),
        sa.Column("angle_deg", sa.LargeBinary(), nullable=False),
        sa.Column("knee_flexion_deg", sa.LargeBinary(), nullable=False),
        sa.Column("reach_cm", sa.LargeBinary(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("measurement_series")
    op.drop_index("ix_measurement_person_taken", table_name="measurement")
    op.drop_table("measurement")
    op.drop_table("person")
