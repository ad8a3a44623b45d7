"""Builders for check and rule tests: destinations, hits, declarations and a `CaseView`, no store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from privprobe.assess.case_facts import CaseFacts
from privprobe.assess.view import CaseView, FlowInfo
from privprobe.declared.policy import Document, Reading, extract, load_policy
from privprobe.facts import DataHit, Declaration, DeclarationKind, Destination, Party, PolicySpan
from privprobe.model import Case, FlowId
from privprobe.reference import load_organisations
from tests.builders import make_case

SPAN = PolicySpan("0" * 64, "제1조", 0, 10)
"""Where the built declarations are "written": a dummy span of a dummy policy."""

PURPOSES = ("개인정보의 처리 목적", "회사는 상품 주문과 배송, 회원 관리를 위하여 개인정보를 처리합니다.")
ITEMS = ("처리하는 개인정보의 항목", "회원 가입 시 이름, 이메일, 휴대전화번호를 필수로 수집합니다.")
ZENDESK = ("개인정보 처리업무의 위탁", "회사는 고객 상담 업무를 미국에 있는 Zendesk, Inc.에 위탁합니다.")
AWS_TRUSTEE = (
    "개인정보 처리업무의 위탁",
    """| 수탁자 | 위탁 업무 |
|---|---|
| Amazon Web Services, Inc. | 주문 정보 보관 |""",
)
AWS_TRANSFER = (
    "개인정보의 국외 이전",
    """회사는 「개인정보 보호법」 제28조의8제1항제3호에 따라 다음과 같이 개인정보를 국외로 이전합니다.

| 이전받는 자 | 연락처 | 이전되는 국가 | 이전 일시 및 방법 | 이전되는 개인정보 항목 | 이용 목적 및 보유·이용 기간 |
|---|---|---|---|---|---|
| Amazon Web Services, Inc. | aws-korea-privacy@amazon.com | 미국 | 서비스 이용 시 수시로 네트워크를 통한 전송 | 이름, 이메일, 휴대전화번호 | 데이터 보관 / 회원 탈퇴 시까지 |

정보주체는 개인정보 보호책임자에게 이메일로 국외 이전을 거부할 수 있으며, 거부하는 경우 주문할 수 없습니다.""",
)
"""All five items of Art. 28-8(2) and the ground (28-8(1)3) for AWS in the US."""
OFFICER = ("개인정보 보호책임자", "성명: 김담당, 전화: 02-0000-5678, 이메일: privacy@shop.example")


def seller_provision(ground: str) -> tuple[str, str]:
    """Seller Co in China receives delivery data on ``ground`` as written (``정보주체의 별도 동의``)."""
    return (
        "개인정보의 제3자 제공",
        f"""| 제공받는 자 | 제공받는 자의 국가 | 제공 목적 | 제공 항목 | 보유 기간 | 제공 근거 |
|---|---|---|---|---|---|
| Seller Co | 중국 | 상품 배송 | 이름, 배송지 주소, 휴대전화번호 | 배송 완료 후 3개월 | {ground} |""",
    )


def policy_text(*sections: tuple[str, str]) -> str:
    """A Korean policy in Markdown of the demo shop, with ``sections`` (title, body) as 제1조, 제2조 ..."""
    body = "\n\n".join(f"## 제{n}조 ({title})\n\n{text}" for n, (title, text) in enumerate(sections, 1))
    return f'# 개인정보 처리방침\n\n데모샵(이하 "회사")은 이용자의 개인정보를 소중히 여깁니다.\n\n{body}\n'


KO_POLICY = policy_text(PURPOSES, ITEMS, ZENDESK, OFFICER)
"""A short policy: purposes, items, one trustee abroad (Zendesk, US), the officer; no retention,
rights, overseas-transfer or domestic-agent section."""

Hit = tuple[str, str, str, str]
"""(flow id, host, phase, data type) of one hit, as `view` takes it."""


def destination(
    host: str,
    organisation_id: str | None = None,
    party: Party = Party.THIRD,
    server_countries: tuple[str, ...] = (),
    leaves_by_server: bool | None = None,
    leaves_by_organisation: bool | None = None,
) -> Destination:
    """``host`` run by ``organisation_id`` of the reference table (and its top parent)."""
    table = load_organisations()
    organisation = table.get(organisation_id) if organisation_id else None
    if organisation_id and organisation is None:
        raise KeyError(f"{organisation_id} is not in the organisation table")
    return Destination(
        host=host,
        registrable_domain=".".join(host.split(".")[-2:]),
        organisation=organisation,
        parent=table.top_parent(organisation) if organisation else None,
        attribution=f"test: {host} → {organisation_id}",
        party=party,
        server_countries=server_countries,
        server_country_source="test" if server_countries else "",
        leaves_by_server=leaves_by_server,
        leaves_by_organisation=leaves_by_organisation,
        jurisdiction_evidence=f"test: {host} by organisation {leaves_by_organisation}, by server {leaves_by_server}",
    )


def hit(flow: str, data_type: str, field: str = "query.x", masked: str = "x***") -> DataHit:
    """A canary hit of ``data_type`` in ``flow``."""
    return DataHit(
        flow=FlowId(flow),
        data_type=data_type,
        source="canary:test",
        field=field,
        encoding=(),
        masked=masked,
        confidence=1.0,
        explanation=f"the test persona's {data_type}",
    )


def declaration(
    kind: DeclarationKind,
    recipient: str = "",
    organisation: str | None = None,
    countries: tuple[str, ...] = (),
    data_types: tuple[str, ...] = (),
    vague: bool = False,
    ground: str = "",
    **fields: Any,
) -> Declaration:
    """A declaration of ``kind`` written at a dummy span; ``fields`` sets any other field."""
    return Declaration(
        kind=kind,
        source=SPAN,
        recipient=recipient,
        organisation=organisation,
        countries=countries,
        data_types=data_types,
        vague=vague,
        ground=ground,
        **fields,
    )


def reading(folder: Path, text: str = KO_POLICY, name: str = "policy.md") -> Reading:
    """``text`` written to ``folder/name`` and read as a real policy."""
    path = folder / name
    path.write_text(text, "utf-8")
    return extract(load_policy(path))


def view(
    hits: Iterable[Hit] = (),
    destinations: Iterable[Destination] = (),
    declarations: Iterable[Declaration] = (),
    facts: Mapping[str, str] | None = None,
    case: Case | None = None,
    readings: tuple[Reading, ...] = (),
) -> CaseView:
    """A case view of the demo shop: ``hits`` as (flow, host, phase, data type); ``declarations``
    come without a policy (``declarations_extra``), ``readings`` with one."""
    hits = list(hits)
    return CaseView(
        case=case or make_case(),
        facts=CaseFacts.of(facts or {}),
        destinations={d.host: d for d in destinations},
        flows={FlowId(flow): FlowInfo(host, phase) for flow, host, phase, _ in hits},
        hits=tuple(hit(flow, data_type) for flow, _, _, data_type in hits),
        readings=readings,
        declarations_extra=tuple(declarations),
    )


def as_policy(declarations: Iterable[Declaration]) -> Reading:
    """A policy that says exactly ``declarations`` (no text): for checks that read what users were told."""
    document = Document("policy.md", "0" * 64, "text/markdown", "utf-8", "ko", "", (), (), ())
    return Reading(document, {}, tuple(declarations), (), "test")
