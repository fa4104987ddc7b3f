"""Colours and the stylesheet embedded in every swimlane SVG (print-friendly, no web fonts)."""

from __future__ import annotations

PALETTE = {
    "paper": "#ffffff",
    "flow": "#4a5568",
    "handoff": "#d9480f",
    "message": "#5f6b7a",
}

SEVERITY_COLOUR = {"error": "#c92a2a", "warning": "#e67700", "info": "#1971c2"}

CSS = """
.bpmtool-swimlane text { fill: #1f2a37; }
.band-body { fill: #ffffff; stroke: #b8c2cc; stroke-width: 1; }
.band-alt .band-body { fill: #f7f9fb; }
.band-head { fill: #e9eef4; stroke: #b8c2cc; stroke-width: 1; }
.band-external .band-body { fill: #fbfaf6; stroke: #b9ad8c; stroke-dasharray: 6 3; }
.band-external .band-head { fill: #f1ecdd; stroke: #b9ad8c; }
.band-none .band-body { fill: #fff8f8; stroke: #d9a0a0; stroke-dasharray: 4 3; }
.band-none .band-head { fill: #fbe9e9; stroke: #d9a0a0; }
.pool-head { fill: #dde4ec; stroke: #8796a8; stroke-width: 1; }
.pool-frame { fill: none; stroke: #8796a8; stroke-width: 1.4; }
.lane-name { font-weight: 600; fill: #243447; }
.band-external .lane-name { font-style: italic; }
.pool-name { font-weight: 700; fill: #1b2838; letter-spacing: .02em; }
.node .shape { fill: #ffffff; stroke: #2f3e4e; stroke-width: 1.6; }
.node-activity .shape { fill: #fdfefe; filter: drop-shadow(0 1px 1px rgba(0,0,0,.12)); }
.node-start .shape { fill: #ecf8ef; stroke: #2b8a3e; stroke-width: 2; }
.node-end .shape { fill: #fdecec; stroke: #b02525; stroke-width: 4; }
.node-intermediate .shape { fill: #fff9e6; stroke: #a07a12; stroke-width: 1.6; }
.node-intermediate .inner { stroke: #a07a12; stroke-width: 1.2; }
.node-exclusive .shape, .node-parallel .shape, .node-inclusive .shape,
.node-event_based .shape, .node-complex .shape { fill: #fff8db; stroke: #a07a12; }
.mark { stroke: #6b5206; stroke-width: 3; stroke-linecap: round; }
.mark.thin { stroke-width: 1.4; }
.node .shape.call { stroke-width: 4; }
.node .shape.non-interrupting, .node .inner.non-interrupting { stroke-dasharray: 5 3; }
.event-icon { stroke: #2f3e4e; stroke-width: 1.3; stroke-linejoin: round; fill: #ffffff; }
.event-icon.thrown { fill: #2f3e4e; stroke: #2f3e4e; }
.event-icon[data-definition="terminate"] { fill: #2f3e4e; }
.task-icon { fill: none; stroke: #4a5568; stroke-width: 1.1; stroke-linejoin: round; }
.task-icon.thrown { fill: #4a5568; stroke: #ffffff; }
.task-icon.gear { stroke-width: 2.2; stroke-dasharray: 2 1.4; }
.activity-marker { fill: none; stroke: #2f3e4e; stroke-width: 1.4; }
.inner-border { stroke: #2f3e4e; stroke-width: 1.2; }
.pool-body { fill: none; stroke: #8796a8; stroke-width: 1.4; }
.frame-shape { fill: #ffffff; fill-opacity: .55; stroke: #2f3e4e; stroke-width: 1.4; }
.event-subprocess .frame-shape { stroke-dasharray: 2 3; }
.frame.collapsed .frame-shape { fill: #fdfefe; fill-opacity: 1; stroke-width: 1.6; }
.frame-name { font-weight: 600; fill: #243447; }
.data-shape { fill: #ffffff; stroke: #2f3e4e; stroke-width: 1.3; }
.data-line { stroke: #2f3e4e; stroke-width: 1.1; }
.data-io { fill: #ffffff; stroke: #2f3e4e; stroke-width: 1; }
.data-io.thrown { fill: #2f3e4e; }
.annotation-shape { stroke: #4a5568; stroke-width: 1.3; }
.group-shape { fill: none; stroke: #4a5568; stroke-width: 1.3; stroke-dasharray: 8 3 1 3; }
.note-text { fill: #33414f; }
.link .flow-line { stroke: #4a5568; stroke-width: 1.3; stroke-dasharray: 1 4;
  stroke-linecap: round; }
.label { font-size: 12px; }
.label.outside { fill: #33414f; }
.flow-line { stroke: #4a5568; stroke-width: 1.4; stroke-linejoin: round; }
.flow-handoff .flow-line { stroke: #d9480f; stroke-width: 2.6; }
.flow-message .flow-line { stroke: #5f6b7a; stroke-dasharray: 7 4; }
.flow-unused .flow-line { stroke: #a0aab4; stroke-dasharray: 3 3; }
.flow-slow .flow-line { stroke: #f08c00; }
.flow-label-bg { fill: #ffffff; fill-opacity: .92; stroke: #d8dee4; stroke-width: .6; }
.flow-label-handoff .flow-label-bg { fill: #fff4e6; stroke: #f4b183; }
.flow-text { fill: #2f3e4e; }
.flow-label-handoff .flow-text { fill: #a23a06; font-weight: 600; }
.node-skipped .shape { stroke: #c92a2a; stroke-width: 2.6; stroke-dasharray: 6 3; }
.skip-note { fill: #c92a2a; font-weight: 600; }
.count-note { fill: #1d4e89; font-weight: 600; }
.count-bg { fill: #ffffff; fill-opacity: .85; }
.unmodelled .flow-line { stroke: #c2255c; stroke-width: 2; stroke-dasharray: 8 5; fill: none; }
.unmodelled-text { fill: #a61e4d; font-weight: 600; }
.finding-marker circle { stroke: #ffffff; stroke-width: 1.5; }
.marker-number { fill: #ffffff !important; font-weight: 700; }
.legend-text { fill: #1f2a37; }
@media print { .bpmtool-swimlane .flow-line { filter: none; } }
"""
