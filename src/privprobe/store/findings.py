"""The investigator's status on findings, kept as an append-only audit trail in the case database.

A finding is raised by the rules on every run with the same id (``pipa.28-8-1:facebook``); only its
status is the investigator's. Each `set_finding_status` adds one row to ``finding_status`` and never
changes or deletes one, so the history shows who-said-what-when in order; the latest row per finding
is its status. `FindingStatuses` is the part of `CaseStore` that reads and writes these rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from privprobe.errors import CaseError
from privprobe.findings import FindingStatus
from privprobe.model import CaseId
from privprobe.store import schema
from privprobe.store.rows import utc

NEEDS_REASON = (FindingStatus.CONFIRMED, FindingStatus.DISMISSED)
"""Statuses the investigator must justify: the reason is what a decision or a reply will quote."""


@dataclass(frozen=True)
class StatusRecord:
    """One status the investigator gave a finding, as stored."""

    finding_id: str
    """The finding's stable id (``pipa.28-8-1:facebook``)."""
    status: FindingStatus
    """The status given."""
    reason: str
    """Why (required for ``confirmed`` and ``dismissed``; may be empty for ``suspected``)."""
    set_at: datetime
    """When it was given (UTC)."""


class FindingStatuses:
    """The finding-status part of `CaseStore`: an append-only audit, the latest row per finding wins."""

    engine: sa.Engine

    def set_finding_status(
        self, case: CaseId, finding_id: str, status: FindingStatus, reason: str
    ) -> StatusRecord:
        """Record ``status`` for the finding with ``reason``; a `CaseError` when a needed reason is empty."""
        reason = reason.strip()
        if not finding_id.strip():
            raise CaseError("give the id of a finding (privprobe assess NAME lists them)")
        if status in NEEDS_REASON and not reason:
            raise CaseError(f"finding {finding_id}: give the reason for marking it {status} (--reason TEXT)")
        table = schema.finding_status
        record = StatusRecord(finding_id, status, reason, datetime.now(UTC))
        with self.engine.begin() as db:
            seq = db.execute(
                sa.select(sa.func.max(table.c.seq)).where(table.c.case_name == case)
            ).scalar_one_or_none()
            db.execute(
                table.insert().values(
                    case_name=case, seq=(seq or 0) + 1, finding_id=finding_id, status=status.value,
                    reason=reason, set_at=record.set_at,
                )
            )  # fmt: skip
        return record

    def finding_statuses(self, case: str) -> dict[str, StatusRecord]:
        """The current status of every finding of ``case`` that has one, by finding id."""
        return {record.finding_id: record for record in self.finding_history(case)}

    def finding_history(self, case: str, finding_id: str | None = None) -> list[StatusRecord]:
        """Every status given in ``case`` (to one finding when ``finding_id`` is given), oldest first."""
        table = schema.finding_status
        query = sa.select(table).where(table.c.case_name == case)
        if finding_id is not None:
            query = query.where(table.c.finding_id == finding_id)
        with self.engine.connect() as db:
            rows = db.execute(query.order_by(table.c.seq)).all()
        return [
            StatusRecord(row.finding_id, FindingStatus(row.status), row.reason, utc(row.set_at) or row.set_at)
            for row in rows
        ]
