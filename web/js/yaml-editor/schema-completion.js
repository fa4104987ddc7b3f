// Completion for the YAML model editor from the model's JSON Schema (GET /api/schema/model):
// keys of the mapping the cursor is in (block or flow style, `- {id: …, na|`), enum values
// (`type: |`), and the ids the model already has where a key refers to them (`lane: |` →
// lane ids, `inputs: [|` → artifact ids, `- a -> |` → node ids).

/** Which ids a key refers to: the top-level section that defines them. */
const REFERENCES = {
  lane: "lanes", lanes: "lanes", pool: "pools",
  inputs: "artifacts", outputs: "artifacts", artifact: "artifacts",
  source: "nodes", target: "nodes", from: "nodes", to: "nodes", nodes: "nodes",
  attached_to: "nodes", triggered_by: "nodes", parent: "nodes", activity: "nodes",
  milestone: "milestones",
};

function deref(schema, node) {
  let n = node;
  for (let i = 0; n && n.$ref && i < 20; i++) {
    const name = n.$ref.replace(/^#\/\$defs\//, "");
    n = schema.$defs && schema.$defs[name];
  }
  return n || null;
}

/** The object-like branches of a schema node (through $ref and anyOf/oneOf). */
function branches(schema, node) {
  const n = deref(schema, node);
  if (!n) return [];
  const alts = n.anyOf || n.oneOf;
  if (alts) return alts.flatMap((a) => branches(schema, a));
  return [n];
}

/** The schema of what sits at ``path`` (keys, "[]" for an array item), or null. */
export function schemaAt(schema, path) {
  let nodes = [schema];
  for (const seg of path) {
    const next = [];
    for (const node of nodes) {
      for (const b of branches(schema, node)) {
        if (seg === "[]") {
          if (b.items) next.push(b.items);
        } else if (b.properties && b.properties[seg]) {
          next.push(b.properties[seg]);
        } else if (b.patternProperties) {
          for (const [pattern, sub] of Object.entries(b.patternProperties)) {
            if (new RegExp(pattern).test(seg)) next.push(sub);
          }
        } else if (b.additionalProperties && typeof b.additionalProperties === "object") {
          next.push(b.additionalProperties);
        }
      }
    }
    if (!next.length) return null;
    nodes = next;
  }
  return { anyOf: nodes };
}

function keysOf(schema, node) {
  const out = new Map();
  for (const b of branches(schema, node)) {
    const required = new Set(b.required || []);
    Object.entries(b.properties || {}).forEach(([key, sub]) => {
      if (!out.has(key)) out.set(key, { key, sub: deref(schema, sub) || sub, required: required.has(key) });
    });
  }
  return [...out.values()];
}

function valuesOf(schema, node) {
  const values = new Set();
  for (const b of branches(schema, node)) {
    (b.enum || []).forEach((v) => values.add(v));
    if (b.const !== undefined) values.add(b.const);
    if (b.type === "boolean") { values.add(true); values.add(false); }
    if (b.type === "array" && b.items) valuesOf(schema, b.items).forEach((v) => values.add(v));
  }
  return [...values].filter((v) => v !== null);
}

function describe(sub) {
  if (!sub) return "";
  const type = sub.type || (sub.anyOf ? sub.anyOf.map((a) => a.type || (a.$ref ? "object" : "")).filter((t) => t && t !== "null").join(" | ") : "");
  return type || "";
}

/** The ids each top-level section of the document defines (`lanes:` → its `id:`s …). */
export function definedIds(text) {
  const ids = { lanes: new Set(), artifacts: new Set(), nodes: new Set(), pools: new Set(), milestones: new Set() };
  let section = null;
  for (const line of text.split("\n")) {
    const top = /^([A-Za-z_]+):/.exec(line);
    if (top) { section = top[1]; continue; }
    if (!section) continue;
    const re = /(?:^|[\s{,-])id:\s*["']?([^\s,}"'#]+)/g;
    let m;
    while ((m = re.exec(line))) {
      if (section === "stages") {
        if (/^\s{4,}|^\s*-\s+\{?\s*id:.*question/.test(line)) ids.milestones.add(m[1]);
      } else if (ids[section]) {
        ids[section].add(m[1]);
      }
    }
  }
  return ids;
}

const INDENT = /^(\s*)(-\s+)?/;

/** Where the cursor is: the key path of its mapping, and whether a key or a value is typed. */
export function contextAt(text, pos) {
  const lineStart = text.lastIndexOf("\n", pos - 1) + 1;
  const before = text.slice(lineStart, pos);
  const path = [];
  // flow collections opened on this line: `- {id: a, lane: |` or `inputs: [a, |`
  let depth = [];
  let quote = null;
  for (let i = 0; i < before.length; i++) {
    const c = before[i];
    if (quote) { if (c === quote) quote = null; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === "{" || c === "[") depth.push({ c, at: i });
    else if (c === "}" || c === "]") depth.pop();
    else if (c === "#" && (i === 0 || before[i - 1] === " ")) return null;  // a comment
  }
  if (quote) return null;
  const [, spaces, dash] = INDENT.exec(before);
  let col = spaces.length + (dash ? dash.length : 0);
  const head = before.slice(col);
  // the key that opened the first flow collection, or the block key of this line
  const segments = [];
  let rest = head;
  if (depth.length) {
    let at = 0;
    for (const open of depth) {
      const chunk = before.slice(col + at, open.at);
      const key = /([^\s{[,:][^:{[,]*?)\s*:\s*$/.exec(chunk);
      if (key) segments.push(key[1].trim());
      if (open.c === "[") segments.push("[]");
      at = open.at + 1 - col;
    }
    rest = before.slice(col + at);
    rest = rest.slice(rest.lastIndexOf(",") + 1);
  }
  walkUp(text.slice(0, lineStart), spaces.length, !!dash, path);
  path.push(...segments);
  const present = new Set();
  const lastOpen = depth.length ? depth[depth.length - 1] : null;
  if (lastOpen && lastOpen.c === "{") {
    (before.slice(lastOpen.at).match(/[\w-]+(?=\s*:)/g) || []).forEach((k) => present.add(k));
  } else if (!depth.length) {
    siblingKeys(text.slice(0, lineStart), col, present);
    const own = /^\s*(?:-\s+)?([\w-]+)\s*:/.exec(before);
    if (own) present.add(own[1]);
  }
  const value = /^\s*([^:{[,]+?)\s*:\s*(.*)$/.exec(rest);
  if (value) {
    return { path: [...path, value[1].trim()], mode: "value", key: value[1].trim(), word: /[^\s\[,{:]*$/.exec(value[2])[0], present };
  }
  const word = /[^\s\[,{]*$/.exec(rest)[0];
  const inSeq = depth.length && depth[depth.length - 1].c === "[";
  return { path, mode: inSeq ? "value" : "key", key: inSeq ? segments[segments.length - 2] : null, word, flowText: rest, present };
}

/** The keys already written in the block mapping at column ``col`` above the cursor. */
function siblingKeys(above, col, present) {
  const lines = above.split("\n");
  lines.pop();
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (!line.trim() || /^\s*#/.test(line)) continue;
    const [, sp, ds] = INDENT.exec(line);
    const at = sp.length + (ds ? ds.length : 0);
    if (at < col || (ds && at === col && sp.length < col)) {
      if (ds && at === col) {  // the item's first line: `- id: x`
        const k = /^\s*-\s+([\w-]+)\s*:/.exec(line);
        if (k) present.add(k[1]);
      }
      return;
    }
    if (at === col) {
      const k = /^\s*(?:-\s+)?([\w-]+)\s*:/.exec(line);
      if (k) present.add(k[1]);
      if (ds) return;
    }
  }
}

/** Prepend to ``path`` the keys and sequence items that hold a line at column ``indent``
(``item``: the line starts a sequence item there). */
function walkUp(above, indent, item, path) {
  const lines = above.split("\n");
  lines.pop();
  let seqCol = item ? indent : null;  // looking for the key that owns a sequence at this column
  let mapCol = item ? null : indent;  // …or for what holds a mapping at this column
  if (item) path.unshift("[]");
  for (let i = lines.length - 1; i >= 0; i--) {
    if (mapCol === 0) return;  // the document's own mapping
    const line = lines[i];
    if (!line.trim() || /^\s*#/.test(line)) continue;
    const [, sp, ds] = INDENT.exec(line);
    const at = sp.length;
    const key = /^\s*(?:-\s+)?([^\s:#{[][^:#]*?)\s*:\s*(?:#.*)?$/.exec(line);  // `key:` opening a block
    if (seqCol !== null) {
      if (at > seqCol || (ds && at === seqCol)) continue;  // a sibling item or its content
      if (!key) continue;
      path.unshift(key[1]);
      if (ds) { path.unshift("[]"); seqCol = at; } else { seqCol = null; mapCol = at; }
    } else {
      if (at >= mapCol) continue;
      if (ds && at + ds.length === mapCol) {  // `- id: x` then `  name: |`
        path.unshift("[]");
        mapCol = null;
        seqCol = at;
      } else if (key) {
        path.unshift(key[1]);
        if (ds) { path.unshift("[]"); mapCol = null; seqCol = at; } else { mapCol = at; }
      }
    }
  }
}

/** A CodeMirror completion source over ``schema``. */
export function schemaCompletion(schema) {
  return (context) => {
    const text = context.state.doc.toString();
    const where = contextAt(text, context.pos);
    if (!where) return null;
    const from = context.pos - where.word.length;
    if (!context.explicit && !where.word && where.mode === "key" && !/[{,]\s*$|^\s*(-\s+)?$/.test(text.slice(text.lastIndexOf("\n", context.pos - 1) + 1, context.pos))) return null;
    const options = [];
    const ids = definedIds(text);
    if (where.mode === "key") {
      const parent = where.path.length && where.path[where.path.length - 1] === "[]" ? where.path.slice(0, -1) : null;
      // a flow shorthand `- a -> b`: node ids
      if (parent && parent.length === 1 && parent[0] === "flows" && !/[{:]/.test(where.flowText || "")) {
        ids.nodes.forEach((id) => options.push({ label: id, type: "variable", detail: "node" }));
      }
      const node = schemaAt(schema, where.path);
      if (node) {
        const present = where.present;
        keysOf(schema, node).forEach(({ key, sub, required }) => {
          if (present.has(key) && key !== where.word) return;
          options.push({
            label: key,
            apply: `${key}: `,
            type: "property",
            detail: describe(sub) + (required ? " · required" : ""),
            info: (sub && (sub.description || sub.title)) || undefined,
            boost: required ? 2 : 0,
          });
        });
      }
    } else {
      const node = schemaAt(schema, where.path);
      if (node) valuesOf(schema, node).forEach((v) => options.push({ label: String(v), type: "enum" }));
      const section = REFERENCES[where.key];
      if (section && ids[section]) ids[section].forEach((id) => options.push({ label: id, type: "variable", detail: section.replace(/s$/, "") }));
    }
    if (!options.length) return null;
    return { from, options, validFor: /^[\w.-]*$/ };
  };
}
