"""One test body over every store backend: SQLite always, PostgreSQL when PRIVPROBE_TEST_PG is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'case.sqlite'}"
        return
    server = os.environ.get("PRIVPROBE_TEST_PG")
    if not server:
        pytest.skip(
            "PRIVPROBE_TEST_PG is not set (a PostgreSQL URL, e.g. postgresql+psycopg://postgres@127.0.0.1/test)"
        )
    name = f"privprobe_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as db:
            db.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.skip(f"PostgreSQL at PRIVPROBE_TEST_PG is not reachable: {error.__class__.__name__}")
    try:
        yield sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as db:
            db.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
