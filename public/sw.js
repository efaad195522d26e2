// Lampboard's service worker: keeps the app shell so the page opens offline.
//
// Why precaching filled in at build time, not runtime caching: trunk hashes the wasm, js and css
// names, so this file cannot name them, but scripts/sw-precache.mjs (a trunk post_build hook)
// can: it writes the exact file list and a hash of their contents below. That gives (1) a shell
// that works offline after the first visit, even though the first page load fetched its files
// before this worker existed; (2) a cache version that changes exactly when a file changes, so a
// deploy always makes the browser see a new worker and the page offer "Reload" (a hand-kept
// version constant is forgotten sooner or later); (3) atomic versions: old caches go on activate.
// Unbuilt (trunk did not run the hook) it still works: it caches only the page.
const VERSION = "unbuilt";
const SHELL = ["index.html"];

const PREFIX = "lampboard-shell-";
const CACHE = PREFIX + VERSION;

// Files whose name carries a hash of their content (trunk's `name-<hash>.ext`, the template
// engine's `templates-<hash>/`, the split views' `split-<hash>/`): any copy under that name is
// this build's.
const HASHED = /(^|\/)[^/]*-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$|^(templates|split)-[0-9a-f]{16}\//;

self.addEventListener("install", (event) => {
  // cache: "reload" skips the HTTP cache for unhashed files (index.html, boot.js, icons), so
  // the precache holds this build's bytes; hashed ones may come from it, so a first visit
  // does not download the wasm a second time.
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(
        SHELL.map((path) => new Request(path, { cache: HASHED.test(path) ? "default" : "reload" }))
      )
    )
  );
  // No skipWaiting here: a new version waits until the page's "Reload" says so, so a running
  // page never mixes the old wasm with new files.
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(
        keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))
      )
    )
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Network first, so an online visit always sees the deployed page; offline, the cached
    // page of this worker's version, whose hashed files are all in the same cache.
    event.respondWith(
      fetch(request).catch(() =>
        caches.open(CACHE).then((cache) => cache.match("index.html")).then(
          (hit) => hit || Response.error()
        )
      )
    );
    return;
  }
  // Hashed assets and icons never change under one name: the cache first, else the network.
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request))
    )
  );
});
