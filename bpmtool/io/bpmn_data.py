"""The BPMN import's data and notes pass: data objects, data stores and a process's own
inputs and outputs become artifacts (data associations become node inputs and outputs);
text annotations, groups and associations are kept as the author drew them.

Functions of the reader (:class:`bpmtool.io.bpmn_reader.Reader`), called from its passes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from bpmtool.io.bpmn_vocabulary import B, in_bpmn, local, name_of, ref_text, strip_prefix

if TYPE_CHECKING:
    from bpmtool.io.bpmn_reader import Reader

__all__ = ["data_associations", "process_data", "read_data", "read_notes"]

DATA_ELEMENTS = ("dataObject", "dataObjectReference", "dataStoreReference")


def read_data(reader: Reader, el: etree._Element, pool: str | None) -> None:
    """One data element: a data object and all its references are one artifact, so is a
    data store and its references; a process input or output is an artifact of its own."""
    kind = local(el)
    raw = el.get("id") or ""
    target_raw = raw
    if kind == "dataObjectReference":
        target_raw = strip_prefix(el.get("dataObjectRef") or "") or raw
    elif kind == "dataStoreReference":
        target_raw = strip_prefix(el.get("dataStoreRef") or "") or raw
    if target_raw not in reader.data_ids:
        source = reader.by_id.get(target_raw, el)
        name = name_of(source) or name_of(el)
        ident = reader.safe_id(target_raw, "artifact", "artifact")
        art: dict[str, Any] = {"id": ident}
        if name:
            art["name"] = name
        if kind == "dataStoreReference" or local(source) == "dataStore":
            art["store"] = True
        if kind in ("dataInput", "dataOutput"):
            art["io"] = "input" if kind == "dataInput" else "output"
        if pool is not None and not art.get("store"):
            art["pool"] = pool
        reader.artifacts[ident] = art
        reader.data_ids[target_raw] = ident
    ident = reader.data_ids[target_raw]
    reader.data_ids[raw] = ident
    reader.element_ids[raw] = ident
    if not reader.artifacts[ident].get("name") and name_of(el):
        reader.artifacts[ident]["name"] = name_of(el)


def process_data(reader: Reader, process: etree._Element, pool: str | None) -> None:
    """A process's own inputs and outputs (``ioSpecification``) are artifacts its
    activities read and write, like data objects."""
    for spec in process.findall(f"{B}ioSpecification"):
        for el in spec:
            if local(el) in ("dataInput", "dataOutput") and el.get("id"):
                read_data(reader, el, pool)


def data_associations(reader: Reader, el: etree._Element, node: dict[str, Any]) -> None:
    """A node's data input and output associations: the artifacts it reads and writes."""
    for tag, end, key in (
        ("dataInputAssociation", "sourceRef", "inputs"),
        ("dataOutputAssociation", "targetRef", "outputs"),
    ):
        for assoc in el.findall(f"{B}{tag}"):
            for ref in ref_text(assoc, end):
                art = reader.data_ids.get(strip_prefix(ref))
                if art is None:
                    _unknown_data(reader, assoc, strip_prefix(ref), node)
                    continue
                if art not in node.setdefault(key, []):
                    node[key].append(art)
                if assoc.get("id"):
                    direction = "in" if key == "inputs" else "out"
                    reader.data_edges.setdefault(
                        assoc.get("id") or "", (node["id"], art, direction)
                    )


def _unknown_data(reader: Reader, assoc: etree._Element, ref: str, node: dict[str, Any]) -> None:
    """A data association whose data end is no data object, store or process input or
    output: said, never dropped silently."""
    target = reader.by_id.get(ref)
    what = f"<{local(target)}> {ref!r}" if target is not None else f"missing {ref!r}"
    reader.warn(
        f"data association of {node.get('name') or node['id']!r} refers to {what}, "
        "which is no data object, data store or process input/output; skipped",
        assoc,
    )


def read_notes(reader: Reader) -> None:
    """Text annotations, groups and associations anywhere in the file (after every other
    element has its model id, so associations can name their ends)."""
    for el in reader.root.iter(f"{B}textAnnotation", f"{B}group"):
        raw = el.get("id") or ""
        if local(el) == "textAnnotation":
            ident = reader.safe_id(raw, "annotation", "annotation")
            text = "".join(t.text or "" for t in el.findall(f"{B}text")).strip()
            reader.annotations.append({"id": ident, "text": text} if text else {"id": ident})
        else:
            ident = reader.safe_id(raw, "group", "group")
            value = reader.by_id.get(strip_prefix(el.get("categoryValueRef") or ""))
            name = (value.get("value") or "").strip() if value is not None else ""
            name = name or name_of(el)
            reader.groups.append({"id": ident, "name": name} if name else {"id": ident})
        if raw:
            reader.element_ids[raw] = ident
    for el in reader.root.iter(f"{B}association"):
        if not in_bpmn(el):
            continue
        source = reader.element_ids.get(strip_prefix(el.get("sourceRef") or ""))
        target = reader.element_ids.get(strip_prefix(el.get("targetRef") or ""))
        if source is None or target is None:
            reader.warn(
                "association between elements that were not imported skipped "
                f"({el.get('sourceRef')!r} → {el.get('targetRef')!r})",
                el,
            )
            continue
        raw = el.get("id") or ""
        ident = reader.safe_id(raw, "association", f"{source}-{target}")
        assoc: dict[str, Any] = {"id": ident, "source": source, "target": target}
        direction = el.get("associationDirection") or "None"
        if direction.lower() in ("one", "both"):
            assoc["direction"] = direction.lower()
        reader.associations.append(assoc)
        if raw:
            reader.element_ids[raw] = ident
