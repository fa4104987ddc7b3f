// The diagram editor page (/models/<name>/diagram): bpmn-js's Modeler on the model's BPMN,
// bpmtool's properties panel, live lint badges, and save (with history) through the
// model API: PUT /api/models/<name>/diagram with If-Match, so two editors never overwrite
// each other unknowingly.
import Modeler from "bpmn-js/lib/Modeler";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn.css";
import "./modeler.css";
import bpmtoolModdle from "./bpmtool-moddle.json";
import { LiveLint } from "./lint.js";
import { PropertiesPanel } from "./properties.js";
import { readableIds } from "./readable-ids.js";

const scriptStarted = performance.now();

function start(root) {
  const name = root.dataset.name;
  const api = `/api/models/${encodeURIComponent(name)}/diagram`;
  const status = root.querySelector("[data-status]");
  const saveButton = root.querySelector("[data-save]");
  const messageInput = root.querySelector("[data-message]");
  const readOnly = saveButton.hasAttribute("data-read-only");
  const notice = root.querySelector("[data-notice]");
  let version = root.dataset.version;
  let dirty = false;
  let saving = false;

  const say = (text, kind = "") => {
    status.textContent = text;
    status.className = `status-line ${kind}`;
  };
  const tell = (text, kind = "info", actions = []) => {
    notice.replaceChildren();
    if (!text) { notice.hidden = true; return; }
    notice.hidden = false;
    notice.className = `alert ${kind}`;
    notice.append(text, ...actions);
  };

  const modeler = new Modeler({
    container: root.querySelector("[data-canvas]"),
    moddleExtensions: { bpmtool: bpmtoolModdle },
    keyboard: { bind: true },
  });
  window.bpmtoolModeler = modeler;  // for the browser tests and the curious
  if (root.dataset.format !== "bpmn") readableIds(modeler);

  const lint = new LiveLint(modeler, {
    filename: name.replace(/\.[^.]+$/, "") + ".bpmn",
    stored: `/api/models/${encodeURIComponent(name)}/lint`,
    list: root.querySelector("[data-findings]"),
    summary: root.querySelector("[data-lint-summary]"),
  });
  new PropertiesPanel(modeler, root.querySelector("[data-properties]"), {
    onProblem: (text) => tell(text, "warning"),
  });

  const markDirty = (value) => {
    dirty = value;
    saveButton.disabled = saving || readOnly;
    root.classList.toggle("dirty", dirty);
    if (dirty) say("Unsaved changes");
  };
  let edited = false;  // anything changed since the diagram was opened
  modeler.on("commandStack.changed", () => { edited = true; markDirty(true); });
  window.addEventListener("beforeunload", (e) => {
    if (dirty && !readOnly) { e.preventDefault(); e.returnValue = ""; }
  });

  // the first view: the lanes at a readable size (their whole height), the process's start
  // at the left; "Fit" shows all of a long process
  function firstView() {
    const canvas = modeler.get("canvas");
    canvas.zoom("fit-viewport");
    const { inner, outer } = canvas.viewbox();
    const scale = Math.min(outer.height / (inner.height + 60), 1);
    const width = outer.width / scale, height = outer.height / scale;
    const left = Math.max(90 / scale, (width - inner.width) / 2);  // clear of the palette
    canvas.viewbox({ x: inner.x - left, y: inner.y - (height - inner.height) / 2, width, height });
  }

  async function open() {
    say("Opening…");
    const r = await fetch(api);  // the page preloads it while this script loads
    if (!r.ok) {
      const body = await r.json().catch(() => ({}));
      say("Cannot open the model", "bad");
      tell(body.detail || `the server answered ${r.status}`, "error");
      return;
    }
    version = (r.headers.get("ETag") || "").replace(/^W\//, "").replace(/"/g, "") || version;
    const laidOut = r.headers.get("X-Bpmtool-Laid-Out") === "1";
    const xml = await r.text();
    const fetched = performance.now();
    try {
      const { warnings } = await modeler.importXML(xml);
      if (warnings.length) console.warn("bpmn-js import warnings", warnings);
    } catch (err) {
      say("Cannot open the model", "bad");
      tell(`The diagram cannot be shown: ${err.message}`, "error");
      return;
    }
    const imported = performance.now();
    firstView();
    if (laidOut) tell("This BPMN file had no diagram; bpmtool laid it out. Saving stores the laid-out diagram.", "info");
    markDirty(false);
    say("Opened");
    root.dataset.openedMs = String(Math.round(performance.now()));  // since the page was asked for
    // where the time went, for benchmarks/bench_modeler.py: ms since the page was asked for
    root.dataset.timing = JSON.stringify({
      script: Math.round(scriptStarted), fetched: Math.round(fetched),
      imported: Math.round(imported), ready: Math.round(performance.now()),
    });
    root.dataset.ready = "1";
    lint.run(true);  // unchanged yet: the stored model's findings, cached by the server
  }

  // A YAML model opened as bpmtool's layout says so (bpmtool:model "laid_out"), and reading it
  // back drops that layout.  Once shapes were drawn or moved here the diagram is the
  // author's: saved without the mark it is kept in the model (its `diagram:`).
  function claimLayout() {
    if (!edited) return;
    const definitions = modeler.getDefinitions();
    const holders = [...(definitions.rootElements || []), definitions];
    for (const holder of holders) {
      const values = (holder.extensionElements && holder.extensionElements.values) || [];
      for (const ext of values) {
        if (ext.$type !== "bpmtool:Model" || !ext.body) continue;
        try {
          const head = JSON.parse(ext.body);
          if (head.laid_out) {
            delete head.laid_out;
            ext.body = JSON.stringify(head);
          }
        } catch (e) { /* not ours to fix */ }
      }
    }
  }

  async function save(force = false) {
    if (saving || readOnly) return;
    saving = true;
    saveButton.disabled = true;
    say("Saving…");
    try {
      claimLayout();
      const { xml } = await modeler.saveXML({ format: true });
      const headers = { "Content-Type": "application/xml", Accept: "application/json", "If-Match": `"${version}"` };
      const message = messageInput ? messageInput.value.trim() : "";
      const url = message ? `${api}?message=${encodeURIComponent(message)}` : api;
      const r = await fetch(url, { method: "PUT", headers, body: xml });
      const body = await r.json().catch(() => ({}));
      if (r.ok) {
        version = body.version;
        markDirty(false);
        if (messageInput) messageInput.value = "";
        const n = (body.warnings || []).length;
        say(`Saved${n ? ` (${n} warning${n === 1 ? "" : "s"})` : ""}`, "good");
        tell(n ? `Saved. ${body.warnings.map((w) => w.message).join("; ")}` : "", n ? "warning" : "info");
        root.dataset.version = version;
      } else if (r.status === 409) {
        const theirs = body.current_version;
        say("Not saved: someone else saved first", "bad");
        const overwrite = document.createElement("button");
        overwrite.type = "button";
        overwrite.className = "btn small";
        overwrite.textContent = "Save mine anyway";
        overwrite.addEventListener("click", () => { version = theirs; save(true); });
        const reload = document.createElement("a");
        reload.className = "btn small ghost";
        reload.href = window.location.pathname;
        reload.textContent = "Open theirs (drops my changes)";
        tell("Someone else saved this model while you were editing. Their version stays in the history either way. ", "warning", [overwrite, " ", reload]);
      } else {
        say("Not saved", "bad");
        const problems = (body.problems || []).map((p) => p.message).join("; ");
        tell(`Not saved: ${body.detail || r.status}${problems ? ` — ${problems}` : ""}`, "error");
      }
    } catch (err) {
      say("Not saved (no connection)", "bad");
    } finally {
      saving = false;
      saveButton.disabled = readOnly;
      root.dataset.saves = String(Number(root.dataset.saves || 0) + (force ? 0 : 1));
    }
  }

  saveButton.addEventListener("click", () => save());
  if (messageInput) messageInput.addEventListener("keydown", (e) => { if (e.key === "Enter") save(); });
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      save();
    }
  });
  root.querySelectorAll("[data-zoom]").forEach((b) => b.addEventListener("click", () => {
    const canvas = modeler.get("canvas");
    const mode = b.dataset.zoom;
    if (mode === "fit") canvas.zoom("fit-viewport", "auto");
    else canvas.zoom(canvas.zoom() * (mode === "in" ? 1.25 : 0.8));
  }));
  open();
}

document.querySelectorAll("[data-modeler]").forEach(start);
