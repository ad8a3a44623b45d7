"""The privacy policy (개인정보 처리방침): load, then sections and tables with stable offsets.

>>> from privprobe.declared.policy import load_policy
>>> document = load_policy("bundle/policy/policy.html")  # or a bundle folder, a PDF, Markdown, text
>>> [table.records() for table in document.tables_in("제7조")]  # one dict per overseas recipient
"""

from privprobe.declared.policy.document import Document, Language, Section, Span, Table
from privprobe.declared.policy.load import load_policy

__all__ = ["Document", "Language", "Section", "Span", "Table", "load_policy"]
