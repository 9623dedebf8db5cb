// Interaction tracking for learning pages (seed 003: "come to learn, not sit scrolling phones").
//
//   import { startEngagement } from "/static/engagement/engagement.js";
//   const tracker = startEngagement({ moduleId: 42, heartbeatSeconds: 15 });
//   tracker.record("interaction", { what: "poll" });   // explicit interactions from other modules
//
// Records page visibility, window focus, idleness (no input for `idleSeconds`), heartbeats while
// the page is visible and (throttled) interactions. Events carry unique ids "<page>:<counter>", so
// the server stores a batch sent twice only once and the summary can tell pages apart. Batches
// leave every `flushSeconds` with fetch(keepalive) and, when the page is hidden or unloaded, with
// navigator.sendBeacon, which cannot set headers: the CSRF token goes in the query string.
//
// On a live page the batches go over the live socket instead (`transport`: an object with
// `connected` and `send(events) -> Promise<boolean>`, true once the server has stored them),
// every few seconds so the lecturer's counts follow; the beacon stays the fallback when the
// page is hidden or the socket is down. `countInput: false` records raw taps as activity only:
// in a live class the interactions that count are answers, questions and votes, which the
// server records itself.

const MAX_BATCH_EVENTS = 500; // the server's limit
const MAX_BATCH_BYTES = 60_000; // browsers allow about 64 KB of beacons/keepalive in flight
const MAX_QUEUE = 5_000; // beyond this (server unreachable for hours) the oldest are dropped
const INTERACTION_EVERY_MS = 5_000; // at most one "interaction" per 5 s from raw input
const INPUT_EVENTS = ["pointerdown", "keydown", "touchstart", "wheel", "scroll", "pointermove"];
const INTERACTIONS = new Set(["pointerdown", "keydown", "touchstart"]);
const encoder = new TextEncoder();

function randomId() {
  const bytes = new Uint8Array(10);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(36).padStart(2, "0")).join("");
}

function metaCsrf() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

