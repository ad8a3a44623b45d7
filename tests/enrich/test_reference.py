"""The organisation reference table: its integrity, its matching, and its group roll-ups."""

from __future__ import annotations

import pytest

from privprobe.facts import Organisation
from privprobe.reference import (
    CATEGORIES,
    ISO_COUNTRIES,
    OrganisationTable,
    ascii_host,
    load_organisations,
    problems,
    read_csv,
)

TABLE = load_organisations()


def org(id: str, **overrides: object) -> Organisation:
    values: dict[str, object] = {
        "id": id,
        "name": id.title(),
        "country": "KR",
        "category": "analytics",
        "domains": (f"{id}.example",),
        "source": f"https://{id}.example/privacy",
        "as_of": "2026-11-28",
    }
    values.update(overrides)
    return Organisation(**values)  # type: ignore[arg-type]


def test_the_shipped_table_passes_every_check() -> None:
    assert len(TABLE) >= 400
    assert problems(TABLE) == []


def test_every_row_is_complete() -> None:
    for row in TABLE:
        assert row.country in ISO_COUNTRIES and row.category in CATEGORIES, row.id
        assert row.source.startswith("https://") and row.as_of == "2026-11-28", row.id


@pytest.mark.parametrize(
    ("rows", "fault"),
    [
        ([org("a"), org("a", domains=("other.example",))], "a: duplicate id"),
        ([org("a", parent="nobody")], "a: parent nobody is not in the table"),
        ([org("a", parent="b"), org("b", parent="a")], "a: its parents form a cycle"),
        ([org("a", country="XX")], "a: country 'XX' is not an ISO 3166-1 alpha-2 code"),
        ([org("a", country="Korea")], "a: country 'Korea' is not an ISO 3166-1 alpha-2 code"),
        ([org("a", category="tracking")], "a: category 'tracking' is not one of"),
        ([org("a", source="")], "a: no source URL"),
        ([org("a", as_of="")], "a: no as_of date"),
        ([org("a"), org("b", domains=("a.example",))], "b: domain a.example is claimed by a too"),
        ([org("a", domains=("Upper.example",))], "a: domain 'Upper.example' is not a lower-case host suffix"),
        ([org("a", domains=("10.0.0.1",))], "a: domain '10.0.0.1' is not a lower-case host suffix"),
    ],
)
def test_problems_finds_each_fault(rows: list[Organisation], fault: str) -> None:
    assert any(found.startswith(fault) for found in problems(rows)), problems(rows)


@pytest.mark.parametrize(
    ("host", "organisation", "suffix"),
    [
        ("ae01.alicdn.com", "alibaba-group", "alicdn.com"),
        ("AE01.ALICDN.COM.", "alibaba-group", "alicdn.com"),
        ("alicdn.com", "alibaba-group", "alicdn.com"),
        ("log.mmstat.com", "alibaba-user-tracking", "mmstat.com"),
        ("www.aliexpress.com", "aliexpress", "aliexpress.com"),
        ("img.kwcdn.com", "whaleco-technology", "kwcdn.com"),
        ("www.temu.com", "whaleco-technology", "temu.com"),
        ("mobile.yangkeduo.com", "pinduoduo", "yangkeduo.com"),
        ("googleads.g.doubleclick.net", "doubleclick", "doubleclick.net"),
        ("region1.google-analytics.com", "google-analytics", "google-analytics.com"),
        ("connect.facebook.net", "meta-ads", "connect.facebook.net"),
        ("static.xx.fbcdn.net", "facebook", "fbcdn.net"),
        ("api16-access-sg.pangle.io", "pangle", "pangle.io"),
        ("sf3-fe-tos.pglstatp-toutiao.com", "ocean-engine", "pglstatp-toutiao.com"),
        ("pay.weixin.qq.com", "tenpay", "pay.weixin.qq.com"),
        ("mp.weixin.qq.com", "weixin", "weixin.qq.com"),
        ("pingtas.qq.com", "tencent-computer-systems", "qq.com"),
        ("hm.baidu.com", "baidu-tongji", "hm.baidu.com"),
        ("wcs.naver.net", "naver-analytics", "wcs.naver.net"),
        ("ssl.pstatic.net", "naver", "pstatic.net"),
        ("t1.kakaocdn.net", "kakao", "kakaocdn.net"),
        ("image7.coupangcdn.com", "coupang", "coupangcdn.com"),
        ("cdn.011st.com", "eleven-street", "011st.com"),
        ("sdk.iad-01.braze.com", "braze", "braze.com"),
        ("abr.ge", "ab180", "abr.ge"),
        ("api2.branch.io", "branch", "branch.io"),
        ("mc.yandex.ru", "yandex-metrica", "mc.yandex.ru"),
    ],
)
def test_match_takes_the_longest_suffix_on_label_boundaries(
    host: str, organisation: str, suffix: str
) -> None:
    found = TABLE.match(host)
    assert found is not None, host
    assert (found[0].id, found[1]) == (organisation, suffix)


