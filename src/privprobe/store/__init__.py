"""store: the case database and the evidence store of a workspace.

A workspace is a folder: ``evidence/`` keeps every imported file once, named by its SHA-256 and never
modified; ``cases/NAME/case.sqlite`` is one case's database (SQLite, the default), or all cases live in
one PostgreSQL database given by URL. Both databases have the same schema, created and upgraded by
Alembic migrations (``store/migrations``). Only `privprobe.pipeline` and the CLI use this package.
"""

from privprobe.store.evidence import EvidenceStore
from privprobe.store.repository import CaseStore
from privprobe.store.workspace import Workspace

__all__ = ["CaseStore", "EvidenceStore", "Workspace"]
