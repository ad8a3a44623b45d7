"""Geographic coordinates: ``location.precise`` and ``location.coarse``.

A decimal number is a coordinate only by its key: ``lat``/``latitude``/``위도``/``纬度`` in -90..90,
``lng``/``lon``/``long``/``longitude``/``경도``/``经度`` in -180..180; a pair in one value
(``"37.5665,126.9780"``) under ``latlng``, ``lat_lng``, ``ll``, ``coordinates``, ``location``, ``gps``, ``좌표``, ...;
and ``x``/``y`` (longitude/latitude in GIS order, as Korean map APIs use) only when both are siblings
with four or more decimals, because ``x`` and ``y`` are usually screen positions. The same numbers
without such keys are prices, versions, scores: never reported.

Precision follows the decimals written: the fourth decimal of a degree is about 11 m, so four or more
decimals are ``location.precise``; one to three (about 11 km to 110 m) are ``location.coarse``.
Whole degrees and exact zeros (the usual "no fix" default) are skipped. A coordinate whose partner
(the ``lng`` beside a ``lat``) sits among the field's siblings and is valid too is reported with
higher confidence. Each is one `CoordinateDetector`, configured by precision.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from privprobe.enrich.detectors.base import key_matches, key_trigger, key_words
from privprobe.plugins import Detection, FieldText

LATITUDE_KEYS = frozenset(["lat", "latitude", "위도", "纬度"])
LONGITUDE_KEYS = frozenset(["lng", "lon", "long", "longitude", "경도", "经度"])
PAIR_KEYS = frozenset(
    [
        "latlng",
        "latlon",
        "ll",
        "coordinates",
        "coords",
        "coord",
        "location",
        "loc",
        "geo",
        "geolocation",
        "gps",
        "좌표",
        "위치",
        "坐标",
        "位置",
    ]
)
_NUMBER = re.compile(r"^\s*(?P<value>[-+]?\d{1,3}\.(?P<decimals>\d+))\s*$")
_PAIR = re.compile(
    r"^\s*(?P<value>(?P<a>[-+]?\d{1,3}\.(?P<da>\d+))\s*[,;]\s*(?P<b>[-+]?\d{1,3}\.(?P<db>\d+)))\s*$"
)
_LIMITS = {"latitude": 90.0, "longitude": 180.0}
_METRES = {1: "about 11 km", 2: "about 1.1 km", 3: "about 110 m", 4: "about 11 m", 5: "about 1.1 m"}


def role_of(key: str) -> str | None:
    """What a key names: ``latitude``, ``longitude``, ``pair``, ``x``, ``y``, or None."""
    words = key_words(key)
    if words in (("x",), ("y",)):
        return words[0]
    latitude, longitude = key_matches(key, LATITUDE_KEYS), key_matches(key, LONGITUDE_KEYS)
    if latitude != longitude:
        return "latitude" if latitude else "longitude"
    if latitude or key_matches(key, PAIR_KEYS):
        return "pair"
    return None


def coordinate(text: str, axis: str) -> tuple[str, int] | None:
    """The number in ``text`` and its decimals, when it is a non-zero, fractional coordinate on ``axis``."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    number = float(match["value"])
    if number == 0 or abs(number) > _LIMITS[axis]:
        return None
    return match["value"], len(match["decimals"])


def precision(decimals: int) -> str:
    """How far ``decimals`` decimals of a degree locate: ``about 11 m``."""
    return _METRES.get(decimals, "under 1 m")


