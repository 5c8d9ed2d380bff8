"""The workspace suite runs on both backends: a SQLite file and a real PostgreSQL server.

The PostgreSQL server is started once per test session by pytest-postgresql's
executor from the binaries on the machine (``/usr/lib/postgresql/*/bin``; ``.ci/run``
installs Debian's ``postgresql`` package when they are missing). ``initdb`` and
``postgres`` refuse to run as root, so under root ``pg_ctl`` runs as the ``postgres``
OS user (a small wrapper script), in a temporary folder that user owns. Durability
settings are off on this throwaway server (``fsync=off``): the tests are about
behaviour, not about the disk. Each test gets its own database.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

BACKENDS = ("sqlite", "postgresql")


def _pg_ctl() -> str | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return str(found[-1]) if found else shutil.which("pg_ctl")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[dict[str, object]]:
    """A PostgreSQL server for the session: ``{"host", "port", "user"}``."""
    from pytest_postgresql.executors.proc import PostgreSQLExecutor

    pg_ctl = _pg_ctl()
    if pg_ctl is None:
        pytest.skip("PostgreSQL binaries not installed (.ci/run installs Debian's postgresql package)")
    base = Path(tempfile.mkdtemp(prefix="casekit-pg-"))
    base.chmod(0o755)
    wrapper = base / "pg_ctl"
    as_root = os.geteuid() == 0
    if as_root:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        wrapper.write_text(f'#!/bin/sh\nexec runuser -u postgres -- "{pg_ctl}" "$@"\n')
    else:
        wrapper.write_text(f'#!/bin/sh\nexec "{pg_ctl}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    port = _free_port()
    executor = PostgreSQLExecutor(
        executable=str(wrapper),
        host="127.0.0.1",
        port=port,
        datadir=str(base / "data"),
        unixsocketdir=str(base),
        logfile=str(base / "server.log"),
        startparams="-w",
        dbname="casekit",
        user="postgres",
        postgres_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100",
        shell=True,
        timeout=120,
    )
    executor.start()
    _wait_until_ready(port)
    try:
        yield {"host": "127.0.0.1", "port": port, "user": "postgres"}
    finally:
        executor.stop()
        shutil.rmtree(base, ignore_errors=True)


def _wait_until_ready(port: int) -> None:
    import time

    import psycopg

    deadline = time.monotonic() + 60
    while True:
        try:
            psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres").close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


_counter = iter(range(1_000_000))


def new_pg_database(server: dict[str, object]) -> str:
    """A fresh, empty database on the test server; its URL."""
    import psycopg

    name = f"ws_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(
        host=str(server["host"]), port=int(server["port"]), user=str(server["user"]), dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{server['user']}@{server['host']}:{server['port']}/{name}"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The casekit home (audit key, heads) of this test, outside the repository."""
    folder = tmp_path / "home"
    monkeypatch.setenv("CASEKIT_HOME", str(folder))
    monkeypatch.delenv("CASEKIT_AUDIT_KEY", raising=False)
    monkeypatch.delenv("CASEKIT_DB", raising=False)
    return folder


@pytest.fixture
def db_url(backend: str, tmp_path: Path, home: Path, request: pytest.FixtureRequest) -> str:
    """A new, empty workspace location on the backend under test."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'casekit.db'}"
    return new_pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def make_url(backend: str, tmp_path: Path, home: Path, request: pytest.FixtureRequest):
    """A factory of further empty workspace locations on the same backend."""
    counter = iter(range(1000))

    def make() -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'other{next(counter)}.db'}"
        return new_pg_database(request.getfixturevalue("pg_server"))

    return make
