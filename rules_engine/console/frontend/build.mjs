// Builds the console's browser files into ../static (and copies axe-core for the browser
// tests into tests/console), and writes ../static/assets.json: the
// SHA-256 of package-lock.json and src/editor.js they were built from and of each file, which
// the test suite checks (tests/console/test_assets.py), so a lockfile or a source changed
// without a rebuild is caught.
//   npm ci && npm run build
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";

const STATIC = "../static";
const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

await build({
  entryPoints: ["src/editor.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "eof",
  outfile: `${STATIC}/editor.js`,
});
copyFileSync("node_modules/htmx.org/dist/htmx.min.js", `${STATIC}/htmx.min.js`);
// axe-core is for the browser tests only (accessibility checks): kept beside them, not shipped.
const TESTS = "../../../tests/console";
copyFileSync("node_modules/axe-core/axe.min.js", `${TESTS}/axe.min.js`);

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const version = (name) => lock.packages[`node_modules/${name}`].version;
const manifest = {
  built_from: { "package-lock.json": sha256("package-lock.json"), "src/editor.js": sha256("src/editor.js") },
  versions: Object.fromEntries(
    [
      "@codemirror/commands",
      "@codemirror/view",
      "@codemirror/state",
      "@codemirror/language",
      "@codemirror/lint",
      "@codemirror/autocomplete",
      "htmx.org",
      "esbuild",
      "axe-core",
    ].map(
      (name) => [name, version(name)],
    ),
  ),
  files: Object.fromEntries(["editor.js", "htmx.min.js"].map((name) => [name, sha256(`${STATIC}/${name}`)])),
  test_files: { "axe.min.js": sha256(`${TESTS}/axe.min.js`) },
};
writeFileSync(`${STATIC}/assets.json`, JSON.stringify(manifest, null, 2) + "\n");
console.log(manifest);
