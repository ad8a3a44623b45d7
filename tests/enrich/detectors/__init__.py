"""Tests of the built-in detectors, and the helpers they share.

Test values are invented: numbers with a check digit are generated here, by an implementation of
each algorithm written independently of the detectors', so a detector's checksum is tested against
the published algorithm rather than against itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from privprobe.plugins import Detection, Detector, FieldText


def field(
    text: str, key: str | None = None, siblings: Mapping[str, str] | None = None, client_ip: str | None = None
) -> FieldText:
    """A field as the scanner gives it to detectors."""
    return FieldText(
        path=f"body.{key}" if key else "body",
        key=key,
        text=text,
        siblings=siblings or {},
        client_ip=client_ip,
    )


def detect(
    detector: Detector,
    text: str,
    key: str | None = None,
    siblings: Mapping[str, str] | None = None,
    client_ip: str | None = None,
) -> list[Detection]:
    """What ``detector`` finds in ``text`` under ``key``."""
    return list(detector.detect(field(text, key, siblings, client_ip)))


def values(
    detector: Detector,
    text: str,
    key: str | None = None,
    siblings: Mapping[str, str] | None = None,
    client_ip: str | None = None,
) -> list[str]:
    """The values ``detector`` finds in ``text`` under ``key``."""
    return [found.value for found in detect(detector, text, key, siblings, client_ip)]


def with_rrn_check_digit(first12: str) -> str:
    """``first12`` and the RRN check digit: (11 - Σ wᵢ·dᵢ mod 11) mod 10, w = 2..9, 2..5."""
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    total = sum(w * int(d) for w, d in zip(weights, first12, strict=True))
    return first12 + str((11 - total % 11) % 10)


def rrn(birth: str, seventh: str, serial: str = "23456", separator: str = "-") -> str:
    """A resident (or foreigner) registration number with a valid check digit: ``YYMMDD-GNNNNNX``."""
    number = with_rrn_check_digit(birth + seventh + serial)
    return number[:6] + separator + number[6:]


def wrong_check_digit(number: str) -> str:
    """``number`` with its last digit changed, so its check digit fails (as after October 2020)."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def with_luhn_digit(partial: str) -> str:
    """``partial`` and the Luhn check digit (ISO/IEC 7812-1 Annex B)."""
    total = 0
    for index, char in enumerate(reversed(partial)):
        digit = int(char)
        if index % 2 == 0:  # doubled: every second digit counting from the check digit's left
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return partial + str((10 - total % 10) % 10)


def grouped(number: str, sizes: tuple[int, ...] = (4, 4, 4, 4, 3), separator: str = " ") -> str:
    """``number`` split into groups of ``sizes`` joined by ``separator``."""
    parts, start = [], 0
    for size in sizes:
        if start < len(number):
            parts.append(number[start : start + size])
            start += size
    return separator.join(parts)
