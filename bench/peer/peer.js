// mqtt.js peer for `cargo xtask bench`: subscribes to the app's lamp filter, keeps one
// card per lamp topic with the app's markup and classes (article.lamp-card in a
// section.room per room), counts every message, and publishes a whole seed state
// (retained, QoS 1, like the app) when a switch is clicked. The card's data-confirmed
// changes only when the broker's echo arrives, as the app's does.
"use strict";
const params = new URLSearchParams(location.search);
const statusEl = document.getElementById("status");
const countEl = document.getElementById("count");
const lampsEl = document.getElementById("lamps");
const cards = new Map();
const rooms = new Map();
const decoder = new TextDecoder();
const PRESETS = [
  ["Warm white", "255 183 107"], ["Daylight", "255 244 229"], ["Red", "255 48 48"],
  ["Orange", "255 128 0"], ["Yellow", "255 214 0"], ["Green", "40 220 90"],
  ["Turquoise", "0 255 255"], ["Blue", "40 90 255"], ["Purple", "160 60 255"],
  ["Pink", "255 80 180"],
];
const WARM = { r: 255, g: 147, b: 41 };
let received = 0;
let frameAsked = false;

// The count is drawn once per animation frame, as the app's explorer does.
function drawCount() {
  frameAsked = false;
  countEl.textContent = String(received);
}

function el(tag, cls, attrs) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  return e;
}

function roomGrid(name) {
  let grid = rooms.get(name);
  if (grid) return grid;
  const section = el("section", "room");
  const head = el("div", "room-head");
  const h2 = el("h2");
  h2.textContent = name;
  const actions = el("div", "room-actions");
  for (const label of ["All on", "All off"]) {
    const b = el("button", "chip");
    b.textContent = label;
    actions.append(b);
  }
  head.append(h2, actions);
  grid = el("div", "lamp-grid");
  section.append(head, grid);
  lampsEl.append(section);
  rooms.set(name, grid);
  return grid;
}

function addCard(topic) {
  const parts = topic.split("/");
  const name = parts[parts.length - 1];
  const card = { state: {} };
  const article = el("article", "lamp-card");
  article.dataset.lamp = topic;
  const head = el("div", "lamp-head");
  const title = el("div", "lamp-title");
  const h3 = el("h3");
  h3.textContent = name;
  const meta = el("p", "lamp-meta");
  meta.append("MQTT · ", Object.assign(el("span", "lamp-age"), { textContent: "just now" }));
  meta.append(el("span", "delivery", { "data-delivery": "idle", "aria-live": "polite" }));
  title.append(h3, meta);
  const sw = el("button", "switch", { role: "switch", "aria-checked": "false" });
  sw.append(el("span", "switch-knob"));
  head.append(el("span", "lamp-bulb", { "aria-hidden": "true" }), title, sw);
  const control = el("label", "control");
  const label = el("span", "control-label");
  const output = el("output");
  label.append("Brightness", output);
  const range = el("input", "brightness", { type: "range", min: "1", max: "100" });
  control.append(label, range);
  const colors = el("div", "control colors");
  const pick = el("label", "color-pick");
  pick.append(Object.assign(el("span", "visually-hidden"), { textContent: "Colour" }));
  const color = el("input", "color-input", { type: "color" });
  pick.append(color);
  const presets = el("div", "presets", { role: "group", "aria-label": "Preset colours" });
  for (const [title, rgb] of PRESETS) {
    const b = el("button", "preset", { title, "aria-label": title });
    b.style.setProperty("--swatch", `rgb(${rgb})`);
    presets.append(b);
  }
  colors.append(pick, presets);
  article.append(head, control, colors);
  Object.assign(card, { article, sw, output, range, color, name });
  sw.addEventListener("click", () => {
    const on = card.state.state !== "ON";
    sw.setAttribute("aria-checked", String(on));
    const next = Object.assign({}, card.state, { state: on ? "ON" : "OFF" });
    client.publish(topic, JSON.stringify(next), { qos: 1, retain: true });
  });
  roomGrid(parts[1] || "").append(article);
  cards.set(topic, card);
  return card;
}

const hex = (n) => Math.max(0, Math.min(255, n | 0)).toString(16).padStart(2, "0");

function render(card) {
  const s = card.state;
  const on = s.state === "ON";
  const a = card.article;
  a.dataset.confirmed = s.state === undefined ? "unknown" : on ? "on" : "off";
  a.classList.toggle("is-on", on);
  a.classList.toggle("is-unknown", s.state === undefined);
  card.sw.setAttribute("aria-checked", String(on));
  card.sw.setAttribute("aria-label", `${card.name} ${on ? "is on" : "is off"}`);
  const pct = typeof s.brightness === "number" ? Math.round((s.brightness / 255) * 100) : null;
  card.output.textContent = pct === null ? "" : `${pct} %`;
  if (pct !== null) card.range.value = String(pct);
  const c = s.color && typeof s.color.r === "number" ? s.color : WARM;
  card.color.value = `#${hex(c.r)}${hex(c.g)}${hex(c.b)}`;
  if (on) {
    a.style.setProperty("--lamp", `rgb(${c.r} ${c.g} ${c.b})`);
    a.style.setProperty("--glow", (0.25 + 0.75 * ((pct ?? 100) / 100)).toFixed(2));
  } else {
    a.style.removeProperty("--lamp");
    a.style.removeProperty("--glow");
  }
}

const client = mqtt.connect(params.get("broker"), {
  protocolVersion: 4,
  clientId: "peer-" + Math.random().toString(16).slice(2, 10),
  keepalive: 30,
  reconnectPeriod: 1000,
});
client.on("connect", () => {
  statusEl.textContent = "connected";
  document.body.dataset.status = "connected";
  client.subscribe("smarthome/+/lamps/#", { qos: 0 });
});
client.on("close", () => {
  statusEl.textContent = "disconnected";
  document.body.dataset.status = "disconnected";
});
client.on("message", (topic, payload) => {
  received += 1;
  if (!frameAsked) {
    frameAsked = true;
    requestAnimationFrame(drawCount);
  }
  let state;
  try {
    state = JSON.parse(decoder.decode(payload));
  } catch (_) {
    return;
  }
  if (!state || typeof state !== "object") return;
  const card = cards.get(topic) || addCard(topic);
  card.state = state;
  render(card);
});
// The bench reads the exact count here (the text above lags by up to one frame).
globalThis.peerReceived = () => received;
