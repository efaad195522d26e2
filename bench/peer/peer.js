// mqtt.js peer for `cargo xtask bench`: subscribes to the app's lamp filter, keeps one
// card per lamp topic (article.lamp-card, like the app), counts every message, and
// publishes a whole seed state (retained, QoS 1, like the app) when a switch is clicked.
// The card's data-confirmed changes only when the broker's echo arrives.
"use strict";
const params = new URLSearchParams(location.search);
const statusEl = document.getElementById("status");
const countEl = document.getElementById("count");
const lampsEl = document.getElementById("lamps");
const cards = new Map();
const decoder = new TextDecoder();
let received = 0;
let frameAsked = false;

// The count is drawn once per animation frame, as the app's explorer does.
function drawCount() {
  frameAsked = false;
  countEl.textContent = String(received);
}

function addCard(topic) {
  const el = document.createElement("article");
  el.className = "lamp-card";
  el.dataset.lamp = topic;
  const name = document.createElement("h3");
  name.textContent = topic.split("/").pop();
  const level = document.createElement("p");
  const sw = document.createElement("button");
  sw.className = "switch";
  sw.setAttribute("role", "switch");
  const card = { el, level, sw, state: {} };
  sw.addEventListener("click", () => {
    const on = card.state.state !== "ON";
    sw.setAttribute("aria-checked", String(on));
    const next = Object.assign({}, card.state, { state: on ? "ON" : "OFF" });
    client.publish(topic, JSON.stringify(next), { qos: 1, retain: true });
  });
  el.append(name, level, sw);
  lampsEl.append(el);
  cards.set(topic, card);
  return card;
}

function render(card) {
  const s = card.state;
  const on = s.state === "ON";
  card.el.dataset.confirmed = s.state === undefined ? "unknown" : on ? "on" : "off";
  card.el.classList.toggle("is-on", on);
  card.sw.setAttribute("aria-checked", String(on));
  card.level.textContent = "brightness " + (s.brightness ?? "?");
  const c = s.color;
  if (c) card.el.style.setProperty("--lamp", `rgb(${c.r},${c.g},${c.b})`);
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
