"""The GDPR regime (placeholder until its rules are written)."""

from __future__ import annotations

from collections.abc import Sequence

from privprobe.assess.regime import Period
from privprobe.findings import CheckResult, Finding


class Gdpr:
    """Regulation (EU) 2016/679 with ePrivacy Directive Art. 5(3)."""

    name = "gdpr"
    title = "GDPR"

    def findings(self, results: Sequence[CheckResult], period: Period) -> list[Finding]:
        """No rules yet."""
        return []


REGIME = Gdpr()
