"""The data-type vocabulary: its integrity, its legal classes, and the policy words that find each type."""

from __future__ import annotations

import json

import pytest

from privprobe.facts import DataType, LegalClass
from privprobe.reference.data_types import (
    DataTypeTable,
    load_data_types,
    normalise_term,
    problems,
    read_json,
)

TABLE = load_data_types()

REQUIRED = [
    "contact.email",
    "contact.phone",
    "identity.name",
    "identity.birth_date",
    "identity.gender",
    "identity.age",
    "identity.rrn",
    "identity.foreigner_no",
    "identity.passport",
    "identity.driver_licence",
    "identity.nationality",
    "identity.photo",
    "customs.pccc",
    "address.postal",
    "address.delivery",
    "account.login_id",
    "account.password",
    "device.ad_id",
    "device.android_id",
    "device.idfv",
    "device.imei",
    "device.mac",
    "device.serial",
    "device.model",
    "device.os",
    "device.fingerprint",
    "online.ip",
    "online.cookie_id",
    "online.user_id",
    "online.user_agent",
    "online.browsing_history",
    "online.search_history",
    "location.precise",
    "location.coarse",
    "commerce.order",
    "commerce.purchase_history",
    "commerce.payment_card",
    "commerce.payment_info",
    "financial.account",
    "financial.credit",
    "contacts.address_book",
    "media.photos",
    "media.voice",
    "usage.app_list",
    "usage.clipboard",
    "social.friends",
    "biometric.face",
    "biometric.fingerprint",
    "sensitive.health",
    "sensitive.religion_beliefs",
    "sensitive.political",
    "sensitive.union",
    "sensitive.sex_life",
    "sensitive.genetic",
    "sensitive.criminal",
    "sensitive.race_ethnicity",
    "children.age_under_14",
]


def test_the_shipped_vocabulary_passes_every_check() -> None:
    assert len(TABLE) >= 60
    assert problems(TABLE) == []
    assert TABLE.version.startswith("data_types 2026-11-28, ")


def test_it_covers_the_types_rules_and_detectors_need() -> None:
    assert [id for id in REQUIRED if id not in TABLE] == []


def test_ids_are_unique_in_the_file() -> None:
    from importlib.resources import files

    entries = json.loads(files("privprobe.reference").joinpath("data_types.json").read_text("utf-8"))["types"]
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids)) == len(TABLE)


def test_every_type_is_complete() -> None:
    for data_type in TABLE:
        assert isinstance(data_type.legal_class, LegalClass), data_type.id
        assert data_type.name_ko and data_type.name_en and data_type.name_zh, data_type.id
        assert data_type.synonyms and data_type.description, data_type.id


@pytest.mark.parametrize("legal_class", list(LegalClass), ids=str)
def test_every_legal_class_has_a_type(legal_class: LegalClass) -> None:
    assert TABLE.by_class(legal_class)


@pytest.mark.parametrize(
    ("id", "legal_class"),
    [
        ("identity.rrn", LegalClass.RRN),
        ("identity.foreigner_no", LegalClass.UNIQUE_IDENTIFIER),
        ("identity.passport", LegalClass.UNIQUE_IDENTIFIER),
        ("identity.driver_licence", LegalClass.UNIQUE_IDENTIFIER),
        ("customs.pccc", LegalClass.GENERAL),  # not among Decree Art. 19's four numbers
        ("biometric.face", LegalClass.SENSITIVE),
        ("biometric.fingerprint", LegalClass.SENSITIVE),
        ("sensitive.genetic", LegalClass.SENSITIVE),
        ("sensitive.race_ethnicity", LegalClass.SENSITIVE),
        ("identity.photo", LegalClass.GENERAL),  # biometric only when processed to identify
        ("device.ad_id", LegalClass.GENERAL),
        ("children.age_under_14", LegalClass.GENERAL),  # Art. 22-2, not a class of its own
    ],
)
def test_legal_classes_follow_the_act_and_decree(id: str, legal_class: LegalClass) -> None:
    assert TABLE[id].legal_class is legal_class


def test_the_pccc_description_says_why_it_is_general() -> None:
    assert "Art. 19" in TABLE["customs.pccc"].description


