"""BPMN 2.0 import: our own lxml reader that keeps pools, lanes, data, notes and the diagram.

What becomes what (see ``docs/bpmn.md``), in passes over one
:class:`~bpmtool.io.bpmn_reader.Reader`:

* every ``participant`` becomes a pool (one without a process is a black box); a
  ``process`` no participant refers to becomes a pool drawn without a frame
  (``participant: false``); each pool's lanes belong to it (nested lanes are flattened to
  ``"Parent / Child"``), and a pool without lanes gets one lane of the pool's own id, the
  party doing its work (:mod:`bpmtool.io.bpmn_pools`);
* tasks of all kinds become activities with ``task_type`` set to the element name; an
  expanded ``subProcess`` becomes a :class:`~bpmtool.model.SubProcess` frame whose content
  are nodes with ``parent`` set (flows into and out of it are re-wired to its start and end
  nodes); a collapsed one is one activity (:mod:`bpmtool.io.bpmn_nodes`);
* ``sequenceFlow`` s become flows, ``messageFlow`` s flows of kind ``message`` (or
  ``pool_flows`` when one end is a pool; :mod:`bpmtool.io.bpmn_flows`);
* data objects, stores and process inputs/outputs become artifacts
  (:mod:`bpmtool.io.bpmn_data`), text annotations, groups and associations are kept;
* what BPMN starts without a flow gets ``triggered_by`` (:mod:`bpmtool.io.bpmn_links`);
* the diagrams (BPMNDI) become the model's ``diagram`` and ``other_diagrams``
  (:mod:`bpmtool.io.bpmn_di`), and pools and lanes are ordered as the main one draws them.

Unnamed elements keep an empty name: no id is shown as a label.  Anything else that carries
meaning is reported as a warning naming the element and its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bpmtool.errors import BpmnImportError, Problem
from bpmtool.io.bpmn_data import read_notes
from bpmtool.io.bpmn_di import read_diagrams
from bpmtool.io.bpmn_extensions import read_extensions
from bpmtool.io.bpmn_flows import message_flows, sequence_flows
from bpmtool.io.bpmn_links import read_triggers
from bpmtool.io.bpmn_nodes import boundary_events, read_process
from bpmtool.io.bpmn_pools import black_boxes, drawn_order, participants
from bpmtool.io.bpmn_reader import Reader
from bpmtool.io.bpmn_vocabulary import (
    BPMN_NS,
    BPMTOOL_NS,
    DEFINITIONS_QUIET,
    EVENTS,
    GATEWAYS,
    SUBPROCESSES,
    TASKS,
    UNSAFE_ID,
    B,
    in_bpmn,
    local,
    name_of,
    strip_prefix,
)
from bpmtool.io.xml import parse_xml
from bpmtool.model import Model

__all__ = [
    "BPMN_NS",
    "BPMTOOL_NS",
    "EVENTS",
    "GATEWAYS",
    "SUBPROCESSES",
    "TASKS",
    "read_bpmn",
    "read_bpmn_bytes",
]


def _read(reader: Reader) -> Model:
    """The passes, in order: pools and their flow nodes, black boxes, flows; then the
    model (with the triggers, notes and diagram passes)."""
    for el in reader.root.iter():
        ident = el.get("id")
        if ident and isinstance(el.tag, str) and ident not in reader.by_id:
            reader.by_id[ident] = el
        if el.get("default") and in_bpmn(el):
            reader.defaults.add(strip_prefix(el.get("default") or ""))
    for child in reader.root:
        name = local(child)
        if name and name not in DEFINITIONS_QUIET and in_bpmn(child):
            reader.unsupported(child, "definitions")
    by_process = participants(reader)
    processes = reader.root.findall(f"{B}process")
    for process in processes:
        read_process(reader, process, by_process.get(process.get("id") or ""))
    black_boxes(reader, by_process)
    sequence_flows(reader)
    message_flows(reader)
    if reader.errors:
        raise BpmnImportError(
            problems=reader.errors,
            summary=(f"{reader.filename}: {len(reader.errors)} problem(s) in the BPMN file"),
        )
    if not reader.nodes:
        reader.warn(
            "the file has no <process>: the model is empty (a diagram without a process?)"
            if not processes
            else "no <process> in the file holds a flow node: the model is empty",
            reader.root,
        )
    return _model(reader)


def _model(reader: Reader) -> Model:
    boundary_events(reader)
    read_triggers(reader)
    read_notes(reader)
    diagram, others = read_diagrams(
        reader.root, reader.by_id, reader.element_ids, reader.flow_keys, reader.data_edges
    )
    collab = reader.root.find(f"{B}collaboration")
    process = reader.root.find(f"{B}process")
    name = ""
    for candidate in (collab, process, reader.root):
        if candidate is not None and name_of(candidate):
            name = name_of(candidate)
            break
    stem = Path(reader.filename).stem
    raw_id = reader.root.get("id") or (process.get("id") if process is not None else None)
    data: dict[str, Any] = {
        "id": UNSAFE_ID.sub("_", raw_id or stem)[:180] or "model",
        "name": name or stem,
        "pools": reader.pools,
        "lanes": reader.lanes,
        "artifacts": list(reader.artifacts.values()),
        "nodes": list(reader.nodes.values()),
        "flows": reader.flows,
        "pool_flows": reader.pool_flows,
        "subprocesses": reader.subprocesses,
        "annotations": reader.annotations,
        "groups": reader.groups,
        "associations": reader.associations,
    }
    if diagram is not None:
        data["diagram"] = diagram
        drawn_order(data, diagram)
    if others:
        data["other_diagrams"] = others
    try:
        return Model.model_validate(data)
    except BpmnImportError:
        raise
    except Exception as exc:  # a bug of ours: say so with the file
        problems = getattr(exc, "problems", None) or [Problem(message=str(exc))]
        raise BpmnImportError(
            problems=[
                Problem(message=p.message, file=reader.filename, key=p.key) for p in problems
            ],
            summary=f"{reader.filename}: the BPMN file maps to an inconsistent model",
        ) from None


def read_bpmn_bytes(
    data: bytes, filename: str = "<input>", *, strict: bool = False
) -> tuple[Model, list[Problem]]:
    """Read BPMN 2.0 XML from bytes (the XML declaration decides the encoding)."""
    tree = parse_xml(data, filename, BpmnImportError)
    root = tree.getroot()
    if local(root) != "definitions":
        raise BpmnImportError.single(
            f"not a BPMN file: the root element is <{local(root) or root.tag}>",
            file=filename,
            line=root.sourceline,
            expected="a <definitions> root element",
        )
    if root.tag != f"{B}definitions":
        namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else "none"
        raise BpmnImportError.single(
            f"wrong namespace for BPMN 2.0: {namespace}",
            file=filename,
            line=root.sourceline,
            expected=BPMN_NS,
        )
    reader = Reader(filename=filename, root=root)
    model, extension_warnings = read_extensions(_read(reader), root, filename)
    reader.warnings += extension_warnings
    if strict and reader.warnings:
        raise BpmnImportError(
            problems=reader.warnings,
            summary=(f"{filename}: {len(reader.warnings)} warning(s), refused in strict mode"),
        )
    return model, reader.warnings


def read_bpmn(path: str | Path, *, strict: bool = False) -> tuple[Model, list[Problem]]:
    """Read a ``.bpmn`` file into a model, with the warnings of what was not imported."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BpmnImportError.single(
            f"cannot read the file: {exc.strerror or exc}", file=str(path)
        ) from None
    return read_bpmn_bytes(data, str(path), strict=strict)
