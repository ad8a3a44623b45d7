"""HTTP details shared by the readers: bounded bodies and cookie headers."""

from __future__ import annotations

from privprobe.model import Headers

MAX_BODY_BYTES = 8 * 1024 * 1024
"""Request bodies are kept up to this size; the rest is counted in ``body_size`` and noted."""


def bounded_body(body: bytes | None) -> tuple[bytes | None, bool]:
    """``body`` cut at `MAX_BODY_BYTES`, and whether it was cut."""
    if body is None or len(body) <= MAX_BODY_BYTES:
        return body, False
    return body[:MAX_BODY_BYTES], True


def cookies_from_headers(headers: Headers) -> tuple[tuple[str, str], ...]:
    """Cookies of every ``Cookie`` request header, as (name, value) in order (RFC 6265 §5.4)."""
    pairs: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() != "cookie":
            continue
        for part in value.split(";"):
            key, sep, val = part.strip().partition("=")
            if key or sep:
                pairs.append((key.strip(), val.strip()))
    return tuple(pairs)
