// The properties panel: what bpmtool reads from the selected element, editable.
//
// * every element: its name (the activity label event logs are matched by);
// * an activity: its SIPOC inputs and outputs — the artifacts it needs and produces, kept
//   as BPMN data input/output associations (drawn as dotted arrows from/to the data objects);
// * a flow: the artifact it carries — bpmtool:artifact, what a handoff hands over; a flow
//   out of a choice (a gateway, an activity): its condition, and whether it is the default;
// * a pool: whether it is an external party (bpmtool:external: the customer, a partner).
// New artifacts are data objects placed beside the element.
import { is, isAny } from "bpmn-js/lib/util/ModelUtil";
import { modelId } from "./ids.js";

const ACTIVITY = ["bpmn:Task", "bpmn:SubProcess", "bpmn:CallActivity"];
const REFERENCE = ["bpmn:DataObjectReference", "bpmn:DataStoreReference"];
// where a flow can have a condition and one flow can be the default
const DECIDES = ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway", "bpmn:ComplexGateway", ...ACTIVITY];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => {
    if (v === undefined || v === null || v === false) return;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k in node && typeof v !== "string") node[k] = v;
    else node.setAttribute(k, v === true ? "" : v);
  });
  children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return node;
}

function typeLabel(element) {
  const bo = element.businessObject;
  if (is(bo, "bpmn:Participant")) return bo.get("bpmtool:external") ? "External pool" : "Pool";
  return element.type.replace("bpmn:", "").replace(/([a-z])([A-Z])/g, "$1 $2");
}

export class PropertiesPanel {
  constructor(modeler, container, { onProblem } = {}) {
    this.modeler = modeler;
    this.container = container;
    this.onProblem = onProblem || (() => {});
    this.element = null;
    modeler.on("selection.changed", (e) => this.show(e.newSelection.length === 1 ? e.newSelection[0] : null));
    modeler.on("elements.changed", (e) => {
      if (this.element && e.elements.some((x) => x === this.element || x.id === this.element.id)) {
        const still = modeler.get("elementRegistry").get(this.element.id);
        this.show(still || null);
      } else if (this.element === null) {
        this.show(null);
      }
    });
    this.show(null);
  }

  get modeling() { return this.modeler.get("modeling"); }

  /** Every artifact drawn in the diagram: key (its data object's id), label, reference shapes. */
  artifacts() {
    const byKey = new Map();
    this.modeler.get("elementRegistry").filter((x) => isAny(x, REFERENCE) && x.type !== "label").forEach((shape) => {
      const bo = shape.businessObject;
      const target = bo.dataObjectRef || bo.dataStoreRef || bo;
      const key = target.id;
      if (!byKey.has(key)) byKey.set(key, { key, label: bo.name || target.name || modelId(shape) || key, shapes: [] });
      const art = byKey.get(key);
      if (!art.label && bo.name) art.label = bo.name;
      art.shapes.push(shape);
    });
    return [...byKey.values()].sort((a, b) => a.label.localeCompare(b.label));
  }

  keyOfShape(shape) {
    const bo = shape.businessObject;
    return (bo.dataObjectRef || bo.dataStoreRef || bo).id;
  }

  show(element) {
    this.element = element && element.type !== "label" ? element : (element && element.labelTarget) || null;
    const parts = [];
    const element_ = this.element;
    if (!element_ || is(element_, "bpmn:Collaboration") || is(element_, "bpmn:Process")) {
      parts.push(el("h2", {}, "Properties"));
      parts.push(el("p", { class: "muted" }, "Select a shape or a flow to name it, give an activity its inputs and outputs, or say what a handoff carries."));
      const arts = this.artifacts();
      parts.push(el("h3", {}, `Artifacts (${arts.length})`));
      parts.push(arts.length
        ? el("ul", { class: "prop-list" }, arts.map((a) => el("li", {}, a.label)))
        : el("p", { class: "muted" }, "None yet: add them from an activity or a flow."));
      this.container.replaceChildren(...parts);
      return;
    }
    const bo = element_.businessObject;
    parts.push(el("h2", {}, typeLabel(element_)));
    let id = modelId(element_);
    if (id == null && element_.source && element_.target) {  // a flow the YAML writes `a -> b`
      id = `${modelId(element_.source)} -> ${modelId(element_.target)}`;
    }
    parts.push(el("p", { class: "prop-id" }, "id ", el("code", {}, id == null ? "(none)" : id)));
    if (!is(element_, "bpmn:Association")) parts.push(this.nameField(element_));
    if (is(bo, "bpmn:Participant")) parts.push(this.externalField(element_));
    if (isAny(bo, ACTIVITY)) parts.push(...this.ioFields(element_));
    if (isAny(bo, ["bpmn:SequenceFlow", "bpmn:MessageFlow"])) parts.push(...this.flowFields(element_));
    if (isAny(bo, REFERENCE)) parts.push(this.usedBy(element_));
    this.container.replaceChildren(...parts);
  }

