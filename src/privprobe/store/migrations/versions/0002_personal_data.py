"""Personal data: the persona's canaries, the hits found in flows, and which captures were scanned.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "canaries",
        sa.Column("case_name", sa.String(200), sa.ForeignKey("cases.name"), primary_key=True),
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("data_type", sa.String(100), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "scans",
        sa.Column("case_name", sa.String(200), primary_key=True),
        sa.Column("capture_id", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("scanned", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hit_count", sa.Integer, nullable=False),
        sa.Column("notes", sa.JSON, nullable=False),
        sa.ForeignKeyConstraint(["case_name", "capture_id"], ["captures.case_name", "captures.id"]),
    )
    op.create_table(
        "hits",
        sa.Column("case_name", sa.String(200), primary_key=True),
        sa.Column("capture_id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data_type", sa.String(100), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("encoding", sa.JSON, nullable=False),
        sa.Column("masked", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["case_name", "capture_id"], ["captures.case_name", "captures.id"]),
    )
    op.create_index("hits_by_type", "hits", ["case_name", "data_type"])


def downgrade() -> None:
    op.drop_index("hits_by_type", "hits")
    for table in ("hits", "scans", "canaries"):
        op.drop_table(table)
