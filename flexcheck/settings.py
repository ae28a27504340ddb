"""Run-time settings from `FLEXCHECK_*` environment variables (passed around, never global).

- `FLEXCHECK_DATA_DIR`: where the history database and other user data live
  (default: platformdirs `user_data_dir("flexcheck")`).
- `FLEXCHECK_DATABASE_URL`: a SQLAlchemy URL; default `sqlite:///<data_dir>/flexcheck.db`.
  `postgresql://...` selects PostgreSQL (psycopg 3 driver).
- `FLEXCHECK_POSE_MODEL`: optional path to another MediaPipe pose `.task` file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DB_FILE_NAME = "flexcheck.db"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    pose_model_path: Path | None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read settings; empty variables count as unset. Creates nothing on disk."""
        data_dir_text = environ.get("FLEXCHECK_DATA_DIR", "").strip()
        data_dir = (
            Path(data_dir_text).expanduser()
            if data_dir_text
            else Path(platformdirs.user_data_dir("flexcheck", appauthor=False))
        )
        url = environ.get("FLEXCHECK_DATABASE_URL", "").strip()
        if not url:
            url = f"sqlite:///{(data_dir / DB_FILE_NAME).as_posix()}"
        model_text = environ.get("FLEXCHECK_POSE_MODEL", "").strip()
        model = Path(model_text).expanduser() if model_text else None
        return cls(data_dir=data_dir, database_url=url, pose_model_path=model)