@dataclass(frozen=True, slots=True)
class CoordinateDetector:
    """Latitude and longitude values by key, of a given precision (decimals written)."""

    name: str
    """Short unique name (``coordinates_precise``)."""
    data_type: str
    """``location.precise`` or ``location.coarse``."""
    min_decimals: int
    """Fewest decimals reported."""
    max_decimals: int | None = None
    """Most decimals reported; None for no limit."""
    confidence_paired: float = 0.9
    """A coordinate whose partner is a valid sibling (or in the same value)."""
    confidence_alone: float = 0.6
    """A coordinate whose partner was not seen."""
    confidence_xy: float = 0.5
    """An ``x``/``y`` pair of siblings."""
    trigger: str | None = r"\d\.\d"
    """Every coordinate reported has a decimal point between digits (whole degrees are skipped)."""

    @property
    def key_trigger(self) -> str | None:
        """What occurs in every casefolded key `role_of` gives a role: ``x`` or ``y`` alone, or a
        latitude, longitude or pair key name (see `privprobe.plugins.Detector`)."""
        return r"\A[\W_]*[xy][\W_]*\Z|" + key_trigger(LATITUDE_KEYS | LONGITUDE_KEYS | PAIR_KEYS)

    def detect(self, field: FieldText) -> Iterator[Detection]:
        """The coordinate in ``field``, when its key names one."""
        role = role_of(field.key) if field.key else None
        if role is None:
            return
        if role == "pair":
            yield from self._pair(field)
        elif role in ("x", "y"):
            yield from self._xy(field, role)
        else:
            yield from self._single(field, role)

    def _fits(self, decimals: int) -> bool:
        return decimals >= self.min_decimals and (self.max_decimals is None or decimals <= self.max_decimals)

    def _single(self, field: FieldText, axis: str) -> Iterator[Detection]:
        found = coordinate(field.text, axis)
        if found is None or not self._fits(found[1]):
            return
        value, decimals = found
        other_axis = "longitude" if axis == "latitude" else "latitude"
        partner = _partner(field.siblings, other_axis)
        what = f"key '{field.key}' and a {axis} with {decimals} decimals ({precision(decimals)})"
        if partner is not None:
            yield _detection(
                field.text, value, self.confidence_paired, f"{what}, paired with sibling '{partner}'"
            )
        else:
            yield _detection(field.text, value, self.confidence_alone, f"{what}, no {other_axis} sibling")

    def _pair(self, field: FieldText) -> Iterator[Detection]:
        match = _PAIR.match(field.text)
        if match is None:
            return
        first, second = match["a"], match["b"]
        # Latitude first (the usual "lat,lng"), or GeoJSON's longitude first.
        orders = (("latitude", "longitude"), ("longitude", "latitude"))
        for axes in orders:
            if coordinate(first, axes[0]) is not None and coordinate(second, axes[1]) is not None:
                decimals = min(len(match["da"]), len(match["db"]))
                if self._fits(decimals):
                    what = f"key '{field.key}' and a latitude/longitude pair with {decimals} decimals"
                    yield _detection(
                        field.text, match["value"], self.confidence_paired, f"{what} ({precision(decimals)})"
                    )
                return

    def _xy(self, field: FieldText, role: str) -> Iterator[Detection]:
        other = "y" if role == "x" else "x"
        sibling = next((value for key, value in field.siblings.items() if key.casefold() == other), None)
        mine = coordinate(field.text, "longitude" if role == "x" else "latitude")
        theirs = coordinate(sibling, "latitude" if role == "x" else "longitude") if sibling else None
        if mine is None or theirs is None or mine[1] < 4 or theirs[1] < 4 or not self._fits(mine[1]):
            return
        what = f"key '{field.key}' with sibling '{other}', both with 4 or more decimals in coordinate range"
        yield _detection(field.text, mine[0], self.confidence_xy, f"{what} ({precision(mine[1])})")


def _partner(siblings: Mapping[str, str], axis: str) -> str | None:
    """The key of a sibling holding a valid coordinate on ``axis``, if any."""
    for key, value in siblings.items():
        if role_of(key) == axis and coordinate(value, axis) is not None:
            return key
    return None


def _detection(text: str, value: str, confidence: float, explanation: str) -> Detection:
    start = text.index(value)
    return Detection(start, start + len(value), value, confidence, explanation)


PRECISE = CoordinateDetector(name="coordinates_precise", data_type="location.precise", min_decimals=4)
# x/y pairs need four decimals, so the coarse detector never reports them.
COARSE = CoordinateDetector(
    name="coordinates_coarse", data_type="location.coarse", min_decimals=1, max_decimals=3
)
