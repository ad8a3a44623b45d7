"""Alembic migrations of the case database, run by `privprobe.store.repository.migrate`."""
