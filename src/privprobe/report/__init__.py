"""The report: the case's evidence, findings and penalty worksheet as one object, then rendered.

`pipeline.report` reads the case and calls `gather` and `build_report`, which assemble the JSON
object of docs/report-schema.md (schema ``privprobe-report/1``); `write_json` writes it. The HTML and PDF renderers read that object alone: the report decides nothing.
"""

from privprobe.report.collect import Material, PenaltyOutcome, cites_flow, gather
from privprobe.report.json import SCHEMA, build_report, write_json

__all__ = ["SCHEMA", "Material", "PenaltyOutcome", "build_report", "cites_flow", "gather", "write_json"]
