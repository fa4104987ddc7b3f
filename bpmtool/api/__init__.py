"""The one public Python API: what the CLI, the web app and notebooks call.

Every face goes through these functions, so the CLI and the web app always agree.

>>> model = load("models/saas-handoffs.yaml")
>>> [f.code for f in lint(model)]
[]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmtool.api.analysis import check, journey, read_surveys
from bpmtool.api.bpmn import (
    BPMN_SUFFIXES,
    convert,
    converted,
    export_bpmn,
    loads_bpmn,
    model_text,
)
from bpmtool.api.cases import (
    CASE_FORMATS,
    case_index,
    case_table_bytes,
    case_timeline,
    finding_selection,
    open_case_index,
    write_case_index,
)
from bpmtool.api.discovery import compare, discover, parse_share
from bpmtool.api.drawing import (
    choose_diagram,
    diagram_drawings,
    diagram_findings,
    diagram_names,
    diagram_titles,
    layout,
    render_svg,
)
from bpmtool.api.filters import (
    FILTER_FIELDS,
    WINDOWS,
    AttributeTest,
    FilterOutcome,
    LogFilter,
    case_id_list,
    filter_from_fields,
    filter_log,
    parse_moment,
    parse_period,
    parse_where,
)
from bpmtool.api.logs import (
    WrittenPartitions,
    activity_counts,
    cluster,
    inflated_size,
    is_partitioned_log,
    lane_map_entries,
    log_columns,
    log_notes,
    log_summary,
    map_log,
    model_match,
    read_log,
    stream_log_to_parquet,
    streams_to_parquet,
    write_partitioned_log,
)
from bpmtool.api.models import (
    GRAPH_FORMATS,
    LINT_JSON_SCHEMA,
    MODEL_SUFFIXES,
    SIPOC_FORMATS,
    Loaded,
    compliance_label,
    days_label,
    dump_model,
    graph_text,
    journey_charts,
    json_schema,
    lint,
    lint_document,
    lint_summary,
    load,
    load_with_warnings,
    loads_model,
    parse_duration,
    rule_catalogue,
    sipoc,
    sipoc_table,
    temp_file_owner,
    warm_up,
    write_file,
)
from bpmtool.api.reports import (
    FINDINGS_FORMATS,
    findings_table,
    html_to_pdf,
    report,
    report_pdf,
)
from bpmtool.api.windows import (
    PERIOD_UNITS,
    compare_journey_windows,
    compare_windows,
    comparison_periods,
)

# what the faces may name without reaching below the API
from bpmtool.io.eventlog import LOG_SUFFIXES
from bpmtool.io.limits import InflatedTooLarge, LimitedReader
from bpmtool.io.log_preview import LogColumns
from bpmtool.log_schema import COLUMN_ROLES, ROLE_COLUMNS
from bpmtool.mining.alignments import AlignmentBudget
from bpmtool.mining.open_cases import OpenCaseRule, read_case_list
from bpmtool.model import Model
from bpmtool.priorities import ProblemCost, costly_problems
from bpmtool.render.pdf import PdfUnavailable
from bpmtool.sipoc import Sipoc

if TYPE_CHECKING:  # the result types the faces annotate with
    from bpmtool.discovery.compare import Comparison as Comparison
    from bpmtool.discovery.discover import Discovery as Discovery
    from bpmtool.distributed import Cluster as Cluster
    from bpmtool.io.eventlog import Progress as Progress
    from bpmtool.layout import Layout as Layout
    from bpmtool.mining.cases import CaseIndex as CaseIndex
    from bpmtool.mining.check import CheckResult as CheckResult
    from bpmtool.mining.compare_windows import WindowComparison as WindowComparison
    from bpmtool.mining.journey_result import JourneyResult as JourneyResult
    from bpmtool.mining.log_summary import LogSummary as LogSummary
    from bpmtool.mining.mapping import MappedLog as MappedLog
    from bpmtool.mining.model_match import ModelMatch as ModelMatch

__all__ = [
    "BPMN_SUFFIXES",
    "CASE_FORMATS",
    "COLUMN_ROLES",
    "FILTER_FIELDS",
    "FINDINGS_FORMATS",
    "GRAPH_FORMATS",
    "LINT_JSON_SCHEMA",
    "LOG_SUFFIXES",
    "MODEL_SUFFIXES",
    "PERIOD_UNITS",
    "ROLE_COLUMNS",
    "SIPOC_FORMATS",
    "WINDOWS",
    "AlignmentBudget",
    "AttributeTest",
    "FilterOutcome",
    "InflatedTooLarge",
    "LimitedReader",
    "Loaded",
    "LogColumns",
    "LogFilter",
    "Model",
    "OpenCaseRule",
    "PdfUnavailable",
    "ProblemCost",
    "Sipoc",
    "WrittenPartitions",
    "activity_counts",
    "case_id_list",
    "case_index",
    "case_table_bytes",
    "case_timeline",
    "check",
    "choose_diagram",
    "cluster",
    "compare",
    "compare_journey_windows",
    "compare_windows",
    "comparison_periods",
    "compliance_label",
    "convert",
    "converted",
    "costly_problems",
    "days_label",
    "diagram_drawings",
    "diagram_findings",
    "diagram_names",
    "diagram_titles",
    "discover",
    "dump_model",
    "export_bpmn",
    "filter_from_fields",
    "filter_log",
    "finding_selection",
    "findings_table",
    "graph_text",
    "html_to_pdf",
    "inflated_size",
    "is_partitioned_log",
    "journey",
    "journey_charts",
    "json_schema",
    "lane_map_entries",
    "layout",
    "lint",
    "lint_document",
    "lint_summary",
    "load",
    "load_with_warnings",
    "loads_bpmn",
    "loads_model",
    "log_columns",
    "log_notes",
    "log_summary",
    "map_log",
    "model_match",
    "model_text",
    "open_case_index",
    "parse_duration",
    "parse_moment",
    "parse_period",
    "parse_share",
    "parse_where",
    "read_case_list",
    "read_log",
    "read_surveys",
    "render_svg",
    "report",
    "report_pdf",
    "rule_catalogue",
    "sipoc",
    "sipoc_table",
    "stream_log_to_parquet",
    "streams_to_parquet",
    "temp_file_owner",
    "warm_up",
    "write_case_index",
    "write_file",
    "write_partitioned_log",
]
