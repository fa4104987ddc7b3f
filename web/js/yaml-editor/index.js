// The YAML model editor (/models/<name>/edit, /models/new): CodeMirror 6 over the form's
// textarea, with YAML highlighting, completion from the model's JSON Schema, and the
// server's validation (POST /api/validate) as lint marks at their lines.  The textarea stays
// the form field (kept in step with the editor), so saving works as without JavaScript.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, defaultHighlightStyle, foldGutter, foldKeymap, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { forceLinting, linter, lintGutter, lintKeymap } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";
import { schemaCompletion } from "./schema-completion.js";

const theme = EditorView.theme({
  "&": { border: "1px solid var(--line)", borderRadius: "var(--radius)", background: "#fff", fontSize: "13.5px" },
  "&.cm-focused": { outline: "2px solid var(--accent-soft)" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.55", minHeight: "420px", maxHeight: "72vh" },
  ".cm-gutters": { background: "var(--bg)", borderRight: "1px solid var(--line)", color: "var(--muted)" },
  ".cm-tooltip-autocomplete ul li[aria-selected]": { background: "var(--accent)" },
});

const forms = document.querySelectorAll("form[data-editor]");
forms.forEach((form) => { form.dataset.rich = "1"; });  // app.js leaves these to us

function showProblems(box, status, problems, view) {
  box.replaceChildren();
  status.textContent = problems.length ? `${problems.length} problem${problems.length === 1 ? "" : "s"}` : "Valid model";
  status.className = `status-line ${problems.length ? "bad" : "good"}`;
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
      a.href = "#text";
      a.className = "loc";
      a.textContent = `line ${p.line}` + (p.column ? `, column ${p.column}` : "");
      a.addEventListener("click", (e) => { e.preventDefault(); goTo(view, p.line, p.column); });
      li.append(a, " ");
    }
    if (p.key) {
      const c = document.createElement("code");
      c.textContent = p.key;
      li.append(c, " ");
    }
    li.append(p.message + (p.expected ? ` (expected ${p.expected})` : ""));
    ul.appendChild(li);
  });
  div.append(strong, ul);
  box.appendChild(div);
}

function goTo(view, line, column) {
  const doc = view.state.doc;
  const l = doc.line(Math.max(1, Math.min(line, doc.lines)));
  const pos = Math.min(l.to, l.from + Math.max(0, (column || 1) - 1));
  view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  view.focus();
}

async function start(form) {
  const textarea = form.querySelector("textarea");
  const old = form.querySelector(".editor");
  const box = document.querySelector("[data-problems-box]");
  const status = form.querySelector("[data-status]");
  const nameInput = form.querySelector("input[name=name]");
  let schema = { $defs: {} };
  const completion = schemaCompletion(new Proxy({}, { get: (_, k) => schema[k] }));
  fetch("/api/schema/model", { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : null)).then((s) => { if (s) schema = s; }).catch(() => {});

  const validate = linter(async (view) => {
    const name = (nameInput && nameInput.value) || form.dataset.name || "model.yaml";
    const filename = /\.(ya?ml|json)$/i.test(name) ? name : "model.yaml";
    let out;
    try {
      const r = await fetch(`/api/validate?filename=${encodeURIComponent(filename)}`, {
        method: "POST", headers: { "Content-Type": "text/plain; charset=utf-8" }, body: view.state.doc.toString(),
      });
      if (!r.ok) return [];
      out = await r.json();
    } catch (e) {
      return [];  // offline: the server checks again on save
    }
    showProblems(box, status, out.problems, view);
    const doc = view.state.doc;
    return out.problems.map((p) => {
      const line = doc.line(Math.max(1, Math.min(p.line || 1, doc.lines)));
      const from = Math.min(line.to, line.from + Math.max(0, (p.column || 1) - 1));
      return {
        from, to: Math.max(from, line.to), severity: "error",
        message: (p.key ? `${p.key}: ` : "") + p.message + (p.expected ? ` (expected ${p.expected})` : ""),
      };
    });
  }, { delay: 500 });

  const view = new EditorView({
    parent: form.querySelector("[data-rich-editor]") || old.parentNode.insertBefore(document.createElement("div"), old),
    state: EditorState.create({
      doc: textarea.value.replace(/^\n/, ""),
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), foldGutter(), lintGutter(), history(), drawSelection(),
        indentOnInput(), indentUnit.of("  "), bracketMatching(), closeBrackets(), highlightActiveLine(),
        highlightSelectionMatches(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        yaml(), validate, theme,
        autocompletion({ override: [completion], activateOnTyping: true, icons: false }),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...completionKeymap, ...lintKeymap, indentWithTab]),
        EditorView.updateListener.of((u) => { if (u.docChanged) textarea.value = u.state.doc.toString(); }),
        EditorView.contentAttributes.of({ "aria-label": "Model YAML", spellcheck: "false", autocapitalize: "off", autocorrect: "off" }),
      ],
    }),
  });
  view.dom.classList.add("yaml-editor");
  old.hidden = true;
  old.style.display = "none";  // its CSS display would win over [hidden]
  textarea.value = view.state.doc.toString();
  const first = document.querySelector("a.loc[data-line]");  // problems the server sent with the page
  document.querySelectorAll("a.loc[data-line]").forEach((a) => a.addEventListener("click", (e) => {
    e.preventDefault();
    goTo(view, Number(a.dataset.line), Number(a.dataset.column));
  }));
  if (first) goTo(view, Number(first.dataset.line), Number(first.dataset.column));
  form.dataset.ready = "1";
  window.bpmtoolYamlEditor = view;  // for the browser tests
  if (box && box.querySelector(".alert")) forceLinting(view);
}

forms.forEach((form) => start(form));
