// trunk's one post_build hook (Trunk.toml): its steps in order, since sw.js must list (and hash)
// the template module that the first step adds to the staging dir.
import "./template-module.mjs";
import "./sw-precache.mjs";
