"""The case database contract, run over SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from privprobe.errors import CaseError, ReadError, StoreError
from privprobe.model import CaptureKind, CaseId, EvidenceFile, Flow, Phase, Request, Response, Transport
from privprobe.store import CaseStore
from privprobe.store.schema import metadata
from tests.builders import make_case, make_flow


def test_migrations_build_the_schema_the_code_declares(db_url: str) -> None:
    with CaseStore.open(db_url) as store, store.engine.connect() as db:
        differences = compare_metadata(MigrationContext.configure(db), metadata)
    assert differences == []


def test_opening_twice_keeps_data(db_url: str) -> None:
    with CaseStore.open(db_url) as store:
        store.add_case(make_case("a"))
    with CaseStore.open(db_url) as store:
        assert [c.name for c in store.cases()] == ["a"]


def test_case_round_trip_and_duplicates(db_url: str) -> None:
    with CaseStore.open(db_url) as store:
        saved = store.add_case(
            make_case("temu", first_party_domains=("temu.com", "kwcdn.com"), apps=("com.x",))
        )
        assert store.case("temu") == saved
        assert saved.created is not None and saved.created.tzinfo is not None
        with pytest.raises(CaseError, match="exists already"):
            store.add_case(make_case("temu"))
        with pytest.raises(CaseError, match="no case 'other'"):
            store.case("other")


def test_flows_round_trip_every_field(db_url: str) -> None:
    body = "이메일=minji@example.com".encode() + bytes(range(256))
    flow = make_flow(
        "https://api.example.kr/v1?q=1",
        phase=Phase.REFUSED,
        server_ip="2001:db8::1",
        server_port=443,
        client_ip="10.0.0.2",
        bytes_sent=1234,
        bytes_received=99,
        notes=("ech", "websocket"),
        request=Request(
            "POST",
            "https://api.example.kr/v1?q=1",
            "HTTP/2",
            (("Cookie", "a=1; b=2"), ("X", "y")),
            (("a", "1"), ("b", "2")),
            body,
            len(body),
            False,
        ),
        response=Response(201, "Created", "HTTP/2", (("Content-Type", "text/html"),), 42, "text/html"),
    )
    bare = make_flow(
        seq=1, transport=Transport.QUIC, request=None, response=None, host=None, time=None, name_source=None
    )
    with CaseStore.open(db_url) as store:
        case = store.add_case(make_case("c")).name
        store.begin_capture(case, CaptureKind.HAR, "first", Phase.REFUSED, "har 1")
        assert store.add_flows(case, [flow, bare]) == 2
        assert list(store.flows("c")) == [flow, bare]


def test_capture_numbers_counts_and_files(db_url: str) -> None:
    with CaseStore.open(db_url) as store:
        case = store.add_case(make_case("c")).name
        first = store.begin_capture(case, CaptureKind.PCAP, "one", Phase.UNKNOWN, "pcap 1")
        second = store.begin_capture(case, CaptureKind.HAR, "two", Phase.ACCEPTED, "har 1")
        assert (first, second) == (1, 2)
        t1, t2 = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC)
        store.add_flows(
            case, [make_flow(capture=second, seq=0, time=t2), make_flow(capture=second, seq=1, time=t1)]
        )
        store.add_file(case, second, EvidenceFile("ab" * 32, 10, "x.har", "har"))
        store.finish_capture(
            case, second, device="Firefox 120", partial=True, partial_reason="x.har: entry 2: bad"
        )
        captures = store.captures("c")
    assert [c.flow_count for c in captures] == [0, 2]
    two = captures[1]
    assert (two.started, two.ended, two.device, two.partial) == (t1, t2, "Firefox 120", True)
    assert two.partial_reason == "x.har: entry 2: bad"
    assert two.files == (EvidenceFile("ab" * 32, 10, "x.har", "har"),)


def test_flows_of_one_capture_in_order(db_url: str) -> None:
    with CaseStore.open(db_url) as store:
        case = CaseId(store.add_case(make_case("c")).name)
        for kind in (CaptureKind.HAR, CaptureKind.HAR):
            capture = store.begin_capture(case, kind, "x", Phase.UNKNOWN, "har 1")
            store.add_flows(case, (make_flow(capture=capture, seq=i) for i in reversed(range(2500))))
        assert [f.seq for f in store.flows("c", 2)] == list(range(2500))
        assert sum(1 for _ in store.flows("c")) == 5000


def test_unopenable_database_names_it() -> None:
    with pytest.raises(StoreError, match="cannot open the case database sqlite:///"):
        CaseStore.open("sqlite:////nonexistent-folder/x/case.sqlite")


def test_schema_has_index_on_host(db_url: str) -> None:
    with CaseStore.open(db_url) as store:
        indexes = sa.inspect(store.engine).get_indexes("flows")
    assert any(index["name"] == "flows_by_host" for index in indexes)


def test_flows_before_a_reader_fault_are_written(db_url: str) -> None:
    def faulty() -> Iterator[Flow]:
        yield make_flow(seq=0)
        yield make_flow(seq=1)
        raise ReadError("x.har", "log.entries[2]", "bad")

    with CaseStore.open(db_url) as store:
        case = store.add_case(make_case("c")).name
        store.begin_capture(case, CaptureKind.HAR, "x", Phase.UNKNOWN, "har 1")
        with pytest.raises(ReadError):
            store.add_flows(case, faulty())
        assert [f.seq for f in store.flows("c")] == [0, 1]
