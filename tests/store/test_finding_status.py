"""The finding-status part of the store contract, run over SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from privprobe.errors import CaseError
from privprobe.findings import FindingStatus
from privprobe.store import CaseStore
from tests.builders import make_case

S = FindingStatus
META = "pipa.28-8-1:meta"
CLOUD = "pipa.28-8-2:alibaba-cloud-intl"


def test_statuses_are_appended_and_the_latest_counts(db_url: str) -> None:
    with CaseStore.open(db_url) as store:
        case = store.add_case(make_case("c")).name
        other = store.add_case(make_case("d")).name
        assert store.finding_statuses(case) == {} and store.finding_history(case) == []
        store.set_finding_status(case, META, S.CONFIRMED, "pixel fires after refusal")
        store.set_finding_status(case, CLOUD, S.DISMISSED, "  contact added in the 2024 policy  ")
        store.set_finding_status(other, META, S.DISMISSED, "other case")
        store.set_finding_status(case, META, S.SUSPECTED, "")
        store.set_finding_status(case, META, S.DISMISSED, "the company showed separate consent")
        current = store.finding_statuses(case)
        assert {key: (r.status, r.reason) for key, r in current.items()} == {
            META: (S.DISMISSED, "the company showed separate consent"),
            CLOUD: (S.DISMISSED, "contact added in the 2024 policy"),
        }
        history = [(r.finding_id, r.status, r.reason) for r in store.finding_history(case)]
        assert history == [
            (META, S.CONFIRMED, "pixel fires after refusal"),
            (CLOUD, S.DISMISSED, "contact added in the 2024 policy"),
            (META, S.SUSPECTED, ""),
            (META, S.DISMISSED, "the company showed separate consent"),
        ]
        assert [r.status for r in store.finding_history(case, META)] == [
            S.CONFIRMED,
            S.SUSPECTED,
            S.DISMISSED,
        ]
        assert store.finding_history(case, "pipa.17-1:nobody") == []
        times = [r.set_at for r in store.finding_history(case)]
        assert all(t.tzinfo is not None for t in times) and times == sorted(times)
        assert [r.reason for r in store.finding_history(other)] == ["other case"]


@pytest.mark.parametrize("status", [S.CONFIRMED, S.DISMISSED])
@pytest.mark.parametrize("reason", ["", "   "])
def test_confirming_or_dismissing_needs_a_reason(db_url: str, status: FindingStatus, reason: str) -> None:
    with CaseStore.open(db_url) as store:
        case = store.add_case(make_case("c")).name
        with pytest.raises(CaseError, match=f"reason for marking it {status}"):
            store.set_finding_status(case, META, status, reason)
        with pytest.raises(CaseError, match="id of a finding"):
            store.set_finding_status(case, " ", status, "a reason")
        assert store.finding_history(case) == []


def test_statuses_survive_reopening(db_url: str) -> None:
    with CaseStore.open(db_url) as store:
        store.set_finding_status(store.add_case(make_case("c")).name, META, S.CONFIRMED, "seen twice")
    with CaseStore.open(db_url) as store:
        assert store.finding_statuses("c")[META].reason == "seen twice"
