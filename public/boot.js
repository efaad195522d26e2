// Starts the wasm app. Trunk fills the data attributes with the hashed file
// names; keeping this out of the HTML lets the CSP forbid inline scripts.
// It also applies the saved colour theme before the first paint, registers
// the service worker (public/sw.js), offers a new version, and offers to
// install the app where the browser supports it: plain DOM, no wasm needed.

const THEME_KEY = "lampboard.theme";
try {
  const theme = localStorage.getItem(THEME_KEY);
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch (_) {
  // Storage can be off (private modes); the system theme applies.
}

// One small bar at the bottom for "New version available" and "Install".
function toast(className, text, buttonText, onClick, onDismiss) {
  let bar = document.querySelector(".pwa-toasts");
  if (!bar) {
    bar = document.createElement("div");
    bar.className = "pwa-toasts";
    document.body.append(bar);
  }
  const box = document.createElement("div");
  box.className = "pwa-toast " + className;
  box.setAttribute("role", "status");
  const label = document.createElement("span");
  label.textContent = text;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "primary";
  button.textContent = buttonText;
  button.addEventListener("click", () => onClick(box));
  const close = document.createElement("button");
  close.type = "button";
  close.className = "icon pwa-dismiss";
  close.setAttribute("aria-label", "Dismiss: " + text);
  close.textContent = "✕";
  close.addEventListener("click", () => {
    box.remove();
    if (onDismiss) onDismiss();
  });
  box.append(label, button, close);
  bar.append(box);
  return box;
}

// The service worker is registered once the app's first screen is in (below): its install
// downloads every file of the app for offline starts, which on a first visit must not share a
// slow link with the wasm and the chunks the page is waiting for (hashed files then come from
// the HTTP cache, not again).
const registerWorker = () => {
  if (!("serviceWorker" in navigator)) return;
  let accepted = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only after the user asked: the first install takes control without a reload.
    if (accepted) {
      accepted = false;
      location.reload();
    }
  });
  const offer = (worker) => {
    // A waiting worker with no controller is the first install, not an update.
    if (!worker || !navigator.serviceWorker.controller) return;
    if (document.querySelector(".pwa-update")) return;
    toast("pwa-update", "New version available", "Reload", (box) => {
      accepted = true;
      box.querySelector("button").disabled = true;
      worker.postMessage("skip-waiting");
    });
  };
  navigator.serviceWorker
    .register("/sw.js")
    .then((reg) => {
      offer(reg.waiting);
      reg.addEventListener("updatefound", () => {
        const worker = reg.installing;
        worker?.addEventListener("statechange", () => {
          if (worker.state === "installed") offer(worker);
        });
      });
    })
    .catch((e) => console.warn("Lampboard: no offline support:", e));
};

// Registered once the first screen is final (the app's `lampboard-settled`: the first visit's
// wait for its lamps is over, store/reactive/arrival.rs), or 10 s after the app started when no
// connection settles it: on a first visit the lamp systems' chunks come before the worker's
// install downloads everything else. Listened for before the app starts, so an early one counts.
let workerRegistered = false;
const registerWorkerOnce = () => {
  if (!workerRegistered) {
    workerRegistered = true;
    registerWorker();
  }
};
addEventListener("lampboard-settled", registerWorkerOnce, { once: true });

// A dismissed Install bar stays dismissed (it used to come back on every load).
const INSTALL_DISMISSED_KEY = "lampboard.install-dismissed";
const installDismissed = () => {
  try {
    return localStorage.getItem(INSTALL_DISMISSED_KEY) === "1";
  } catch (_) {
    return false;
  }
};
let installEvent = null;
window.addEventListener("beforeinstallprompt", (event) => {
  event.preventDefault();
  installEvent = event;
  if (installDismissed() || document.querySelector(".pwa-install")) return;
  toast("pwa-install", "Use Lampboard as an app", "Install", async (box) => {
    box.remove();
    const prompt = installEvent;
    installEvent = null;
    if (prompt) await prompt.prompt();
  }, () => {
    try {
      localStorage.setItem(INSTALL_DISMISSED_KEY, "1");
    } catch (_) {
      // Storage off: dismissed for this visit only.
    }
  });
});
window.addEventListener("appinstalled", () => {
  installEvent = null;
  document.querySelector(".pwa-install")?.remove();
});

// A start that fails (no WebAssembly, a download cut off, a blocked file) says so in the
// app shell index.html painted, instead of leaving "Starting Lampboard…" forever.
const startFailed = (error) => {
  console.error("Lampboard could not start:", error);
  const status = document.querySelector("#app-shell .shell-status");
  if (!status) return;
  status.classList.add("is-failed");
  // The header's status (the shell draws the app's) says it too, in the refused colour.
  for (const el of document.querySelectorAll("#app-shell [data-status]")) el.dataset.status = "refused";
  const line = document.querySelector("#app-shell .status-text");
  if (line) line.textContent = "Could not start";
  const short = document.querySelector("#app-shell .status-short");
  if (short) short.textContent = "Failed";
  // The shell's form cannot connect without the app: greyed, with no "Stop trying".
  document.getElementById("app-shell")?.classList.add("is-failed");
  const noWasm = typeof WebAssembly === "undefined";
  status.textContent = noWasm
    ? "Lampboard could not start: this browser has no WebAssembly. Use a current Chrome, Edge, Firefox or Safari."
    : "Lampboard could not start: the app did not load (" + (error?.message || error) + "). Check the connection and reload the page.";
  if (!noWasm) {
    const reload = document.createElement("button");
    reload.type = "button";
    reload.className = "primary shell-reload";
    reload.textContent = "Reload";
    reload.addEventListener("click", () => location.reload());
    status.append(document.createElement("br"), reload);
  }
};
// The app shell (index.html: the app's first screen) is painted before the app is fetched:
// the 700 KB of wasm would otherwise share a slow phone link with the stylesheet the first
// paint waits for (trunk's preload tags are off for this, `pattern_preload` in Trunk.toml).
// A hidden page paints nothing, so it starts at once, and a page hidden before its first
// frame (no animation frames then) starts after half a second. The glue and the wasm are
// then fetched side by side, not one after the other.
const painted = () =>
  new Promise((resolve) => {
    if (document.visibilityState === "hidden") return resolve();
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, 500);
  });
// Dynamic import() for the app's wasm, which cannot write JS syntax: it loads Home Assistant's
// template engine module on first need (src/net/template_module.rs).
globalThis.lampboardImport = (url) => import(url);
try {
  await painted();
  const tag = document.querySelector("script[data-lampboard-js]");
  const wasmResponse = fetch(tag.dataset.lampboardWasm);
  // init() below reports a failed download; this only keeps it from also being "unhandled"
  // when the glue's import fails first.
  wasmResponse.catch(() => {});
  const { default: init } = await import(tag.dataset.lampboardJs);
  const wasm = await init({ module_or_path: wasmResponse });
  // For `cargo xtask bench`: the wasm heap's size, read next to performance.memory.
  globalThis.lampboardWasmMemory = wasm.memory;
  setTimeout(registerWorkerOnce, 10000);
} catch (error) {
  startFailed(error);
}
