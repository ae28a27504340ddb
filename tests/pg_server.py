"""A throw-away PostgreSQL 15 server for tests: initdb into a temp dir, listen on 127.0.0.1 on a
free port (unix socket in the temp dir), stopped and deleted at the end.

initdb refuses to run as root, so as root the server runs as the `postgres` user (`runuser`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")


class PgUnavailable(Exception):
    """No PostgreSQL server binaries here (tests skip with this reason)."""


def find_pg_bin() -> Path:
    forced = os.environ.get("FLEXCHECK_TEST_PG_BIN")  # one folder to use instead of searching
    if forced is not None:
        if (Path(forced) / "initdb").is_file() and (Path(forced) / "pg_ctl").is_file():
            return Path(forced)
        raise PgUnavailable(f"PostgreSQL server binaries (initdb, pg_ctl) not found in {forced}")
    for d in PG_BIN_DIRS:
        if (Path(d) / "initdb").is_file() and (Path(d) / "pg_ctl").is_file():
            return Path(d)
    found = shutil.which("pg_ctl")
    if found and (Path(found).parent / "initdb").is_file():
        return Path(found).parent
    raise PgUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    bin_dir: Path
    root: Path
    port: int
    user: str = "postgres"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def _run(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        proc = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed: {proc.stderr.strip() or proc.stdout.strip()}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres") as conn:
            conn.autocommit = True
            conn.execute(f'CREATE DATABASE "{name}"')  # name comes from the test code, not user input
        return self.url(name)

    def start(self) -> None:
        self._run(
            str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-A", "trust", "-U", self.user,
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
            "-c fsync=off -c max_connections=50"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.root / "log.txt"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self) -> None:
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_pg_server() -> PgServer:
    """Start a fresh server; raises PgUnavailable when it cannot run here."""
    bin_dir = find_pg_bin()
    root = Path(tempfile.mkdtemp(prefix="flexcheck-pg-"))
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise PgUnavailable("running as root without runuser")
        shutil.chown(root, user="postgres", group="postgres")
    server = PgServer(bin_dir, root, _free_port())
    try:
        server.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server
