"""Shared fixtures: the corpus of real captures (optional) and a registry of the built-in readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from privprobe.plugins import Registry

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """``../shared/corpus`` beside the checkout; tests using it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    return CORPUS


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The readers installed through the ``privprobe.readers`` entry points."""
    return Registry.from_entry_points()
