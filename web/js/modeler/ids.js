// Which diagram element a model id names.
//
// bpmtool reads a BPMN element's id as the model id, unless the element carries
// <bpmtool:element>{"id": …}</bpmtool:element> (the YAML id was no valid XML id, or a flow
// had none: then the model calls it "source->target").  Findings name model ids; the
// overlays need the diagram elements.

/** The JSON object of an element's <bpmtool:element>, or null. */
export function elementData(bo) {
  const values = (bo && bo.extensionElements && bo.extensionElements.values) || [];
  const ext = values.find((v) => v.$type === "bpmtool:Element");
  if (!ext || !ext.body) return null;
  try {
    const doc = JSON.parse(ext.body);
    return doc && typeof doc === "object" ? doc : null;
  } catch (e) {
    return null;
  }
}

/** The model id of a diagram element (a flow without one: null). */
export function modelId(element) {
  const bo = element.businessObject;
  const data = elementData(bo);
  if (data && Object.prototype.hasOwnProperty.call(data, "id")) return data.id;
  return bo.id;
}

/** model id → diagram elements, for every shape and connection of the diagram. */
export function indexByModelId(elementRegistry) {
  const index = new Map();
  const add = (key, el) => {
    if (key == null) return;
    if (!index.has(key)) index.set(key, []);
    if (!index.get(key).includes(el)) index.get(key).push(el);
  };
  elementRegistry.forEach((el) => {
    if (el.type === "label" || !el.businessObject || el.type === "bpmn:Collaboration") return;
    const bo = el.businessObject;
    if (el.waypoints) {
      if (el.source && el.target) add(`${modelId(el.source)}->${modelId(el.target)}`, el);
      add(modelId(el), el);
      return;
    }
    add(modelId(el), el);
    add(bo.id, el);
    // artifacts are named by their data object (or store); pools by their process too
    const ref = bo.dataObjectRef || bo.dataStoreRef;
    if (ref) {
      const data = elementData(ref);
      add(data && typeof data.id === "string" ? data.id : ref.id, el);
    }
    if (bo.processRef) add(bo.processRef.id, el);
  });
  return index;
}
