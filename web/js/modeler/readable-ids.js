// Readable ids for what is drawn in a YAML model's diagram.  bpmn-js names a new shape
// "Activity_0upbn76"; saved back as YAML that id is what people read and type in `flows:`.
// So, in a diagram of a YAML (or JSON) model:
// * a shape drawn in this session takes an id made from the name it is given
//   ("Send welcome pack" → send_welcome_pack), as long as nobody referred to the old one;
// * a new sequence flow carries no id of its own (<bpmtool:element>{"id": null}), so the
//   YAML writes it as `source -> target`, like hand-written flows.
import { is, isAny } from "bpmn-js/lib/util/ModelUtil";

const NAMED = ["bpmn:FlowNode", "bpmn:Lane", "bpmn:Participant", "bpmn:DataObjectReference", "bpmn:DataStoreReference"];

export function slug(name) {
  const s = (name || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60);
  return /^[a-z_]/.test(s) ? s : s ? `_${s}` : "";
}

export function readableIds(modeler) {
  const created = new Set();
  const registry = modeler.get("elementRegistry");
  const modeling = modeler.get("modeling");
  const moddle = modeler.get("moddle");
  const bpmnFactory = modeler.get("bpmnFactory");
  const eventBus = modeler.get("eventBus");

  eventBus.on("commandStack.shape.create.postExecuted", (e) => {
    const shape = e.context.shape;
    if (shape && isAny(shape, NAMED)) created.add(shape.businessObject);
  });
  // postExecute: inside the same command, so one undo takes back the flow or name and its id
  eventBus.on("commandStack.connection.create.postExecute", (e) => {
    const conn = e.context.connection;
    if (!conn || !is(conn, "bpmn:SequenceFlow") || conn.businessObject.extensionElements) return;
    const ext = bpmnFactory.create("bpmn:ExtensionElements", {
      values: [moddle.create("bpmtool:Element", { body: JSON.stringify({ id: null }) })],
    });
    modeling.updateProperties(conn, { extensionElements: ext });
  });
  eventBus.on("commandStack.element.updateLabel.postExecute", (e) => {
    const element = e.context.element;
    const target = element.labelTarget || element;
    const bo = target.businessObject;
    if (!created.has(bo) || !bo.name) return;
    const base = slug(bo.name);
    if (!base || bo.id === base || bo.id.startsWith(`${base}_`)) return;  // named so already
    const taken = (x) => registry.get(x) || moddle.ids.assigned(x);
    const data = bo.dataObjectRef;  // an artifact is named by its data object: that id is the model's
    let id = base;
    for (let n = 2; taken(id) || (data && taken(`${id}_ref`)); n++) id = `${base}_${n}`;
    if (data) {
      if (data.id !== id) modeling.updateModdleProperties(target, data, { id });
      modeling.updateProperties(target, { id: `${id}_ref` });
    } else {
      modeling.updateProperties(target, { id });
    }
  });
}
