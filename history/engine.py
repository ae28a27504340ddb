"""Database set-up for the history: URL normalisation, SQLite pragmas, and schema migrations.

SQLite runs in WAL mode with foreign keys on, a busy timeout and synchronous=FULL; PostgreSQL goes
through psycopg 3. The schema is migrated with Alembic (`history/migrations/`) every time a store is
opened; concurrent openers are serialised (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock).
"""

from __future__ import annotations

import sqlite3
import time
import zlib
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from history.records import HistoryError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000
_PG_MIGRATION_LOCK = zlib.crc32(b"flexcheck-history-migrate")  # advisory lock id
WRITE_OPTIONS = {"sqlite_begin": "IMMEDIATE"}  # writers take SQLite's write lock up front


def normalize_url(url: str) -> URL:
    """`postgresql://` and `postgres://` use the psycopg 3 driver; everything else as given."""
    text_url = url.strip()
    if text_url.startswith("postgres://"):
        text_url = "postgresql://" + text_url[len("postgres://") :]
    try:
        parsed = make_url(text_url)
    except ArgumentError as exc:
        raise HistoryError(f"not a database URL: {url!r}") from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise HistoryError(f"unsupported database {parsed.get_backend_name()!r} (use sqlite or postgresql)")
    return parsed


def open_engine(url: str) -> Engine:
    """An engine for `url`, the database file's folder created, the schema migrated to the newest
    version. Raises HistoryError (one line) when the database cannot be used."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, pool_pre_ping=parsed.get_backend_name() != "sqlite")
    except (ArgumentError, ImportError) as exc:
        raise HistoryError(f"cannot use database URL: {exc}") from exc
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    try:
        migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        raise HistoryError(f"cannot open the history database: {first_line(exc)}") from exc
    except BaseException:
        engine.dispose()
        raise
    return engine


def migrate(engine: Engine) -> None:
    """`alembic upgrade head`, at most one opener at a time, nothing done when already current."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.execution_options(**WRITE_OPTIONS).begin() as conn:
        if conn.dialect.name != "sqlite":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def first_line(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    msg = str(orig if orig is not None else exc).strip()
    return msg.splitlines()[0] if msg else type(exc).__name__


def _ensure_wal(cur: Any) -> None:
    """Switch the file to WAL (the mode is stored in the file; an in-memory database stays "memory").
    Switching needs an exclusive lock, and SQLite reports "database is locked" at once, without its
    busy handler, while another process is creating the same new database: retry until the busy
    timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def _sqlite_setup(engine: Engine) -> None:
    """WAL, foreign keys and a busy timeout on every connection; we emit BEGIN ourselves so that
    DDL is transactional and writers take the write lock up front (no lock-upgrade deadlocks)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below control transactions
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _ensure_wal(cur)
        cur.execute("PRAGMA synchronous = FULL")  # a committed save survives power loss, not only a crash
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
