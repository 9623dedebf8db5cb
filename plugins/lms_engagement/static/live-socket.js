// The live page's socket, as the live_sessions plugin shares it with other plugins' page
// scripts: window.lmsLiveSocket, or the "lms-live:socket" event once the page has made it.
// (A DOM contract, so this plugin never imports the live plugin's modules.)

/** The plugin's stylesheet, added once to the page. */
export function ensureStyles() {
  if (document.getElementById("eg-css")) return;
  document.head.append(Object.assign(document.createElement("link"), {
    id: "eg-css", rel: "stylesheet", href: "/static/engagement/engagement.css" }));
}

export function whenLiveSocket(fn) {
  if (window.lmsLiveSocket) fn(window.lmsLiveSocket);
  else document.addEventListener("lms-live:socket", (event) => fn(event.detail), { once: true });
}

/** engagement.js's transport over the socket: resolves true once the server stored a batch. */
export function socketTransport(socket, { timeoutMs = 10000 } = {}) {
  let counter = 0;
  const waiting = new Map();
  socket.listen((frame) => {
    if (frame.batch == null || !waiting.has(frame.batch)) return;
    if (frame.type === "ok" && frame.for === "signals") waiting.get(frame.batch)(true);
    // a batch the server refuses as invalid would be refused again: drop it, do not loop
    else if (frame.type === "error") waiting.get(frame.batch)(frame.code === "invalid");
  });
  return {
    get connected() { return socket.connected; },
    send(events) {
      const batch = `b${Date.now().toString(36)}-${++counter}`;
      const sent = socket.send({ type: "signals", batch, sent_at: new Date().toISOString(), events });
      if (!sent) return Promise.resolve(false);
      return new Promise((resolve) => {
        const timer = setTimeout(() => { waiting.delete(batch); resolve(false); }, timeoutMs);
        waiting.set(batch, (ok) => { clearTimeout(timer); waiting.delete(batch); resolve(ok); });
      });
    },
  };
}

export const en = document.documentElement.lang === "en";
export const t = (vi, english) => (en ? english : vi);

/** h("tag.class", {attr: value, on: {event: fn}}, ...children); text only via textContent. */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "on") for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** The institution's heartbeat and idle time (the page's defaults if it cannot be read). */
export async function trackingConfig() {
  try {
    const response = await fetch("/api/v1/engagement/config", { credentials: "same-origin" });
    if (response.ok) return await response.json();
  } catch { /* offline: defaults */ }
  return { heartbeat_seconds: 15, idle_seconds: 60 };
}
