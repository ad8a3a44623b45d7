"""Facts that enrich and declared add to the evidence, without judging it.

`DataType` is an entry of the shared vocabulary of personal data (``reference/data_types.json``),
used alike by detectors, the policy reader and the law rules. `DataHit` says that one flow carried
one piece of personal data: which, where, how encoded, found by what, and how sure.

`Organisation` is a row of the reference table (who runs a domain, where it is based). `Destination`
says, for one host contacted in a case, which organisation runs it, in which country its servers and
its organisation are, whether it is first or third party, and how each of those was established.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from privprobe.model import FlowId


class Party(StrEnum):
    """Whether a host belongs to the controller under investigation."""

    FIRST = "first"
    THIRD = "third"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Organisation:
    """A company or body that operates domains, from the reference table or an imported tracker list."""

    id: str
    """Stable slug, e.g. ``google``, ``alibaba-aliexpress``."""
    name: str
    """Legal or common name, e.g. ``Google LLC``."""
    country: str
    """ISO 3166-1 alpha-2 home country of the organisation (registered seat)."""
    category: str
    """What it does for a site or app: advertising, analytics, attribution, cdn, cloud, payments, ..."""
    parent: str | None = None
    """Id of the parent organisation, so reports can roll up (DoubleClick → Google)."""
    domains: tuple[str, ...] = ()
    """Registrable domains (or host suffixes) it operates."""
    source: str = ""
    """Where the facts of this row come from (a public page, a filing)."""
    as_of: str = ""
    """Date the source was read (ISO date)."""


@dataclass(frozen=True, slots=True)
class Destination:
    """Where one host of a case leads: organisation, countries, party, each with how it was known."""

    host: str
    """Host name or IP literal as contacted."""
    registrable_domain: str | None
    """eTLD+1 by the public suffix list; None for IP literals."""
    organisation: Organisation | None
    """Operator of the host, when the reference data knows it."""
    parent: Organisation | None
    """Top-level parent of the organisation (itself when it has none)."""
    attribution: str
    """How the organisation was found (``reference: doubleclick.net → google``) or why not."""
    party: Party
    """First or third party relative to the case's first-party domains."""
    server_ips: tuple[str, ...] = ()
    """Server addresses seen for this host in the case."""
    server_countries: tuple[str, ...] = ()
    """Registration countries of those addresses (not physical location), empty when unknown."""
    server_country_source: str = ""
    """Data set and date behind ``server_countries``, or why unknown."""
    network_owners: tuple[str, ...] = ()
    """Network owners (ASN names) of those addresses."""
    network_source: str = ""
    """Data set and date behind ``network_owners``."""
    leaves_by_server: bool | None = None
    """True when a server address is registered outside the case's jurisdiction; None when unknown."""
    leaves_by_organisation: bool | None = None
    """True when the organisation (or its parent) is based outside the jurisdiction; None when unknown."""
    jurisdiction_evidence: str = ""
    """One sentence saying which facts decided the two flags above."""


class LegalClass(StrEnum):
    """How PIPA classes a type of personal data; the stricter classes need separate consent or a statute."""

    GENERAL = "general"
    SENSITIVE = "sensitive"
    """PIPA Art. 23 and Decree Art. 18: beliefs, health, sex life, genetic, criminal, biometric, race."""
    UNIQUE_IDENTIFIER = "unique_identifier"
    """PIPA Art. 24 and Decree Art. 19: passport, driver's licence and foreigner registration numbers."""
    RRN = "rrn"
    """PIPA Art. 24-2: the resident registration number, processable only where a law allows it."""


@dataclass(frozen=True, slots=True)
class DataType:
    """One type of personal data in the shared vocabulary."""

    id: str
    """Dotted id, e.g. ``contact.email``, ``identity.rrn``, ``device.ad_id``."""
    legal_class: LegalClass
    """Its class under PIPA."""
    name_ko: str
    """Korean name as privacy policies write it (``이메일 주소``)."""
    name_en: str
    """English name (``e-mail address``)."""
    name_zh: str
    """Chinese name (``电子邮件地址``)."""
    synonyms: tuple[str, ...] = ()
    """Other words privacy policies use for it, in any of the three languages."""
    description: str = ""
    """What exactly the type covers, with the legal reference where the class depends on one."""