export function startEngagement(options = {}) {
  const {
    endpoint = "/api/v1/engagement/events",
    csrfToken = metaCsrf(),
    moduleId = null,
    liveSessionId = null,
    heartbeatSeconds = 15,
    idleSeconds = 60,
    flushSeconds = 30,
    transport = null,
    countInput = true,
  } = options;

  const page = randomId();
  let counter = 0;
  let queue = [];
  let sending = false;
  let stopped = false;
  let idle = false;
  let idleTimer = 0;
  let lastInput = Date.now();
  let heartbeatTimer = 0;
  let lastInteraction = 0;
  let lastVisibility = null;
  const url = `${endpoint}?csrf_token=${encodeURIComponent(csrfToken)}`;

  function record(kind, data) {
    if (stopped) return;
    const event = { id: `${page}:${++counter}`, kind, at: new Date().toISOString() };
    if (moduleId != null) event.module_id = moduleId;
    if (liveSessionId != null) event.live_session_id = liveSessionId;
    if (data && Object.keys(data).length) event.data = data;
    queue.push(event);
    if (queue.length > MAX_QUEUE) queue.splice(0, queue.length - MAX_QUEUE);
  }

  // Cut the queue into bodies the server and the browser both accept.
  function takeBatch() {
    const events = [];
    let size = 64;
    while (queue.length && events.length < MAX_BATCH_EVENTS) {
      const next = encoder.encode(JSON.stringify(queue[0])).length + 1;
      if (events.length && size + next > MAX_BATCH_BYTES) break;
      events.push(queue.shift());
      size += next;
    }
    return events;
  }

  function body(events) {
    return JSON.stringify({ sent_at: new Date().toISOString(), events });
  }

  // Regular flush: fetch (or the socket) can read the answer, so failed batches go back to
  // the queue.
  async function flush() {
    if (sending || !queue.length || navigator.onLine === false) return;
    sending = true;
    try {
      while (queue.length && transport?.connected) {
        const events = takeBatch();
        if (!(await transport.send(events))) {
          queue.unshift(...events);
          return;
        }
      }
      if (transport) return; // the socket will be back; the beacon covers a hidden page
      while (queue.length) {
        const events = takeBatch();
        let response;
        try {
          response = await fetch(url, {
            method: "POST",
            credentials: "same-origin",
            keepalive: true,
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
            body: body(events),
          });
        } catch {
          queue.unshift(...events); // offline or the page is going away: retry later
          return;
        }
        if (response.status === 429 || response.status >= 500) {
          queue.unshift(...events);
          return;
        }
        if (response.status === 401 || response.status === 403) {
          stop(); // logged out: nothing more will be accepted from this page
          return;
        }
        if (!response.ok) console.warn("engagement: batch refused", response.status);
      }
    } finally {
      sending = false;
    }
  }

  // Last chance (page hidden or unloading): the beacon outlives the page. Duplicates with a
  // fetch still in flight are harmless, the server counts each id once.
  function beacon() {
    if (transport?.connected && queue.length) {
      // the fastest way to the lecturer's count; the beacon below makes sure it is stored
      transport.send(queue.slice(0, MAX_BATCH_EVENTS));
    }
    while (queue.length) {
      const events = takeBatch();
      if (!navigator.sendBeacon?.(url, body(events))) {
        queue.unshift(...events);
        flush();
        return;
      }
    }
  }

  // One timer, re-armed from the last input time: pointermove fires far too often to re-arm
  // a timer on every event.
  function watchIdle() {
    clearTimeout(idleTimer);
    const wait = lastInput + idleSeconds * 1000 - Date.now();
    if (wait > 0) {
      idleTimer = setTimeout(watchIdle, wait);
    } else if (!idle) {
      idle = true;
      record("idle");
    }
  }

  function onInput(event) {
    const now = Date.now();
    lastInput = now;
    if (idle) {
      idle = false;
      record("active");
      watchIdle();
    }
    if (countInput && INTERACTIONS.has(event.type) && now - lastInteraction >= INTERACTION_EVERY_MS) {
      lastInteraction = now;
      record("interaction", { via: event.type });
    }
  }

  function startHeartbeat() {
    clearInterval(heartbeatTimer);
    heartbeatTimer = setInterval(() => record("heartbeat"), heartbeatSeconds * 1000);
  }

  function visibility(state) {
    if (state === lastVisibility) return;
    lastVisibility = state;
    record(state);
    if (state === "hidden") {
      clearInterval(heartbeatTimer); // background timers are throttled or frozen anyway
      clearTimeout(idleTimer);
      beacon();
    } else {
      startHeartbeat();
      lastInput = Date.now();
      watchIdle();
    }
  }

  const onVisibility = () => visibility(document.visibilityState === "hidden" ? "hidden" : "visible");
  const onFocus = () => record("focus");
  const onBlur = () => record("blur");
  const onPageHide = () => visibility("hidden");
  const onPageShow = (event) => event.persisted && visibility("visible"); // back-forward cache
  const onFreeze = () => beacon();
  const flushTimer = setInterval(flush, flushSeconds * 1000);

  document.addEventListener("visibilitychange", onVisibility);
  window.addEventListener("focus", onFocus);
  window.addEventListener("blur", onBlur);
  window.addEventListener("pagehide", onPageHide);
  window.addEventListener("pageshow", onPageShow);
  document.addEventListener("freeze", onFreeze);
  for (const type of INPUT_EVENTS) {
    window.addEventListener(type, onInput, { passive: true, capture: true });
  }

  onVisibility();
  record(document.hasFocus() ? "focus" : "blur");

  function stop() {
    if (stopped) return;
    stopped = true;
    clearInterval(flushTimer);
    clearInterval(heartbeatTimer);
    clearTimeout(idleTimer);
    document.removeEventListener("visibilitychange", onVisibility);
    window.removeEventListener("focus", onFocus);
    window.removeEventListener("blur", onBlur);
    window.removeEventListener("pagehide", onPageHide);
    window.removeEventListener("pageshow", onPageShow);
    document.removeEventListener("freeze", onFreeze);
    for (const type of INPUT_EVENTS) {
      window.removeEventListener(type, onInput, { capture: true });
    }
  }

  return { record, flush, beacon, stop, page };
}
