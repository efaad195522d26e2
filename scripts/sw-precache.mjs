// trunk post_build hook (Trunk.toml): writes the app shell's file list and a content hash as the
// cache version into sw.js in trunk's staging dir. Trunk hashes the wasm/js/css names, so
// public/sw.js cannot list them itself; see the comment at the top of public/sw.js.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("sw-precache: TRUNK_STAGING_DIR is not set (run by trunk as a post_build hook)");
  process.exit(1);
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const swPath = join(staging, "sw.js");
const files = walk(staging)
  .map((p) => relative(staging, p).split(sep).join("/"))
  .filter((p) => p !== "sw.js")
  .sort();
const hash = createHash("sha256");
for (const file of files) {
  hash.update(file + "\0");
  hash.update(readFileSync(join(staging, file)));
}
const version = hash.digest("hex").slice(0, 16);

let sw = readFileSync(swPath, "utf8");
const fill = (pattern, line) => {
  if (!pattern.test(sw)) {
    console.error(`sw-precache: ${pattern} not found in sw.js`);
    process.exit(1);
  }
  sw = sw.replace(pattern, line);
};
fill(/^const VERSION = .*;$/m, `const VERSION = ${JSON.stringify(version)};`);
fill(/^const SHELL = .*;$/m, `const SHELL = ${JSON.stringify(files)};`);
writeFileSync(swPath, sw);
console.log(`sw-precache: ${files.length} files, version ${version}`);