@dataclass(frozen=True, slots=True)
class DataHit:
    """One piece of personal data found in one flow, with everything needed to show and defend it."""

    flow: FlowId
    """The flow that carried it."""
    data_type: str
    """Its `DataType` id."""
    source: str
    """What found it: ``canary:<name>`` (a known value of the test persona) or ``detector:<name>``."""
    field: str
    """Where in the flow: ``url.path``, ``query.em``, ``header:user-agent``, ``cookie:_fbp``, ``body.user.phone``."""
    encoding: tuple[str, ...]
    """How it was encoded, from the wire inwards: ``("gzip", "json", "base64", "sha256")``; empty when plain."""
    masked: str
    """The value masked for display (``mi***@example.com``); full values stay in the evidence."""
    confidence: float
    """1.0 for a canary; a detector's confidence (0-1) otherwise."""
    explanation: str
    """Why this is a hit, in one sentence (the form matched, the checksum that passed, the key name)."""


class DeclarationKind(StrEnum):
    """What a statement of the controller declares (one privacy-policy record or sentence)."""

    COLLECTS = "collects"
    """Data items collected: ``data_types``, ``required``, ``basis`` (consent or the legal basis)."""
    PURPOSE = "purpose"
    """A purpose of processing (``purpose``), with the items it uses when the policy says so."""
    RETAINS = "retains"
    """A retention period (``retention``) for some items or a purpose; ``basis`` names a statute."""
    PROVIDES = "provides"
    """Provision to a third party (제3자 제공): recipient, country, items, purpose, retention."""
    ENTRUSTS = "entrusts"
    """Entrustment to a trustee (처리위탁): recipient, country, entrusted work in ``purpose``;
    a sub-trustee (재위탁) names its trustee in ``parent``."""
    TRANSFERS_ABROAD = "transfers_abroad"
    """Overseas transfer (국외 이전): the five items of PIPA Art. 28-8(2) and the legal ground."""
    STORES_IN = "stores_in"
    """Where the data is stored or processed (``countries``), e.g. a cloud region."""
    DOMESTIC_AGENT = "domestic_agent"
    """The domestic agent of Art. 31-2: ``recipient`` is its name, with address, phone, e-mail."""
    PRIVACY_OFFICER = "privacy_officer"
    """The privacy officer (개인정보 보호책임자) or responsible department and its contact."""
    AUTOMATIC_COLLECTION = "automatic_collection"
    """Cookies, SDKs and similar tools (``recipient`` when a third party runs one); ``refusal``."""
    RIGHTS = "rights"
    """The data subject's rights and how to exercise them (``purpose`` holds the means)."""


@dataclass(frozen=True, slots=True)
class PolicySpan:
    """Where a declaration is written: a character range of one normalised policy text."""

    document: str
    """SHA-256 of the policy file as captured (the evidence file)."""
    section: str | None
    """Anchor of the section (``제7조``, ``제3조/가``), None before the first heading."""
    start: int
    """Offset of the first character in the normalised text."""
    end: int
    """Offset just past the last character."""


@dataclass(frozen=True, slots=True)
class Declaration:
    """One thing the controller states it does, in the shared vocabulary, with where it says so.

    Fields a statement does not mention stay empty: an empty ``contact`` on an overseas transfer is
    exactly what the Art. 28-8(2) checklist reports missing.
    """

    kind: DeclarationKind
    """What is declared."""
    source: PolicySpan
    """The sentence, list item or table record that says it."""
    data_types: tuple[str, ...] = ()
    """`DataType` ids of the items concerned, in order of mention."""
    items: str = ""
    """The items as written (``이름, 휴대전화번호, 배송지 주소``), including words no type matched."""
    required: bool | None = None
    """For ``collects``: True for required (필수), False for optional (선택), None when not said."""
    basis: str = ""
    """The legal basis or ground as written (``정보주체의 동의``, ``전자상거래법``), empty when not said."""
    ground: str = ""
    """The basis in the law's terms when recognised: ``consent``, ``without_consent``, ``contract``,
    ``statute``, ``legitimate_interest``, ``certification``, ``adequacy``; empty when not said."""
    recipient: str = ""
    """The recipient, trustee, agent or officer as named in the text."""
    organisation: str | None = None
    """Id of the recipient in the organisation table (``google``), None when not matched."""
    vague: bool = False
    """The recipient is a category, not a name (``광고 파트너``, ``service providers``)."""
    parent: str = ""
    """For a sub-trustee: the trustee it works for, as named."""
    countries: tuple[str, ...] = ()
    """ISO 3166-1 alpha-2 codes of the countries named; ``ZZ`` for "worldwide" and the like."""
    country_text: str = ""
    """The countries as written."""
    purpose: str = ""
    """The purpose, or for a trustee the entrusted work, as written."""
    retention: str = ""
    """The retention period as written."""
    time_method: str = ""
    """For an overseas transfer: when and how (``주문 시 네트워크를 통한 전송``)."""
    contact: str = ""
    """E-mail, phone or other contact of the recipient, agent or officer."""
    address: str = ""
    """Postal address (domestic agent, recipient), as written."""
    refusal: str = ""
    """How to refuse and what refusing costs, as written."""
