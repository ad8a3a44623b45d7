"""The built-in set: registered through the entry point, each on a known data type; and the rules of
`PatternDetector` every family relies on (key matching, the confidence table, the explanation)."""

from __future__ import annotations

import importlib
import json
import re
import sys

import pytest

from privprobe.enrich.detectors import BUILTIN
from privprobe.enrich.detectors.base import PatternDetector, key_matches, key_words, luhn_valid
from privprobe.enrich.personal_data import Triggers
from privprobe.plugins import Detector, Registry
from privprobe.reference.data_types import load_data_types
from tests.enrich.detectors import detect, field


def test_the_registry_loads_every_builtin_detector_from_the_entry_point() -> None:
    registry = Registry.from_entry_points()
    for detector in BUILTIN:
        assert registry.detectors[detector.name] is detector  # type: ignore[comparison-overlap]


def test_names_are_unique_and_listed_in_the_package_docstring() -> None:
    import privprobe.enrich.detectors as package

    names = [detector.name for detector in BUILTIN]
    assert len(names) == len(set(names))
    assert re.findall(r"^``(\w+)``", package.__doc__ or "", re.MULTILINE) == names


@pytest.mark.parametrize("detector", BUILTIN, ids=lambda detector: detector.name)
def test_each_detector_keeps_the_contract(detector: Detector) -> None:
    assert isinstance(detector, Detector)
    assert detector.data_type in load_data_types(), f"{detector.name}: unknown data type {detector.data_type}"
    assert list(detector.detect(field(""))) == []
    assert list(detector.detect(field("nothing personal here, version 1.2.3, at 2024-06-01T12:00:00Z"))) == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("phone", ("phone",)),
        ("userPhoneNo", ("user", "phone", "no")),
        ("X-Forwarded-For", ("x", "forwarded", "for")),
        ("IPAddress", ("ip", "address")),
        ("device_IMEI", ("device", "imei")),
        ("휴대폰번호", ("휴대폰번호",)),
    ],
)
def test_key_words(key: str, expected: tuple[str, ...]) -> None:
    assert key_words(key) == expected


@pytest.mark.parametrize(
    ("key", "names", "matches"),
    [
        ("phone", {"phone"}, True),
        ("PHONE", {"phone"}, True),
        ("user_phone", {"phone"}, True),
        ("phoneNumber", {"phone"}, True),
        ("telephone", {"phone"}, True),  # five letters or more match inside a word
        ("tel_no", {"tel"}, True),
        ("hotel", {"tel"}, False),  # short names match whole words only
        ("zip", {"ip"}, False),
        ("client_ip", {"ip"}, True),
        ("googleAdvertisingId", {"advertising_id"}, True),
        ("휴대폰번호", {"휴대폰"}, True),  # Korean names match inside a key
        ("주소", {"휴대폰"}, False),
        ("", {"phone"}, False),
    ],
)
def test_key_matches(key: str, names: set[str], matches: bool) -> None:
    assert key_matches(key, frozenset(names)) is matches


def test_luhn() -> None:
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")


# A detector made of data for the confidence table: "A" + digits; validator by the last digit.
def _verdict(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value[-1])


TOY = PatternDetector(
    name="toy",
    data_type="online.user_id",
    pattern=re.compile(r"A(?P<digits>\d{3})"),
    keyed_pattern=re.compile(r"[Aa](?P<digits>\d{3})"),
    explanation="toy form {digits}{detail}",
    key_names=frozenset({"toy"}),
    validator=_verdict,
    describe=lambda value: f", ends in {value[-1]}",
    confidence_with_key=0.9,
    confidence_without_key=0.6,
    confidence_unverified=0.4,
)


@pytest.mark.parametrize(
    ("text", "key", "confidence", "explanation"),
    [
        ("A121", "toy", 0.9, "key 'toy' and toy form 121, ends in 1"),
        ("A121", None, 0.6, "toy form 121, ends in 1, without a context key"),
        ("A125", "toy", 0.4, "key 'toy' and toy form 125, ends in 5"),  # validator cannot tell
        ("A125", None, None, None),  # cannot tell, no key: not reported
        ("A120", "toy", None, None),  # validator says no
        ("a121", "toy", 0.9, "key 'toy' and toy form 121, ends in 1"),  # the keyed pattern
        ("a121", None, None, None),
    ],
)
def test_the_confidence_table(
    text: str, key: str | None, confidence: float | None, explanation: str | None
) -> None:
    found = detect(TOY, text, key)
    if confidence is None:
        assert found == []
    else:
        [hit] = found
        assert (hit.start, hit.end, hit.value) == (0, 4, text)
        assert (hit.confidence, hit.explanation) == (confidence, explanation)


