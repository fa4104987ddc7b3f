// Bundle the browser side of the web app into static/build/ (git-ignored):
//   modeler.js + modeler.css   the bpmn-js Modeler page (js/modeler/)
//   yaml-editor.js             CodeMirror 6 for the YAML editor (js/yaml-editor/)
// and write static/build/manifest.json, which tells the app the bundles exist and which
// build they are (the pages add its hash to the URLs, so browsers never mix two builds).
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "static", "build");
rmSync(out, { recursive: true, force: true });

const result = await build({
  entryPoints: {
    modeler: join(here, "js", "modeler", "index.js"),
    "yaml-editor": join(here, "js", "yaml-editor", "index.js"),
  },
  outdir: out,
  bundle: true,
  format: "esm",
  target: ["es2020"],
  minify: true,
  legalComments: "linked",
  assetNames: "[name]-[hash]",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "file" },
  logLevel: "warning",
  metafile: true,
});

const hash = createHash("sha256");
const files = readdirSync(out).sort();
for (const name of files) hash.update(name).update(readFileSync(join(out, name)));
const version = (name) => JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"))).version;
const manifest = {
  build: hash.digest("hex").slice(0, 12),
  files,
  packages: {
    "bpmn-js": version("bpmn-js"),
    "@codemirror/view": version("@codemirror/view"),
    "@codemirror/lang-yaml": version("@codemirror/lang-yaml"),
  },
};
writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
const sizes = Object.entries(result.metafile.outputs)
  .filter(([path]) => /\.(js|css)$/.test(path))
  .map(([path, o]) => `${path.split("/").pop()} ${(o.bytes / 1024).toFixed(0)} KB`);
console.log(`bpmtool web assets built in static/build: ${sizes.join(", ")}`);
