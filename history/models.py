"""SQLAlchemy 2 ORM models. Schema changes go through Alembic (`history/migrations/versions`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on every backend (same text order on SQLite); read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(16))
    height_cm: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Measurement(Base):
    __tablename__ = "measurement"
    __table_args__ = (Index("ix_measurement_person_taken", "person_id", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    test: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(8))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    angle_deg: Mapped[float | None] = mapped_column(Double)
    reach_cm: Mapped[float | None] = mapped_column(Double)
    valid: Mapped[bool] = mapped_column(Boolean)
    checks: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    band: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    engine_version: Mapped[str] = mapped_column(String(64))
    model_name: Mapped[str] = mapped_column(String(200))
    annotated_path: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # Added in migration 0002.
    slr_mode: Mapped[str | None] = mapped_column(String(16))
    symptoms: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    uncertainty_deg: Mapped[float | None] = mapped_column(Double)
    reach_uncertainty_cm: Mapped[float | None] = mapped_column(Double)
    camera_yaw_deg: Mapped[float | None] = mapped_column(Double)


class MeasurementSeries(Base):
    """One row per measurement: little-endian float32 arrays, packed (a 10-s 30-fps clip is ~5 kB)."""

    __tablename__ = "measurement_series"

    measurement_id: Mapped[int] = mapped_column(
        ForeignKey("measurement.id", ondelete="CASCADE"), primary_key=True
    )
    n_frames: Mapped[int] = mapped_column(Integer)
    t_s: Mapped[bytes] = mapped_column(LargeBinary)
    angle_deg: Mapped[bytes] = mapped_column(LargeBinary)
    knee_flexion_deg: Mapped[bytes] = mapped_column(LargeBinary)
    reach_cm: Mapped[bytes | None] = mapped_column(LargeBinary)
