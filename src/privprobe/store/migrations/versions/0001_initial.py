"""The first schema: cases, captures, their evidence files, and flows.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("controller", sa.Text, nullable=False),
        sa.Column("first_party_domains", sa.JSON, nullable=False),
        sa.Column("apps", sa.JSON, nullable=False),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "captures",
        sa.Column("case_name", sa.String(200), sa.ForeignKey("cases.name"), primary_key=True),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("reader", sa.String(100), nullable=False),
        sa.Column("imported", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device", sa.Text),
        sa.Column("started", sa.DateTime(timezone=True)),
        sa.Column("ended", sa.DateTime(timezone=True)),
        sa.Column("flow_count", sa.Integer, nullable=False),
        sa.Column("partial", sa.Boolean, nullable=False),
        sa.Column("partial_reason", sa.Text),
        sa.Column("warnings", sa.JSON, nullable=False),
    )
    op.create_table(
        "capture_files",
        sa.Column("case_name", sa.String(200), primary_key=True),
        sa.Column("capture_id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("original_name", sa.String(500), primary_key=True),
        sa.Column("format", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(["case_name", "capture_id"], ["captures.case_name", "captures.id"]),
    )
    op.create_table(
        "flows",
        sa.Column("case_name", sa.String(200), primary_key=True),
        sa.Column("capture_id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", sa.Text, nullable=False),
        sa.Column("transport", sa.String(20), nullable=False),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True)),
        sa.Column("host", sa.Text),
        sa.Column("name_source", sa.String(20)),
        sa.Column("server_ip", sa.String(64)),
        sa.Column("server_port", sa.Integer),
        sa.Column("client_ip", sa.String(64)),
        sa.Column("bytes_sent", sa.BigInteger),
        sa.Column("bytes_received", sa.BigInteger),
        sa.Column("notes", sa.JSON, nullable=False),
        sa.Column("req_method", sa.String(40)),
        sa.Column("req_url", sa.Text),
        sa.Column("req_http_version", sa.String(40)),
        sa.Column("req_headers", sa.JSON),
        sa.Column("req_cookies", sa.JSON),
        sa.Column("req_body", sa.LargeBinary),
        sa.Column("req_body_size", sa.BigInteger),
        sa.Column("req_body_truncated", sa.Boolean),
        sa.Column("resp_status", sa.Integer),
        sa.Column("resp_reason", sa.Text),
        sa.Column("resp_http_version", sa.String(40)),
        sa.Column("resp_headers", sa.JSON),
        sa.Column("resp_body_size", sa.BigInteger),
        sa.Column("resp_content_type", sa.Text),
        sa.ForeignKeyConstraint(["case_name", "capture_id"], ["captures.case_name", "captures.id"]),
    )
    op.create_index("flows_by_host", "flows", ["case_name", "host"])


def downgrade() -> None:
    op.drop_index("flows_by_host", "flows")
    for table in ("flows", "capture_files", "captures", "cases"):
        op.drop_table(table)
