"""The case-fact part of the store contract, run over SQLite and PostgreSQL."""

from __future__ import annotations

from privprobe.store import CaseStore
from tests.builders import make_case


def test_facts_set_unset_and_audit(db_url: str) -> None:
    with CaseStore.open(db_url) as store:
        case = store.add_case(make_case("c")).name
        other = store.add_case(make_case("d")).name
        assert store.facts(case) == {} and store.fact_changes(case) == []
        store.set_facts(case, {"revenue.2023": "1978000000", "violation_end": "ongoing"})
        store.set_fact(other, "revenue.2023", "5")
        store.set_fact(case, "revenue.2023", "2000000000")
        store.set_fact(case, "violation_end", "ongoing")  # unchanged: no audit row
        store.set_fact(case, "korea_office", None)  # unset an unset key: nothing
        facts = store.facts(case)
        assert {key: record.value for key, record in facts.items()} == {
            "revenue.2023": "2000000000",
            "violation_end": "ongoing",
        }
        assert list(facts) == sorted(facts)
        assert all(record.set_at.tzinfo is not None for record in facts.values())
        store.set_fact(case, "violation_end", None)
        assert "violation_end" not in store.facts(case)
        changes = [(c.key, c.old, c.new) for c in store.fact_changes(case)]
        assert changes == [
            ("revenue.2023", None, "1978000000"),
            ("violation_end", None, "ongoing"),
            ("revenue.2023", "1978000000", "2000000000"),
            ("violation_end", "ongoing", None),
        ]
        assert all(c.changed_at.tzinfo is not None for c in store.fact_changes(case))
        assert {key: r.value for key, r in store.facts(other).items()} == {"revenue.2023": "5"}


def test_facts_survive_reopening(db_url: str) -> None:
    with CaseStore.open(db_url) as store:
        store.set_fact(store.add_case(make_case("c")).name, "signup_steps", "2")
    with CaseStore.open(db_url) as store:
        assert store.facts("c")["signup_steps"].value == "2"
        assert len(store.fact_changes("c")) == 1
