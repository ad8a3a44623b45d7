"""The case database schema (SQLAlchemy Core). Changes go through a new Alembic migration."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("controller", sa.Text, nullable=False),
    sa.Column("first_party_domains", sa.JSON, nullable=False),
    sa.Column("apps", sa.JSON, nullable=False),
    sa.Column("jurisdiction", sa.String(2), nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)

captures = sa.Table(
    "captures",
    metadata,
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
    sa.Column("flow_count", sa.Integer, nullable=False, default=0),
    sa.Column("partial", sa.Boolean, nullable=False, default=False),
    sa.Column("partial_reason", sa.Text),
    sa.Column("warnings", sa.JSON, nullable=False),
)

capture_files = sa.Table(
    "capture_files",
    metadata,
    sa.Column("case_name", sa.String(200), primary_key=True),
    sa.Column("capture_id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("original_name", sa.String(500), primary_key=True),
    sa.Column("format", sa.String(40), nullable=False),
    sa.ForeignKeyConstraint(["case_name", "capture_id"], ["captures.case_name", "captures.id"]),
)

flows = sa.Table(
    "flows",
    metadata,
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

sa.Index("flows_by_host", flows.c.case_name, flows.c.host)

canaries = sa.Table(
    "canaries",
    metadata,
    sa.Column("case_name", sa.String(200), sa.ForeignKey("cases.name"), primary_key=True),
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("data_type", sa.String(100), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
)

scans = sa.Table(
    "scans",
    metadata,
    sa.Column("case_name", sa.String(200), primary_key=True),
    sa.Column("capture_id", sa.Integer, primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("scanned", sa.DateTime(timezone=True), nullable=False),
    sa.Column("hit_count", sa.Integer, nullable=False),
    sa.Column("notes", sa.JSON, nullable=False),
    sa.ForeignKeyConstraint(["case_name", "capture_id"], ["captures.case_name", "captures.id"]),
)

hits = sa.Table(
    "hits",
    metadata,
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

sa.Index("hits_by_type", hits.c.case_name, hits.c.data_type)

case_facts = sa.Table(
    "case_facts",
    metadata,
    sa.Column("case_name", sa.String(200), sa.ForeignKey("cases.name"), primary_key=True),
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
)

case_fact_changes = sa.Table(
    "case_fact_changes",
    metadata,
    sa.Column("case_name", sa.String(200), sa.ForeignKey("cases.name"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("key", sa.String(100), nullable=False),
    sa.Column("old_value", sa.Text),
    sa.Column("new_value", sa.Text),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)

finding_status = sa.Table(
    "finding_status",
    metadata,
    sa.Column("case_name", sa.String(200), sa.ForeignKey("cases.name"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("finding_id", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
)
