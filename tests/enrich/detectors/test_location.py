"""Coordinates by key name: precision from the decimals, pairing with siblings, range checks."""

from __future__ import annotations

import pytest

from privprobe.enrich.detectors.location import COARSE, PRECISE, role_of
from tests.enrich.detectors import detect, values

# Invented points in Seoul (latitude about 37.5, longitude about 127.0).
LAT, LNG = "37.551234", "126.991234"


@pytest.mark.parametrize(
    ("text", "key", "siblings", "confidence", "why"),
    [
        (
            LAT,
            "lat",
            {"lng": LNG},
            0.9,
            "key 'lat' and a latitude with 6 decimals (under 1 m), paired with sibling 'lng'",
        ),
        (LNG, "lng", {"lat": LAT}, 0.9, "a longitude with 6 decimals (under 1 m), paired with sibling 'lat'"),
        (LAT, "latitude", {"longitude": LNG, "acc": "12"}, 0.9, "paired with sibling 'longitude'"),
        (LAT, "user_lat", {"user_lon": LNG}, 0.9, "paired with sibling 'user_lon'"),
        (LAT, "위도", {"경도": LNG}, 0.9, "paired with sibling '경도'"),
        ("37.5512", "lat", {"lng": "126.9912"}, 0.9, "4 decimals (about 11 m)"),
        ("-33.8688", "lat", {}, 0.6, "a latitude with 4 decimals (about 11 m), no longitude sibling"),
        (LNG, "long", {}, 0.6, "no latitude sibling"),
        (LAT, "lat", {"lng": "abc"}, 0.6, "no longitude sibling"),  # the sibling is no coordinate
        (f"{LAT},{LNG}", "latlng", {}, 0.9, "key 'latlng' and a latitude/longitude pair with 6 decimals"),
        (f"{LAT}, {LNG}", "ll", {}, 0.9, "pair with 6 decimals"),
        (f"{LNG},{LAT}", "coordinates", {}, 0.9, "pair"),  # GeoJSON order
        (f"{LAT};{LNG}", "lat_lng", {}, 0.9, "pair"),
        (
            "126.99123456",
            "x",
            {"y": "37.55123456"},
            0.5,
            "key 'x' with sibling 'y', both with 4 or more decimals",
        ),
        ("37.55123456", "Y", {"X": "126.99123456"}, 0.5, "key 'Y' with sibling 'x'"),
    ],
)
def test_precise_coordinates_found(
    text: str, key: str, siblings: dict[str, str], confidence: float, why: str
) -> None:
    [found] = detect(PRECISE, text, key, siblings=siblings)
    assert found.value == text.strip() and found.confidence == confidence
    assert why in found.explanation
    assert values(COARSE, text, key, siblings=siblings) == []


@pytest.mark.parametrize(
    ("text", "key", "siblings", "confidence", "why"),
    [
        ("37.55", "lat", {"lng": "126.99"}, 0.9, "2 decimals (about 1.1 km), paired with sibling 'lng'"),
        ("37.551", "lat", {}, 0.6, "3 decimals (about 110 m), no longitude sibling"),
        ("127.0", "lon", {}, 0.6, "1 decimals (about 11 km)"),
        ("37.55,126.99", "location", {}, 0.9, "pair with 2 decimals"),
        (
            f"{LAT},126.99",
            "gps",
            {},
            0.9,
            "pair with 2 decimals",
        ),  # the pair is as precise as its coarser half
    ],
)
def test_coarse_coordinates_found(
    text: str, key: str, siblings: dict[str, str], confidence: float, why: str
) -> None:
    [found] = detect(COARSE, text, key, siblings=siblings)
    assert (found.value, found.confidence) == (text, confidence) and why in found.explanation
    assert values(PRECISE, text, key, siblings=siblings) == []


@pytest.mark.parametrize(
    ("text", "key", "siblings"),
    [
        (LAT, None, {}),  # a decimal number alone is a price, a version, a score
        (LAT, "price", {}),
        ("10.1234", "version", {}),
        ("91.5", "lat", {}),  # out of range
        ("181.2", "lng", {}),
        ("-90.0001", "latitude", {}),
        ("0.0", "lat", {"lng": "0.0"}),  # the usual "no fix" default
        ("37", "lat", {"lng": "127"}),  # whole degrees
        ("abc", "lat", {}),
        ("37.5512 N", "lat", {}),
        ("126.99123456", "x", {}),  # x/y only as a pair of siblings
        ("512.25", "x", {"y": "384.75"}),  # screen position
        ("12.5", "x", {"y": "30.25"}),  # too few decimals for x/y
        ("126.99123456", "x", {"y": "137.55123456"}),  # y is no latitude
        ("37.5,200.1", "latlng", {}),
        ("37.551234", "latlng", {}),  # a pair key with one number
        ("https://shop.example/37.5512,126.9912", "location", {}),
        ("37.551234", "template", {}),  # 'lat' inside a word is no key
        ("37.551234", "platform", {}),
    ],
)
def test_not_coordinates(text: str, key: str | None, siblings: dict[str, str]) -> None:
    assert values(PRECISE, text, key, siblings=siblings) == []
    assert values(COARSE, text, key, siblings=siblings) == []


@pytest.mark.parametrize(
    ("key", "role"),
    [
        ("lat", "latitude"),
        ("deviceLatitude", "latitude"),
        ("location_lat", "latitude"),
        ("lng", "longitude"),
        ("LONGITUDE", "longitude"),
        ("latlng", "pair"),
        ("lat_lng", "pair"),
        ("coordinates", "pair"),
        ("x", "x"),
        ("y", "y"),
        ("xy", None),
        ("offset_x", None),
        ("platform", None),
    ],
)
def test_key_roles(key: str, role: str | None) -> None:
    assert role_of(key) == role
