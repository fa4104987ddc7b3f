// bpmtool web: the little JavaScript the pages use. Every page works without it.
// - swimlane viewer: zoom and pan
// - findings: click one to highlight its nodes, flows and lanes in the SVG
// - run pages: poll the progress of a background check
// - YAML editor: line numbers, live validation with problems at their line
"use strict";

(function () {
  // ---------- swimlane viewer ----------
  function setupViewer(viewer) {
    const port = viewer.querySelector("[data-viewport]");
    const svg = port && port.querySelector("svg");
    if (!svg) return null;
    port.classList.add("js");
    const box = svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width
      ? svg.viewBox.baseVal : null;
    const natW = box ? box.width : (parseFloat(svg.getAttribute("width")) || svg.getBBox().width);
    const natH = box ? box.height : (parseFloat(svg.getAttribute("height")) || svg.getBBox().height);
    svg.setAttribute("width", natW);
    svg.setAttribute("height", natH);
    const st = { k: 1, x: 0, y: 0 };
    const apply = () => { svg.style.transform = `translate(${st.x}px, ${st.y}px) scale(${st.k})`; };
    const fit = () => {
      const w = port.clientWidth, h = port.clientHeight;
      st.k = Math.min(w / natW, h / natH, 1.5) * 0.97;
      st.x = (w - natW * st.k) / 2;
      st.y = (h - natH * st.k) / 2;
      apply();
    };
    // the first view: lanes at a readable size (the whole height), the process's start at
    // the left; a long process is then panned, or "Fit" shows all of it
    const start = () => {
      const w = port.clientWidth, h = port.clientHeight;
      st.k = Math.min((h / natH) * 0.97, 1);
      st.x = natW * st.k < w ? (w - natW * st.k) / 2 : 0;
      st.y = (h - natH * st.k) / 2;
      apply();
    };
    const zoomAt = (factor, cx, cy) => {
      const k = Math.max(0.05, Math.min(8, st.k * factor));
      st.x = cx - (cx - st.x) * (k / st.k);
      st.y = cy - (cy - st.y) * (k / st.k);
      st.k = k;
      apply();
    };
    port.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = port.getBoundingClientRect();
      zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    let drag = null;
    port.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX - st.x, y: e.clientY - st.y };
      port.setPointerCapture(e.pointerId);
      port.classList.add("dragging");
    });
    port.addEventListener("pointermove", (e) => {
      if (!drag) return;
      st.x = e.clientX - drag.x;
      st.y = e.clientY - drag.y;
      apply();
    });
    const stop = () => { drag = null; port.classList.remove("dragging"); };
    port.addEventListener("pointerup", stop);
    port.addEventListener("pointercancel", stop);
    viewer.querySelectorAll("[data-zoom]").forEach((b) => b.addEventListener("click", () => {
      const mode = b.getAttribute("data-zoom");
      if (mode === "fit") return fit();
      zoomAt(mode === "in" ? 1.25 : 0.8, port.clientWidth / 2, port.clientHeight / 2);
    }));
    start();
    window.addEventListener("resize", start);
    // bring a set of elements into view (used by the findings)
    return {
      svg,
      focus(elements) {
        if (!elements.length) return;
        let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        elements.forEach((el) => {
          if (typeof el.getBBox !== "function") return;
          const b = el.getBBox();
          const m = el.getCTM && el.getCTM();
          const rootM = svg.getCTM();
          // positions relative to the svg's user space
          let bx = b.x, by = b.y;
          if (m && rootM) {
            const rel = rootM.inverse().multiply(m);
            bx = rel.a * b.x + rel.c * b.y + rel.e;
            by = rel.b * b.x + rel.d * b.y + rel.f;
          }
          x0 = Math.min(x0, bx); y0 = Math.min(y0, by);
          x1 = Math.max(x1, bx + b.width); y1 = Math.max(y1, by + b.height);
        });
        if (!isFinite(x0)) return;
        const vb = box || { x: 0, y: 0 };
        const cx = (x0 + x1) / 2 - vb.x, cy = (y0 + y1) / 2 - vb.y;
        st.x = port.clientWidth / 2 - cx * st.k;
        st.y = port.clientHeight / 2 - cy * st.k;
        apply();
      },
    };
  }

  // ---------- findings → highlight ----------
  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&"); }

  function setupFindings(viewers) {
    const items = document.querySelectorAll(".finding[data-subject]");
    const clear = () => {
      document.querySelectorAll(".finding.active").forEach((f) => f.classList.remove("active"));
      document.querySelectorAll(".viewport .hl, .viewport .dim, tr.hl").forEach((el) => {
        el.classList.remove("hl"); el.classList.remove("dim");
      });
    };
    const select = (item) => {
      const was = item.classList.contains("active");
      clear();
      if (was) return;
      item.classList.add("active");
      const ids = (item.getAttribute("data-subject") || "").split(/\s+/).filter(Boolean);
      viewers.forEach((v) => {
        const found = [];
        ids.forEach((id) => {
          const q = `[data-node="${cssEscape(id)}"], [data-flow="${cssEscape(id)}"], [data-lane="${cssEscape(id)}"]`;
          v.svg.querySelectorAll(q).forEach((el) => { el.classList.add("hl"); found.push(el); });
        });
        if (found.length) {
          v.svg.querySelectorAll("[data-node], [data-flow]").forEach((el) => {
            if (!el.classList.contains("hl") && !el.closest(".hl")) el.classList.add("dim");
          });
          v.focus(found);
        }
      });
      ids.forEach((id) => document.querySelectorAll(`tr[data-node="${cssEscape(id)}"]`)
        .forEach((tr) => tr.classList.add("hl")));
    };
    items.forEach((item) => {
      item.addEventListener("click", () => select(item));
      item.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(item); }
      });
    });
  }

  // ---------- background run progress ----------
  function setupProgress(card) {
    const id = card.getAttribute("data-run");
    const bar = card.querySelector("[data-bar]");
    const phase = card.querySelector("[data-phase]");
    const pct = card.querySelector("[data-percent]");
    const names = { loading: "Loading the model", reading: "Reading the log",
      aligning: "Aligning the variants with the model", journey: "Analysing the customer journey",
      drawing: "Drawing the result" };
    const poll = async () => {
      try {
        const r = await fetch(`/api/runs/${encodeURIComponent(id)}`, { headers: { Accept: "application/json" } });
        if (r.ok) {
          const run = await r.json();
          if (run.status === "done" || run.status === "failed") { window.location.reload(); return; }
          const p = run.progress || {};
          const f = Math.max(0, Math.min(1, p.fraction || 0));
          bar.value = f;
          pct.textContent = `${Math.round(f * 100)}%`;
          let text = run.status === "running" ? (names[p.phase] || "Working") : "Waiting for a worker";
          if (p.phase === "aligning" && p.total) text += ` (${p.done} of ${p.total} variants)`;
          phase.textContent = text;
        }
      } catch (e) { /* the server restarts or the network blinks: try again */ }
      setTimeout(poll, 700);
    };
    poll();
  }

  // ---------- YAML editor ----------
  function setupEditor(form) {
    if (form.dataset.rich) return;  // the CodeMirror editor (static/build/yaml-editor.js) took it
    const text = form.querySelector("textarea");
    const gutter = form.querySelector("[data-gutter]");
    const status = form.querySelector("[data-status]");
    const box = document.querySelector("[data-problems-box]");
    const nameInput = form.querySelector("input[name=name]");
    let bad = new Set(Array.from(gutter.querySelectorAll("span.bad")).map((s) => Number(s.textContent)));
    const lineCount = () => text.value.split("\n").length;
    const paint = () => {
      const n = lineCount();
      const frag = document.createDocumentFragment();
      for (let i = 1; i <= n; i++) {
        const s = document.createElement("span");
        s.textContent = String(i);
        if (bad.has(i)) s.className = "bad";
        frag.appendChild(s);
        frag.appendChild(document.createTextNode("\n"));
      }
      gutter.replaceChildren(frag);
      text.rows = n + 2;
    };
    const goTo = (line, column) => {
      const lines = text.value.split("\n");
      let pos = 0;
      for (let i = 0; i < Math.min(line - 1, lines.length); i++) pos += lines[i].length + 1;
      pos += Math.max(0, (column || 1) - 1);
      text.focus();
      text.setSelectionRange(pos, pos);
      const lh = parseFloat(getComputedStyle(text).lineHeight) || 20;
      const ed = form.querySelector(".editor");
      ed.scrollTop = Math.max(0, (line - 5) * lh);
      text.scrollIntoView({ block: "nearest" });
    };
    const showProblems = (problems) => {
      box.replaceChildren();
      if (!problems.length) return;
      const div = document.createElement("div");
      div.className = "alert error";
      div.setAttribute("role", "alert");
      const strong = document.createElement("strong");
      strong.textContent = "The model has problems";
      const ul = document.createElement("ul");
      ul.className = "problems";
      problems.forEach((p) => {
        const li = document.createElement("li");
        if (p.line) {
          const a = document.createElement("a");
          a.href = "#text"; a.className = "loc";
          a.dataset.line = p.line; a.dataset.column = p.column || 1;
          a.textContent = `line ${p.line}` + (p.column ? `, column ${p.column}` : "");
          li.appendChild(a);
          li.appendChild(document.createTextNode(" "));
        }
        if (p.key) {
          const c = document.createElement("code");
          c.textContent = p.key;
          li.appendChild(c);
          li.appendChild(document.createTextNode(" "));
        }
        li.appendChild(document.createTextNode(p.message + (p.expected ? ` (expected ${p.expected})` : "")));
        ul.appendChild(li);
      });
      div.appendChild(strong);
      div.appendChild(ul);
      box.appendChild(div);
    };
    let timer = null, seq = 0;
    const validate = async () => {
      const mine = ++seq;
      const name = (nameInput && nameInput.value) || form.getAttribute("data-name") || "model.yaml";
      try {
        const r = await fetch(`/api/validate?filename=${encodeURIComponent(name.endsWith(".yaml") ? name : "model.yaml")}`,
          { method: "POST", headers: { "Content-Type": "text/plain; charset=utf-8" }, body: text.value });
        if (!r.ok || mine !== seq) return;
        const out = await r.json();
        bad = new Set(out.problems.filter((p) => p.line).map((p) => p.line));
        paint();
        showProblems(out.problems);
        const total = Math.max(out.total || 0, out.problems.length);
        const listed = total > out.problems.length ? ` (the first ${out.problems.length.toLocaleString()} listed)` : "";
        status.textContent = out.valid ? "Valid model" : `${total.toLocaleString()} problem${total === 1 ? "" : "s"}${listed}`;
        status.className = "status-line " + (out.valid ? "good" : "bad");
      } catch (e) { /* offline: the server checks again on save */ }
    };
    text.addEventListener("input", () => {
      paint();
      clearTimeout(timer);
      timer = setTimeout(validate, 500);
    });
    text.addEventListener("keydown", (e) => {
      if (e.key === "Tab" && !e.shiftKey) {  // two spaces, as YAML wants
        e.preventDefault();
        const s = text.selectionStart;
        text.setRangeText("  ", s, text.selectionEnd, "end");
        text.dispatchEvent(new Event("input"));
      }
    });
    document.addEventListener("click", (e) => {
      const a = e.target.closest && e.target.closest("a.loc[data-line]");
      if (!a) return;
      e.preventDefault();
      goTo(Number(a.dataset.line), Number(a.dataset.column));
    });
    paint();
    const first = document.querySelector("a.loc[data-line]");
    if (first) goTo(Number(first.dataset.line), Number(first.dataset.column));
  }

  document.addEventListener("DOMContentLoaded", () => {
    const viewers = Array.from(document.querySelectorAll("[data-viewer]")).map(setupViewer).filter(Boolean);
    setupFindings(viewers);
    document.querySelectorAll("[data-run]").forEach(setupProgress);
    document.querySelectorAll("form[data-editor]").forEach(setupEditor);
  });
})();
