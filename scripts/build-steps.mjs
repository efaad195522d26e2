// What the post_build steps that build wasm modules of their own (scripts/split-wasm.mjs,
// scripts/template-module.mjs) share with each other and with trunk's build of the app.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

// index.html's `<link data-trunk rel="rust" …>`: the app's build settings, as trunk reads them.
export function appLink(source) {
  const index = readFileSync(join(source, "index.html"), "utf8");
  return /<link data-trunk rel="rust"[^>]*>/.exec(index)?.[0] ?? "";
}

// wasm-opt in place, as trunk runs it on the app: the link's level and flags (chosen by gzip
// size), binaryen 132 from node_modules (Debian's older one breaks the app).
export function wasmOptFor(source, run) {
  const link = appLink(source);
  const params = /data-wasm-opt-params="([^"]*)"/.exec(link)?.[1] ?? "";
  const level = /data-wasm-opt="([^"]*)"/.exec(link)?.[1] ?? "z";
  const local = join(source, "node_modules", ".bin", "wasm-opt");
  const wasmOpt = existsSync(local) ? local : "wasm-opt";
  return (file) => run(wasmOpt, [`-O${level}`, ...params.split(/\s+/).filter(Boolean), file, "-o", file]);
}

// Moves the directory `out` into the staging dir as `<prefix>-<hash of its files>` (the
// service worker takes such names as hashed), replacing an earlier build's; returns the name.
export function placeHashed(staging, prefix, out) {
  const hash = createHash("sha256");
  for (const name of readdirSync(out).sort()) {
    hash.update(name + "\0");
    hash.update(readFileSync(join(out, name)));
  }
  const dir = `${prefix}-${hash.digest("hex").slice(0, 16)}`;
  for (const old of readdirSync(staging).filter((n) => n.startsWith(`${prefix}-`) && join(staging, n) !== out)) {
    rmSync(join(staging, old), { recursive: true, force: true });
  }
  renameSync(out, join(staging, dir));
  return dir;
}
