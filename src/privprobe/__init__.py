"""privprobe: evidence-grade investigation of what online platforms do with personal data.

The public API: the evidence model, the facts enrich adds, the errors, and the extension points.
The stages live in sub-packages named after the story of docs/architecture.md:
``ingest`` → ``enrich`` → (``declared``, ``assess``, ``report`` in later versions).
"""

from privprobe.errors import (
    CaseError,
    InputError,
    MissingExtra,
    PrivprobeError,
    ReadError,
    StoreError,
    UnknownFormat,
)
from privprobe.facts import Destination, Organisation, Party
from privprobe.model import (
    Capture,
    CaptureId,
    CaptureKind,
    Case,
    CaseId,
    EvidenceFile,
    Flow,
    FlowId,
    Phase,
    Request,
    Response,
    Transport,
)
from privprobe.plugins import ReadContext, Reader, Registry

__version__ = "0.1.0"

__all__ = [
    "Capture",
    "CaptureId",
    "CaptureKind",
    "Case",
    "CaseError",
    "CaseId",
    "Destination",
    "EvidenceFile",
    "Flow",
    "FlowId",
    "InputError",
    "MissingExtra",
    "Organisation",
    "Party",
    "Phase",
    "PrivprobeError",
    "ReadContext",
    "ReadError",
    "Reader",
    "Registry",
    "Request",
    "Response",
    "StoreError",
    "Transport",
    "UnknownFormat",
    "__version__",
]
