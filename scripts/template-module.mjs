// trunk post_build hook (Trunk.toml), before sw-precache: builds Home Assistant's template
// engine (the `lampboard-templates` crate) as its own wasm module in trunk's staging dir, under
// `templates-<content hash>/`, and names it in index.html's
// `<meta name="lampboard-templates">`. The app fetches it only when a light with templates is
// discovered (src/net/template_module.rs), so it is not part of the first load.
//
// Same toolchain and flags as the app: a release build inherits xtask's nightly environment
// (RUSTUP_TOOLCHAIN, build-std), and wasm-opt gets index.html's flags, chosen by gzip size.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { placeHashed, wasmOptFor } from "./build-steps.mjs";

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
if (!staging) {
  console.error("template-module: TRUNK_STAGING_DIR is not set (run by trunk as a post_build hook)");
  process.exit(1);
}
const release = process.env.TRUNK_PROFILE === "release";
// The app's split flags (scripts/split-wasm.mjs) are not this module's: it has no split
// points, and binaryen cannot shrink a wasm that keeps the linker's relocations.
const env = { ...process.env };
const flagsKey = "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS";
if (env[flagsKey]) {
  env[flagsKey] = env[flagsKey].replace("--cfg lampboard_split", "").replace("-Clink-args=--emit-relocs", "").replace(/\s+/g, " ").trim();
}
const run = (cmd, args) => execFileSync(cmd, args, { cwd: source, env, stdio: ["ignore", "inherit", "inherit"] });

// A cdylib only here: the crate itself is an rlib (templates/Cargo.toml says why).
const cargoArgs = ["rustc", "--quiet", "-p", "lampboard-templates", "--lib", "--target", "wasm32-unknown-unknown", "--crate-type", "cdylib"];
if (release) cargoArgs.push("--release");
run("cargo", cargoArgs);

const targetDir = process.env.CARGO_TARGET_DIR ?? join(source, "target");
const built = join(targetDir, "wasm32-unknown-unknown", release ? "release" : "debug", "lampboard_templates.wasm");
const out = join(staging, "templates-build");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
run("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-dir", out, built]);

if (release) wasmOptFor(source, run)(join(out, "lampboard_templates_bg.wasm"));
const dir = placeHashed(staging, "templates", out);

const htmlPath = join(staging, "index.html");
const html = readFileSync(htmlPath, "utf8");
const meta = `<meta name="lampboard-templates" content="${dir}/lampboard_templates.js" />`;
const marker = /<meta name="lampboard-templates"[^>]*>/;
if (!marker.test(html)) {
  console.error("template-module: index.html has no <meta name=\"lampboard-templates\"> to fill in");
  process.exit(1);
}
writeFileSync(htmlPath, html.replace(marker, meta));
console.log(`template-module: ${dir} (${release ? "release" : "debug"})`);
