"""A throwaway PostgreSQL server for the test-suite.

Debian's server binaries refuse to run as root, and tests (and CI) run as root: then every server
binary runs as the ``postgres`` user (``nobody`` if it does not exist) through ``setpriv``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import LiteralString
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

BIN_ENV = "FLEETGRAPH_PG_BIN"
URI_ENV = "FLEETGRAPH_TEST_POSTGRES_URI"
# Durability is worthless for a server deleted after the run; dropping it makes tests faster.
FAST_OPTS = ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300"]


class PostgresNotFoundError(RuntimeError):
    """No server binaries: the suite fails loudly rather than silently skipping database tests."""


def find_bin_dir() -> Path:
    """Where ``initdb`` and ``postgres`` are: $FLEETGRAPH_PG_BIN, newest Debian, pg_config."""
    if override := os.environ.get(BIN_ENV):
        candidates = [Path(override)]
    else:
        candidates = [Path(d) for d in glob.glob("/usr/lib/postgresql/*/bin")]
        candidates.sort(key=lambda d: [int(x) for x in d.parent.name.split(".") if x.isdigit()])
        candidates.reverse()  # newest Debian version first
        if pg_config := shutil.which("pg_config"):
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                cmd = [pg_config, "--bindir"]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=10)
                candidates.append(Path(out.stdout.strip()))
    for cand in candidates:
        if all(os.access(cand / exe, os.X_OK) for exe in ("initdb", "postgres")):
            return cand
    raise PostgresNotFoundError(
        "No PostgreSQL server binaries (initdb, postgres) found; looked in: "
        f"{', '.join(map(str, candidates)) or '/usr/lib/postgresql/*/bin, pg_config --bindir'}. "
        f"Install them with `apt-get install postgresql-15`, or set {BIN_ENV} to the directory "
        f"holding initdb and postgres, or {URI_ENV} to an existing server's admin URI."
    )


def _unprivileged_user() -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam("postgres")
    return pwd.getpwnam("nobody")  # a clean machine may not have the `postgres` user yet


def _as_user(user: pwd.struct_passwd | None, cmd: list[str]) -> list[str]:
    """``setpriv`` (util-linux, like runuser) execs ``cmd``: the postmaster keeps Popen's pid."""
    if user is None:
        return cmd
    ids = [f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups"]
    ids.append("--pdeathsig=SIGQUIT")  # a killed test run takes its server with it
    return [shutil.which("setpriv") or "/usr/bin/setpriv", *ids, "--", *cmd]


def _scratch_parent() -> str | None:
    """Prefer tmpfs: a new database is ~300 files, ~1 ms each to create on this VM's ext4 disk
    (~0.015 ms on tmpfs). Docker's default 64 MB /dev/shm is too small, hence the size check."""
    with contextlib.suppress(OSError):
        if os.access("/dev/shm", os.W_OK) and shutil.disk_usage("/dev/shm").free >= 1 << 30:
            return "/dev/shm"
    return None  # tempfile's default: $TMPDIR or /tmp


class PostgresServer:
    """A private server in a fresh temp dir, or the external one whose admin URI is given.

    Test databases are cloned from one template database: faster than building each from
    scratch, and shared schema could be preloaded there. ``from_env`` reads $URI_ENV.
    """

    def __init__(self, external_uri: str | None = None, *, start_timeout: float = 30.0) -> None:
        self._external = external_uri
        self._admin_uri = external_uri
        self._start_timeout = start_timeout
        self._tmp: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        # A shared external server may host other runs: our template gets a unique name there.
        suffix = f"_{uuid.uuid4().hex[:12]}" if external_uri else ""
        self.template = f"fleetgraph_template{suffix}"

    @classmethod
    def from_env(cls) -> PostgresServer:
        return cls(os.environ.get(URI_ENV) or None)

    @property
    def admin_uri(self) -> str:
        if self._admin_uri is None:
            raise RuntimeError("PostgresServer is not started")
        return self._admin_uri

    def start(self) -> PostgresServer:
        try:
            if self._external is None:
                self._start_local()
            self._execute("CREATE DATABASE {} TEMPLATE template0", self.template)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_local(self) -> None:
        bin_dir = find_bin_dir()
        user = _unprivileged_user() if os.geteuid() == 0 else None
        self._tmp = tmp = Path(tempfile.mkdtemp(prefix="fleetgraph-pg-", dir=_scratch_parent()))
        if user is not None:
            os.chown(tmp, user.pw_uid, user.pw_gid)
        initdb = [str(bin_dir / "initdb"), "-D", str(tmp / "data"), "-U", "postgres", "-E", "UTF8"]
        initdb += ["--auth=trust", "--locale=C", "--no-sync", "--no-instructions"]
        done = subprocess.run(_as_user(user, initdb), cwd=tmp, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        for _ in range(3):  # another process may take the free port before postgres binds it
            with socket.create_server(("127.0.0.1", 0)) as sock:
                port = int(sock.getsockname()[1])
            if self._launch(tmp, bin_dir, user, port):
                return
        raise RuntimeError(f"postgres could not bind a free port:\n{self.log_tail()}")

    def _launch(self, tmp: Path, bin_dir: Path, user: pwd.struct_passwd | None, port: int) -> bool:
        """Start the postmaster, wait until it accepts connections; False if it lost the port."""
        opts = ["listen_addresses=127.0.0.1", f"unix_socket_directories={tmp}", *FAST_OPTS]
        cmd = [str(bin_dir / "postgres"), "-D", str(tmp / "data"), "-p", str(port)]
        cmd = _as_user(user, cmd + [arg for opt in opts for arg in ("-c", opt)])
        with (tmp / "postgres.log").open("wb") as log:
            self._proc = subprocess.Popen(cmd, cwd=tmp, stdout=log, stderr=log)
        # Poll over our private unix socket: TCP might reach a foreign server on the same port.
        local = make_conninfo(host=str(tmp), port=port, user="postgres", dbname="postgres")
        deadline = time.monotonic() + self._start_timeout
        while (code := self._proc.poll()) is None:
            with contextlib.suppress(psycopg.OperationalError):
                psycopg.connect(local, connect_timeout=5).close()
                self._admin_uri = f"postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable"
                return True
            if time.monotonic() > deadline:
                raise TimeoutError(f"postgres not up in {self._start_timeout}s:\n{self.log_tail()}")
            time.sleep(0.05)
        if "could not bind" in self.log_tail():
            return False
        raise RuntimeError(f"postgres exited with code {code}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        log = self._tmp / "postgres.log" if self._tmp else None
        text = log.read_text(errors="replace") if log and log.exists() else "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Immediate shutdown (no checkpoint: the data is thrown away) and temp dir removal."""
        if self._external is not None:
            with contextlib.suppress(psycopg.Error):
                self.drop_database(self.template)
            return
        if self._proc is not None:  # signals are no-ops once it has exited
            self._proc.send_signal(signal.SIGQUIT)  # what pg_ctl -m immediate sends
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=15)
            self._proc.kill()
            self._proc.wait()
        self._proc = self._admin_uri = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _execute(self, query: LiteralString, *names: str) -> None:
        """Run ``query`` with ``names`` quoted as identifiers into its ``{}`` placeholders."""
        composed = sql.SQL(query).format(*map(sql.Identifier, names))
        with psycopg.connect(self.admin_uri, autocommit=True, connect_timeout=10) as conn:
            conn.execute(composed)

    def uri_for(self, name: str) -> str:
        return urlunsplit(urlsplit(self.admin_uri)._replace(path="/" + quote(name)))

    def create_database(self, name: str) -> str:
        self._execute("CREATE DATABASE {} TEMPLATE {}", name, self.template)
        return self.uri_for(name)

    def drop_database(self, name: str) -> None:
        self._execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
