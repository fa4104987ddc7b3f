// Live lint: after every change (debounced) the diagram is linted by the server's
// /api/lint — the same rules as `bpmtool lint` — and each finding is drawn as a badge
// (a bpmn-js overlay) on the shapes and flows it names, and listed beside the canvas.
import { indexByModelId } from "./ids.js";

const SEVERITIES = ["error", "warning", "info"];
const DELAY_MS = 400;

export class LiveLint {
  constructor(modeler, { filename, stored, list, summary, onResult }) {
    this.modeler = modeler;
    this.filename = filename;
    this.stored = stored;  // GET: the stored model's lint, cached by the server
    this.list = list;
    this.summary = summary;
    this.onResult = onResult || (() => {});
    this.seq = 0;
    this.timer = null;
    this.findings = [];
    this.index = new Map();
    modeler.on("commandStack.changed", () => this.schedule());
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), DELAY_MS);
  }

  /** Lint the diagram as it is now; ``asStored``: it is the stored model, unchanged. */
  async run(asStored = false) {
    const mine = ++this.seq;
    const started = performance.now();
    this.summary.textContent = "Checking…";
    this.summary.className = "lint-summary busy";
    let doc;
    try {
      let r;
      if (asStored && this.stored) {
        r = await fetch(this.stored, { headers: { Accept: "application/json" } });
      } else {
        const { xml } = await this.modeler.saveXML();
        r = await fetch(`/api/lint?filename=${encodeURIComponent(this.filename)}`, {
          method: "POST",
          headers: { "Content-Type": "application/xml", Accept: "application/json" },
          body: xml,
        });
      }
      if (mine !== this.seq) return;
      doc = await r.json();
      if (!r.ok) {
        this.show([], doc);
        return;
      }
    } catch (e) {
      if (mine === this.seq) {
        this.summary.textContent = "Not checked (no connection)";
        this.summary.className = "lint-summary";
      }
      return;
    }
    this.show(doc.findings || [], null);
    this.summary.dataset.ms = String(Math.round(performance.now() - started));  // benchmarks read it
    this.summary.dataset.runs = String(Number(this.summary.dataset.runs || 0) + 1);
  }

  show(findings, failure) {
    this.findings = findings;
    const overlays = this.modeler.get("overlays");
    const registry = this.modeler.get("elementRegistry");
    overlays.remove({ type: "lint" });
    this.index = indexByModelId(registry);
    const perElement = new Map();
    findings.forEach((f, i) => {
      this.elementsOf(f).forEach((el) => {
        if (!perElement.has(el)) perElement.set(el, []);
        perElement.get(el).push(i);
      });
    });
    perElement.forEach((ids, el) => overlays.add(el, "lint", this.badge(el, ids.map((i) => findings[i]), ids)));
    this.renderList(findings, failure);
    this.onResult(findings);
  }

  /** The diagram elements a finding names (its subject's nodes, flows and lanes). */
  elementsOf(finding) {
    const out = [];
    (finding.subject || []).forEach((id) => (this.index.get(id) || []).forEach((el) => {
      if (!out.includes(el)) out.push(el);
    }));
    return out;
  }

  badge(el, findings, ids) {
    const worst = SEVERITIES.find((s) => findings.some((f) => f.severity === s)) || "info";
    const button = document.createElement("button");
    button.type = "button";
    button.className = `lint-badge ${worst}`;
    button.dataset.findings = ids.join(" ");
    button.dataset.element = el.id;
    button.textContent = findings.length > 1 ? String(findings.length) : "!";
    button.title = findings.map((f) => `${f.code}: ${f.message}`).join("\n");
    button.addEventListener("click", (e) => {
      e.stopPropagation();
      this.focus(ids[0]);
    });
    let position;
    if (el.waypoints) {  // the middle of the flow's longest segment
      let best = null;
      for (let i = 1; i < el.waypoints.length; i++) {
        const a = el.waypoints[i - 1], b = el.waypoints[i];
        const len = Math.hypot(b.x - a.x, b.y - a.y);
        if (!best || len > best.len) best = { len, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      }
      position = { left: best.x - el.x - 9, top: best.y - el.y - 9 };
    } else if (el.type === "bpmn:Lane" || el.type === "bpmn:Participant") {
      position = { top: 4, left: 36 };
    } else {
      position = { top: -9, right: 9 };
    }
    return { position, html: button };
  }

  renderList(findings, failure) {
    const counts = { error: 0, warning: 0, info: 0 };
    findings.forEach((f) => { counts[f.severity] = (counts[f.severity] || 0) + 1; });
    if (failure) {
      this.summary.textContent = "Cannot be checked";
      this.summary.className = "lint-summary bad";
    } else if (!findings.length) {
      this.summary.textContent = "No findings";
      this.summary.className = "lint-summary good";
    } else {
      this.summary.textContent = SEVERITIES.filter((s) => counts[s])
        .map((s) => `${counts[s]} ${s}${counts[s] === 1 ? "" : "s"}`).join(", ");
      this.summary.className = `lint-summary ${counts.error ? "bad" : "warn"}`;
    }
    const items = [];
    if (failure) {
      const li = document.createElement("li");
      li.className = "finding error";
      li.textContent = failure.detail || "the diagram cannot be read";
      (failure.problems || []).forEach((p) => {
        const d = document.createElement("div");
        d.className = "finding-msg";
        d.textContent = p.message;
        li.appendChild(d);
      });
      items.push(li);
    }
    findings.forEach((f, i) => {
      const li = document.createElement("li");
      li.className = `finding ${f.severity}`;
      li.dataset.finding = String(i);
      const head = document.createElement("div");
      const sev = document.createElement("span");
      sev.className = `badge ${f.severity}`;
      sev.textContent = f.severity;
      const code = document.createElement("code");
      code.textContent = f.code;
      head.append(sev, " ", code);
      const msg = document.createElement("div");
      msg.className = "finding-msg";
      msg.textContent = f.message;
      li.append(head, msg);
      if (f.fix) {
        const fix = document.createElement("div");
        fix.className = "finding-fix";
        fix.textContent = f.fix;
        li.appendChild(fix);
      }
      if (this.elementsOf(f).length) {
        li.tabIndex = 0;
        li.classList.add("linked");
        li.addEventListener("click", () => this.focus(i));
        li.addEventListener("keydown", (e) => { if (e.key === "Enter") this.focus(i); });
      }
      items.push(li);
    });
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "No findings: every handoff carries an artifact, every step has an owner and a path.";
      items.push(li);
    }
    this.list.replaceChildren(...items);
  }

  /** Select a finding's elements, bring them into view and mark the finding in the list. */
  focus(i) {
    const f = this.findings[i];
    if (!f) return;
    const els = this.elementsOf(f).filter((el) => el.type !== "bpmn:Participant" && el.type !== "bpmn:Lane");
    const shown = els.length ? els : this.elementsOf(f);
    if (shown.length) {
      this.modeler.get("selection").select(shown);
      this.modeler.get("canvas").scrollToElement(shown[0], { top: 120, bottom: 120, left: 120, right: 120 });
    }
    this.list.querySelectorAll(".finding.active").forEach((li) => li.classList.remove("active"));
    const li = this.list.querySelector(`[data-finding="${i}"]`);
    if (li) {
      li.classList.add("active");
      li.scrollIntoView({ block: "nearest" });
    }
  }
}
