// trunk's one post_build hook (Trunk.toml): its steps in order, since sw.js must list (and hash)
// the chunks and the template module that the first two steps add to the staging dir.
import "./split-wasm.mjs";
import "./template-module.mjs";
import "./sw-precache.mjs";