def test_requires_key_and_prefilter() -> None:
    strict = PatternDetector(
        name="strict",
        data_type="online.user_id",
        pattern=re.compile(r"(?P<value>A\d{3})!"),
        explanation="x",
        key_names=frozenset({"toy"}),
        requires_key=True,
        prefilter=re.compile("!"),
    )
    assert [hit.value for hit in detect(strict, "A121!", "toy")] == ["A121"]  # the value group, not the match
    assert detect(strict, "A121!", None) == []
    assert detect(strict, "A121", "toy") == []


# --- triggers: what the Scanner searches before it offers a field to a detector -------------------------

FAMILIES = ("contact", "device", "identity", "location", "network", "payment")


def _table_rows() -> list[tuple[str, str | None, dict[str, str], str | None]]:
    """Every (text, key, siblings, client address) of the families' parametrized tables, found and not."""
    rows = []
    for family in FAMILIES:
        module = importlib.import_module(f"tests.enrich.detectors.test_{family}")
        for test in vars(module).values():
            for mark in getattr(test, "pytestmark", []):
                if mark.name != "parametrize":
                    continue
                names = (
                    [name.strip() for name in mark.args[0].split(",")]
                    if isinstance(mark.args[0], str)
                    else list(mark.args[0])
                )
                if "text" not in names:
                    continue
                for row in mark.args[1]:
                    values = row.values if hasattr(row, "values") else row if len(names) > 1 else (row,)
                    given = dict(zip(names, values, strict=True))
                    rows.append(
                        (given["text"], given.get("key"), given.get("siblings") or {}, given.get("client"))
                    )
    return rows


ROWS = _table_rows()


def test_the_tables_are_harvested() -> None:
    assert len(ROWS) > 200


@pytest.mark.parametrize("engine", ["hyperscan", "re"])
def test_a_trigger_never_hides_a_detection_in_the_tables(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine == "re":
        monkeypatch.setitem(sys.modules, "hyperscan", None)  # `import hyperscan` fails: re only
    else:
        pytest.importorskip("hyperscan")
    triggers = Triggers(BUILTIN)
    assert not triggers.always and triggers.contained
    checked = 0
    for text, key, siblings, client in ROWS:
        offered = triggers.offered(triggers.find(text.encode()), key)
        # A document holding the value meets the value's trigger too (so its values get listed).
        document = triggers.find(json.dumps({"k": text, "n": 1}, ensure_ascii=False).encode())
        for index, detector in enumerate(BUILTIN):
            if detect(detector, text, key, siblings, client):
                checked += 1
                assert index in offered, (detector.name, text, key)
                assert index in document, (detector.name, text)
    assert checked > 120


@pytest.mark.parametrize("detector", BUILTIN, ids=lambda detector: detector.name)
def test_every_builtin_detector_has_a_trigger(detector: Detector) -> None:
    trigger = getattr(detector, "trigger", None)
    assert isinstance(trigger, str) and re.compile(trigger).search("") is None
    hyperscan = pytest.importorskip("hyperscan")
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=[trigger.encode()], flags=[hyperscan.HS_FLAG_SINGLEMATCH])


@pytest.mark.parametrize(
    ("key", "offered"),
    [
        ("imei", True),
        ("deviceIMEI", True),
        ("device_imei", True),
        ("Imei1", True),
        ("order_no", False),
        (None, False),
    ],
)
def test_a_key_trigger_follows_key_matches(key: str | None, offered: bool) -> None:
    imei = next(detector for detector in BUILTIN if detector.name == "imei")
    triggers = Triggers([imei])
    assert bool(triggers.offered(triggers.find(b"352099001761481"), key)) is offered


def test_an_unkeyed_trigger_lets_the_strict_form_through_without_a_key() -> None:
    mobile = next(detector for detector in BUILTIN if detector.name == "kr_mobile")
    triggers = Triggers([mobile])
    assert triggers.offered(triggers.find(b"010-9876-5432"), "memo") == [0]
    assert triggers.offered(triggers.find(b"01098765432"), "memo") == []
    assert triggers.offered(triggers.find(b"01098765432"), "phone") == [0]