# Words as Korean, English and Chinese privacy policies write them (spacing and case as found).
@pytest.mark.parametrize(
    ("word", "ids"),
    [
        ("이메일", ["contact.email"]),
        ("전자우편 주소", ["contact.email"]),
        ("E-mail Address", ["contact.email"]),
        ("电子邮箱", ["contact.email"]),
        ("휴대폰번호", ["contact.phone"]),
        ("휴대폰  번호", ["contact.phone"]),
        ("Mobile Phone Number", ["contact.phone"]),
        ("手机号码", ["contact.phone"]),
        ("성명", ["identity.name"]),
        ("真实姓名", ["identity.name"]),
        ("생년월일", ["identity.birth_date"]),
        ("주민번호", ["identity.rrn"]),
        ("주민등록번호", ["identity.rrn"]),
        ("身份证号码", ["identity.rrn"]),
        ("외국인등록번호", ["identity.foreigner_no"]),
        ("Alien Registration Number", ["identity.foreigner_no"]),
        ("여권번호", ["identity.passport"]),
        ("护照号", ["identity.passport"]),
        ("운전면허 번호", ["identity.driver_licence"]),
        ("개인통관고유부호", ["customs.pccc"]),
        ("개인 통관 고유 부호", ["customs.pccc"]),
        ("PCCC", ["customs.pccc"]),
        ("个人通关号码", ["customs.pccc"]),
        ("배송지 주소", ["address.delivery"]),
        ("收货地址", ["address.delivery"]),
        ("Shipping Address", ["address.delivery"]),
        ("광고 식별자", ["device.ad_id"]),
        ("광고ID", ["device.ad_id"]),
        ("IDFA", ["device.ad_id"]),
        ("广告标识符", ["device.ad_id"]),
        ("IMEI", ["device.imei"]),
        ("手机串号", ["device.imei"]),
        ("MAC 주소", ["device.mac"]),
        ("접속 IP 정보", ["online.ip"]),
        ("IP地址", ["online.ip"]),
        ("쿠키", ["online.cookie_id"]),
        ("서비스 이용 기록", ["online.access_log"]),
        ("검색어", ["online.search_history"]),
        ("经纬度", ["location.precise"]),
        ("위치정보", ["location.precise", "location.coarse"]),
        ("Location Information", ["location.precise", "location.coarse"]),
        ("카드번호", ["commerce.payment_card"]),
        ("信用卡号", ["commerce.payment_card"]),
        ("결제수단", ["commerce.payment_info"]),
        ("환불 계좌", ["financial.account"]),
        ("주소록", ["contacts.address_book"]),
        ("通讯录", ["contacts.address_book"]),
        ("연락처", ["contact.phone", "contacts.address_book"]),
        ("联系方式", ["contact.email", "contact.phone"]),
        ("설치된 앱 목록", ["usage.app_list"]),
        ("剪贴板", ["usage.clipboard"]),
        ("안면 인식 정보", ["biometric.face"]),
        ("人脸信息", ["biometric.face"]),
        ("지문", ["biometric.fingerprint"]),
        ("device fingerprint", ["device.fingerprint"]),
        ("건강 정보", ["sensitive.health"]),
        ("사상ㆍ신념", ["sensitive.religion_beliefs"]),  # U+318D as the middle dot
        ("성적 지향", ["sensitive.sex_life"]),
        ("犯罪记录", ["sensitive.criminal"]),
        ("만 14세 미만 아동", ["children.age_under_14"]),
        ("法定代理人信息", ["children.guardian"]),
        ("연계정보", ["identity.ci"]),
        ("no such data", []),
    ],
)
def test_by_synonym_finds_types_from_policy_words(word: str, ids: list[str]) -> None:
    assert sorted(t.id for t in TABLE.by_synonym(word)) == sorted(ids)


def test_names_are_terms_too() -> None:
    for data_type in TABLE:
        for name in (data_type.name_ko, data_type.name_en, data_type.name_zh):
            assert data_type in TABLE.by_synonym(name), (data_type.id, name)


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("E-Mail  Address ", "e-mail address"),
        ("휴대폰 번호", "휴대폰번호"),
        ("IP 地址", "ip地址"),
        ("사상ㆍ신념", "사상·신념"),
        ("ＩＤＦＡ", "idfa"),  # full-width letters (NFKC)
    ],
)
def test_normalise_term(text: str, normalised: str) -> None:
    assert normalise_term(text) == normalised


def test_a_shared_term_must_be_listed() -> None:
    email = DataType("a.email", LegalClass.GENERAL, "이메일", "e-mail", "邮箱", ("mail",), "d")
    post = DataType("a.post", LegalClass.GENERAL, "우편", "post", "邮件", ("Mail",), "d")
    assert problems(DataTypeTable([email, post], "t")) == [
        "term 'mail' is used by a.email and a.post; list it in shared_synonyms with the reason"
    ]
    assert problems(DataTypeTable([email, post], "t", {"mail": "both"})) == []
    assert problems(DataTypeTable([email], "t", {"mail": "both"})) == [
        "shared_synonyms lists 'mail' but only a.email uses it"
    ]


@pytest.mark.parametrize(
    ("entry", "fault"),
    [
        ({"id": "Bad", "description": "d"}, "Bad: id is not dotted lower-case (family.name)"),
        ({"name_zh": ""}, "a.b: empty name_zh"),
        ({"legal_class": "sensitive", "description": "no reference"}, "a.b: sensitive type without 'Art. N'"),
    ],
)
def test_problems_names_each_fault(entry: dict[str, str], fault: str) -> None:
    values = {"id": "a.b", "legal_class": "general", "name_ko": "가", "name_en": "a", "name_zh": "甲"}
    values["description"] = "d"
    values.update(entry)
    types, _, _ = read_json(json.dumps({"types": [values]}))
    assert any(p.startswith(fault) for p in problems(DataTypeTable(types, "t"))), problems(
        DataTypeTable(types, "t")
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("[]", "a JSON object with a 'types' list"),
        ('{"types": [{"id": "a.b"}]}', "lacks one of the text fields"),
        (
            '{"types": [{"id": "a.b", "legal_class": "secret", "name_ko": "", "name_en": "", "name_zh": ""}]}',
            "a.b: legal_class 'secret' is not one of general, sensitive, unique_identifier, rrn",
        ),
    ],
)
def test_read_json_rejects_malformed_files(document: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_json(document)


def test_lookup() -> None:
    assert TABLE.get("contact.email") is TABLE["contact.email"]
    assert TABLE.get("nothing") is None and "nothing" not in TABLE
    with pytest.raises(KeyError, match="'nothing' is not a data type of data_types"):
        TABLE["nothing"]
    assert TABLE.terms()["idfa"] == ("device.ad_id",)
