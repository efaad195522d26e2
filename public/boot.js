// Starts the wasm app. Trunk fills the data attributes with the hashed file
// names; keeping this out of the HTML lets the CSP forbid inline scripts.
const tag = document.querySelector("script[data-lampboard-js]");
const { default: init } = await import(tag.dataset.lampboardJs);
await init({ module_or_path: tag.dataset.lampboardWasm });