@pytest.mark.parametrize(
    "host",
    ["notalicdn.com", "alicdn.com.evil.example", "com", "", "8.8.8.8", "[2001:db8::1]", "shop.example"],
)
def test_match_refuses_lookalikes_and_ip_literals(host: str) -> None:
    assert TABLE.match(host) is None


@pytest.mark.parametrize(
    ("organisation", "top"),
    [
        ("doubleclick", "alphabet"),
        ("crashlytics", "alphabet"),
        ("whaleco-technology", "pdd-holdings"),
        ("pinduoduo", "pdd-holdings"),
        ("aliexpress", "alibaba-group"),
        ("umeng", "alibaba-group"),
        ("alipay", "ant-group"),
        ("tiktok-ads", "bytedance"),
        ("tenpay", "tencent"),
        ("kakao-pay", "kakao"),
        ("woowa", "delivery-hero"),
        ("coupang", "coupang-inc"),
        ("chartboost", "take-two"),
        ("criteo", "criteo"),
    ],
)
def test_parents_roll_up_to_the_top(organisation: str, top: str) -> None:
    row = TABLE.get(organisation)
    assert row is not None
    assert TABLE.top_parent(row).id == top


@pytest.mark.parametrize(
    ("organisation", "country"),
    [
        ("pdd-holdings", "KY"),  # incorporated in the Cayman Islands; executive offices in Dublin
        ("whaleco-technology", "IE"),
        ("whaleco-inc", "US"),
        ("aliexpress", "SG"),
        ("alibaba-group", "KY"),
        ("tiktok", "SG"),
        ("bytedance", "KY"),
        ("shein", "SG"),
        ("coupang", "KR"),
        ("coupang-inc", "US"),
        ("ab180", "KR"),
    ],
)
def test_key_seats(organisation: str, country: str) -> None:
    row = TABLE.get(organisation)
    assert row is not None and row.country == country


def test_notes_say_why_a_seat_is_recorded() -> None:
    pdd = TABLE.get("pdd-holdings")
    assert pdd is not None and "Dublin" in TABLE.note(pdd)
    mintegral = TABLE.get("mintegral")
    assert mintegral is not None and "not confirmed" in TABLE.note(mintegral)


def test_cycles_and_unknown_parents_stop_the_roll_up() -> None:
    table = OrganisationTable([org("a", parent="b"), org("b", parent="a"), org("c", parent="gone")], "t")
    a, c = table.get("a"), table.get("c")
    assert a is not None and c is not None
    assert [row.id for row in table.chain(a)] == ["a", "b"]
    assert table.top_parent(c).id == "c"


def test_first_row_claiming_a_suffix_wins_and_lookups_are_by_id() -> None:
    table = OrganisationTable([org("a", domains=("x.example",)), org("b", domains=("x.example",))], "t")
    assert table.suffixes() == {"x.example": "a"}
    assert "a" in table and table.get("zzz") is None


def test_version_names_date_size_and_digest_and_loading_is_cached() -> None:
    assert TABLE.version.startswith(f"organisations 2026-11-28, {len(TABLE)} rows, sha256 ")
    assert load_organisations() is TABLE


def test_read_csv_refuses_other_columns() -> None:
    with pytest.raises(ValueError, match="columns must be"):
        read_csv("id,name\nx,y\n")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("WWW.Example.COM.", "www.example.com"),
        ("테스트.한국", "xn--9t4b11yi5a.xn--3e0b707e"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
    ],
)
def test_ascii_host(host: str, expected: str) -> None:
    assert ascii_host(host) == expected