  nameField(element) {
    const bo = element.businessObject;
    const input = el("input", {
      type: "text", value: bo.name || "", "data-prop": "name",
      placeholder: is(bo, "bpmn:Task") ? "the activity's name, as in the event log" : "name",
      onchange: () => this.modeling.updateLabel(element, input.value.trim() || undefined),
      onkeydown: (e) => { if (e.key === "Enter") { e.preventDefault(); input.blur(); } },
    });
    return el("label", { class: "prop-field" }, "Name", input);
  }

  externalField(element) {
    const box = el("input", {
      type: "checkbox", "data-prop": "external", checked: !!element.businessObject.get("bpmtool:external"),
      onchange: () => this.modeling.updateProperties(element, { "bpmtool:external": box.checked ? true : undefined }),
    });
    return el("label", { class: "prop-check" }, box, " External party (a customer or partner, not a team of ours)");
  }

  /** The artifact keys an activity reads (inputs) or writes (outputs), with their connections. */
  io(element) {
    const inputs = new Map(), outputs = new Map();
    (element.incoming || []).filter((c) => is(c, "bpmn:DataInputAssociation")).forEach((c) => {
      const k = this.keyOfShape(c.source);
      inputs.set(k, [...(inputs.get(k) || []), c]);
    });
    (element.outgoing || []).filter((c) => is(c, "bpmn:DataOutputAssociation")).forEach((c) => {
      const k = this.keyOfShape(c.target);
      outputs.set(k, [...(outputs.get(k) || []), c]);
    });
    return { inputs, outputs };
  }

  ioFields(element) {
    const arts = this.artifacts();
    const { inputs, outputs } = this.io(element);
    const group = (title, kind, current) => {
      const list = arts.map((a) => {
        const box = el("input", {
          type: "checkbox", checked: current.has(a.key), "data-artifact": a.label,
          onchange: () => this.toggleIo(element, a, kind, box.checked),
        });
        return el("label", { class: "prop-check" }, box, " ", a.label);
      });
      return el("fieldset", { class: "prop-group", "data-io": kind },
        el("legend", {}, title),
        list.length ? list : el("p", { class: "muted" }, "No artifacts in the diagram yet."),
        this.newArtifactForm((name) => this.addArtifact(element, name, kind)));
    };
    return [
      group("Inputs (what it needs)", "input", inputs),
      group("Outputs (what it produces)", "output", outputs),
    ];
  }

  toggleIo(element, artifact, kind, on) {
    const { inputs, outputs } = this.io(element);
    const current = (kind === "input" ? inputs : outputs).get(artifact.key) || [];
    if (!on) {
      if (current.length) this.modeling.removeElements(current);
      return;
    }
    if (current.length) return;
    const rules = this.modeler.get("bpmnRules");
    for (const shape of artifact.shapes) {
      const [source, target] = kind === "input" ? [shape, element] : [element, shape];
      if (rules.canConnect(source, target)) {
        this.modeling.connect(source, target);
        return;
      }
    }
    this.onProblem(`"${artifact.label}" is drawn in another pool; add a new artifact here instead.`);
    this.show(element);
  }

  /** A data object named ``name`` placed beside ``near`` (an activity or a flow). */
  createArtifact(near, name) {
    const canvas = this.modeler.get("canvas");
    const factory = this.modeler.get("elementFactory");
    let parent = near.waypoints ? (near.source || near).parent : near.parent;
    while (parent && is(parent, "bpmn:Lane")) parent = parent.parent;
    parent = parent || canvas.getRootElement();
    let x, y;
    if (near.waypoints) {
      const a = near.waypoints[0], b = near.waypoints[near.waypoints.length - 1];
      x = (a.x + b.x) / 2; y = Math.min(a.y, b.y) - 45;
    } else {
      x = near.x + near.width + 30; y = near.y - 35;
    }
    if (parent.y !== undefined && y - 25 < parent.y) y = (near.waypoints ? near.waypoints[0].y : near.y + near.height) + 45;
    const shape = this.modeling.createShape(factory.createShape({ type: "bpmn:DataObjectReference" }), { x, y }, parent);
    this.modeling.updateLabel(shape, name);
    return shape;
  }

  addArtifact(element, name, kind) {
    const shape = this.createArtifact(element, name);
    const [source, target] = kind === "input" ? [shape, element] : [element, shape];
    this.modeling.connect(source, target);
    this.modeler.get("selection").select(element);
  }

