// trunk post_build hook step (scripts/post-build.mjs), first: cuts the release app into the
// first load and the chunks of the views that are not on the first screen (src/ui/split.rs).
//
// Trunk cannot split a wasm: it runs wasm-bindgen and wasm-opt on cargo's output as one module.
// The release build (xtask's nightly flags: `--cfg lampboard_split`, `-Clink-args=--emit-relocs`)
// leaves cargo's output with the relocations wasm-split needs, so this step redoes trunk's last
// two steps on it: wasm-split-cli (wasm_split_cli_support, the splitter behind Leptos' `#[lazy]`)
// writes the main module and one wasm per chunk; wasm-bindgen (trunk's flags, plus the linker's
// exports the chunks import) and wasm-opt (index.html's flags) then run as trunk would. The main
// module replaces trunk's under the same names, so index.html and boot.js stay as trunk wrote
// them; the chunks and their loader go into `split-<content hash>/`.
//
// A build without the cfg (a debug build, `trunk build --release` by hand on stable) has no
// split points: this step then does nothing.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { appLink, placeHashed, wasmOptFor } from "./build-steps.mjs";

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
if (!staging) {
  console.error("split-wasm: TRUNK_STAGING_DIR is not set (run by trunk as a post_build hook)");
  process.exit(1);
}
const flags = process.env.CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS ?? "";
if (process.env.TRUNK_PROFILE !== "release" || !flags.includes("lampboard_split")) {
  console.log("split-wasm: not a split build, nothing to do");
} else {
  split();
}

function split() {
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: source, stdio: ["ignore", "inherit", "inherit"] });
  const fail = (why) => {
    console.error(`split-wasm: ${why}`);
    process.exit(1);
  };

  const htmlPath = join(staging, "index.html");
  const html = readFileSync(htmlPath, "utf8");
  // boot.js's data attributes name trunk's hashed glue: `lampboard-<hash>.js`.
  const js = /data-lampboard-js="\/?([^"]+)\.js"/.exec(html)?.[1];
  if (!js || js.includes("/")) fail("index.html names no app glue (data-lampboard-js)");
  const rustLink = appLink(source);
  const bin = /data-bin="([^"]*)"/.exec(rustLink)?.[1] ?? "lampboard";

  const targetDir = process.env.CARGO_TARGET_DIR ?? join(source, "target");
  const built = join(targetDir, "wasm32-unknown-unknown", "release", `${bin}.wasm`);
  if (!existsSync(built)) fail(`${built} is missing`);

  const work = join(targetDir, "wasm-split");
  rmSync(work, { recursive: true, force: true });
  const cut = join(work, "cut");
  const bound = join(work, "bound");
  mkdirSync(cut, { recursive: true });
  mkdirSync(bound, { recursive: true });

  run("wasm-split-cli", [built, cut, "--out-name", js]);
  const bindgen = ["--target", "web", "--no-typescript", "--keep-lld-exports", "--out-dir", bound, "--out-name", js];
  if (/\bdata-weak-refs\b/.test(rustLink)) bindgen.push("--weak-refs");
  run("wasm-bindgen", [...bindgen, join(cut, `${js}.wasm`)]);

  const optimise = wasmOptFor(source, run);

  // The chunks and their loader, in a directory named by their content.
  const chunks = join(work, "chunks");
  mkdirSync(chunks);
  const names = readdirSync(cut).filter((n) => n.endsWith(".wasm") && n !== `${js}.wasm`);
  if (names.length === 0) fail("wasm-split found no split points in a split build");
  for (const name of names) {
    copyFileSync(join(cut, name), join(chunks, name));
    optimise(join(chunks, name));
  }
  const loader = readFileSync(join(cut, "__wasm_split.js"), "utf8");
  const mainImport = `from "./${js}.js"`;
  if (!loader.includes(mainImport)) fail(`__wasm_split.js does not import ${js}.js`);
  writeFileSync(join(chunks, "__wasm_split.js"), loader.replace(mainImport, `from "../${js}.js"`));
  const dir = placeHashed(staging, "split", chunks);

  // The main module, under trunk's names; its import of the loader points into the directory.
  const glue = readFileSync(join(bound, `${js}.js`), "utf8");
  const loaderImport = `from "./__wasm_split.js"`;
  if (!glue.includes(loaderImport)) fail("the main module imports no __wasm_split.js");
  // wasm-bindgen writes one import line per group of the loader's functions.
  writeFileSync(join(staging, `${js}.js`), glue.replaceAll(loaderImport, `from "./${dir}/__wasm_split.js"`));
  const wasm = join(staging, `${js}_bg.wasm`);
  copyFileSync(join(bound, `${js}_bg.wasm`), wasm);
  optimise(wasm);
  console.log(`split-wasm: ${names.length} chunks in ${dir}`);
}
