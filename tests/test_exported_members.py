"""The public API is what privprobe.__all__ says, no more and no less."""

import privprobe


def test_all_is_pinned() -> None:
    assert sorted(privprobe.__all__) == sorted(
        [
            "Capture", "CaptureId", "CaptureKind", "Case", "CaseError", "CaseId", "Destination",
            "EvidenceFile", "Flow", "FlowId", "InputError", "MissingExtra", "Organisation", "Party",
            "Phase", "PrivprobeError", "ReadContext", "ReadError", "Reader", "Registry", "Request",
            "Response", "StoreError", "Transport", "UnknownFormat", "__version__",
        ]
    )
    for name in privprobe.__all__:
        assert hasattr(privprobe, name), name