  newArtifactForm(add) {
    const input = el("input", { type: "text", placeholder: "new artifact, e.g. Signed contract", "data-new-artifact": "" });
    const submit = () => {
      const name = input.value.trim();
      if (name) add(name);
    };
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); submit(); } });
    return el("div", { class: "prop-new" }, input, el("button", { type: "button", class: "btn small", onclick: submit }, "Add"));
  }

  flowFields(element) {
    const bo = element.businessObject;
    const arts = this.artifacts();
    const current = bo.get("bpmtool:artifact") || "";
    const parts = [];
    const laneOf = (shape) => {
      const lanes = this.modeler.get("elementRegistry").filter((x) => is(x, "bpmn:Lane")
        && (x.businessObject.flowNodeRef || []).includes(shape.businessObject));
      const pool = shape.parent && is(shape.parent, "bpmn:Participant") ? shape.parent : null;
      return lanes.length ? lanes[lanes.length - 1] : pool;
    };
    const from = element.source && laneOf(element.source), to = element.target && laneOf(element.target);
    if (from && to && from !== to) {
      parts.push(el("p", { class: "handoff-note" },
        "A handoff: ", el("strong", {}, from.businessObject.name || from.id), " → ",
        el("strong", {}, to.businessObject.name || to.id), ". Say what it hands over."));
    }
    const select = el("select", {
      "data-prop": "artifact",
      onchange: () => this.modeling.updateProperties(element, { "bpmtool:artifact": select.value || undefined }),
    }, el("option", { value: "" }, "— nothing —"),
    arts.map((a) => el("option", { value: a.key, selected: a.key === current }, a.label)));
    if (current && !arts.some((a) => a.key === current)) {
      select.append(el("option", { value: current, selected: true }, `${current} (not drawn)`));
    }
    parts.push(el("label", { class: "prop-field" }, "Carries (artifact)", select));
    if (is(bo, "bpmn:SequenceFlow") && isAny(element.source.businessObject, DECIDES)) {
      parts.push(...this.conditionFields(element));
    }
    parts.push(el("fieldset", { class: "prop-group" }, el("legend", {}, "A new artifact"),
      this.newArtifactForm((name) => {
        const shape = this.createArtifact(element, name);
        this.modeling.updateProperties(element, { "bpmtool:artifact": this.keyOfShape(shape) });
        this.modeler.get("selection").select(element);
      })));
    return parts;
  }

  /** A sequence flow out of a choice (a gateway or an activity with several ways out): the
   *  condition it is taken on, and whether it is the one taken when no condition holds. */
  conditionFields(element) {
    const bo = element.businessObject;
    const source = element.source.businessObject;
    const condition = el("input", {
      type: "text", value: (bo.conditionExpression && bo.conditionExpression.body) || "",
      "data-prop": "condition", placeholder: "e.g. amount > 1000",
      onchange: () => {
        const text = condition.value.trim();
        const expression = text
          ? this.modeler.get("moddle").create("bpmn:FormalExpression", { body: text })
          : undefined;
        this.modeling.updateProperties(element, { conditionExpression: expression });
      },
      onkeydown: (e) => { if (e.key === "Enter") { e.preventDefault(); condition.blur(); } },
    });
    const fallback = el("input", {
      type: "checkbox", "data-prop": "default", checked: source.default === bo,
      onchange: () => this.modeling.updateProperties(element.source, { default: fallback.checked ? bo : undefined }),
    });
    return [
      el("label", { class: "prop-field" }, "Condition", condition),
      el("label", { class: "prop-check" }, fallback, " Default flow (taken when no condition holds)"),
    ];
  }

  usedBy(element) {
    const key = this.keyOfShape(element);
    const registry = this.modeler.get("elementRegistry");
    const users = [];
    registry.forEach((x) => {
      if (!x.waypoints) return;
      if (is(x, "bpmn:DataInputAssociation") && x.source && this.keyOfShape(x.source) === key && x.target) users.push(`input of ${x.target.businessObject.name || x.target.id}`);
      if (is(x, "bpmn:DataOutputAssociation") && x.target && this.keyOfShape(x.target) === key && x.source) users.push(`output of ${x.source.businessObject.name || x.source.id}`);
      if ((is(x, "bpmn:SequenceFlow") || is(x, "bpmn:MessageFlow")) && x.businessObject.get("bpmtool:artifact") === key) {
        users.push(`carried ${x.source.businessObject.name || x.source.id} → ${x.target.businessObject.name || x.target.id}`);
      }
    });
    return el("div", { class: "prop-group" }, el("h3", {}, "Used"),
      users.length ? el("ul", { class: "prop-list" }, users.map((u) => el("li", {}, u))) : el("p", { class: "muted" }, "Not used yet."));
  }
}
