"""The privacy policy (개인정보 처리방침): load, structure, declarations, checklists, versions.

>>> from privprobe.declared.policy import load_policy, extract, check
>>> reading = extract(load_policy("bundle/policy/policy.html"))  # or a PDF, Markdown, plain text
>>> [d.recipient for d in reading.of_kind(DeclarationKind.TRANSFERS_ABROAD)]
>>> [(r.item.id, r.status, r.missing) for r in check(reading, "pipa")]
"""

from privprobe.declared.policy.checklist import ChecklistItem, ChecklistResult, check, load_checklist
from privprobe.declared.policy.diff import Difference, diff
from privprobe.declared.policy.document import Document, Language, Section, Span, Table
from privprobe.declared.policy.extract import Reading, extract
from privprobe.declared.policy.load import load_policy

__all__ = [
    "ChecklistItem",
    "ChecklistResult",
    "Difference",
    "Document",
    "Language",
    "Reading",
    "Section",
    "Span",
    "Table",
    "check",
    "diff",
    "extract",
    "load_checklist",
    "load_policy",
]
