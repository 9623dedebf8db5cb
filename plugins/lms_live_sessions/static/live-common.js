// Shared by the live pages (console, projector, trainee): language, a DOM builder that only ever
// sets text with textContent, the socket client of protocol v2 (docs/live-protocol.md) with
// resume, backoff and an app-level heartbeat, client ids, messages, and the results charts.
import { api } from "/static/core/app.js";

export { api };
export const en = document.documentElement.lang === "en";
/** The Vietnamese or the English text, by the page's language. */
export const t = (vi, english) => (en ? english : vi);

const SVG_NS = "http://www.w3.org/2000/svg";

/** h("tag.class", {attr: value, on: {event: fn}}, ...children): strings become text nodes. */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  setAttrs(el, attrs);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "on") {
      for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "text") {
      el.textContent = value;
    } else if (key in el && typeof value !== "string" && !(el instanceof SVGElement)) {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

export const KIND_LABELS = {
  poll: t("Bình chọn", "Poll"),
  rating: t("Thang đánh giá", "Rating scale"),
  word_cloud: t("Đám mây từ", "Word cloud"),
  open_question: t("Câu hỏi mở", "Open question"),
  quick_quiz: t("Câu hỏi nhanh", "Quick quiz"),
};
export const STATE_LABELS = {
  draft: t("Bản nháp", "Draft"),
  queued: t("Đang chờ", "Queued"),
  open: t("Đang mở", "Open"),
  closed: t("Đã đóng", "Closed"),
};
export const STATUS_LABELS = {
  scheduled: t("Chưa bắt đầu", "Not started"),
  live: t("Đang diễn ra", "Live"),
  ended: t("Đã kết thúc", "Ended"),
  cancelled: t("Đã huỷ", "Cancelled"),
};
export const VISIBILITY_LABELS = {
  after_close: t("Sau khi đóng", "After closing"),
  live: t("Trực tiếp khi đang mở", "Live while open"),
  hidden: t("Không hiển thị", "Hidden"),
};

/** The same rule as the server's results.visible_to_trainees. */
export function visibleToRoom(activity) {
  if (!activity) return false;
  if (activity.visibility === "live") return activity.state === "open" || activity.state === "closed";
  if (activity.visibility === "after_close") return activity.state === "closed";
  return false;
}

/** An error frame's or problem's message in the page's language. */
export function messageOf(error) {
  if (!error) return "";
  if (error.problem) return (en ? error.problem.detail_en : error.problem.detail_vi) || error.message;
  return (en ? error.message_en : error.message_vi) || error.message || error.detail || "";
}

/** A problem's message with the fields it names (422s list what is wrong with each field). */
export function problemText(error) {
  const p = error?.problem;
  const base = messageOf(error);
  const fields = (p?.errors || []).map((e) => e.message).filter(Boolean);
  return fields.length ? `${base} ${fields.join("; ")}` : base;
}

/** Put a message in a status element: red for a problem, green with ok. */
export function say(el, text, ok = false) {
  if (!el) return;
  el.textContent = text || "";
  el.classList.toggle("ok", ok && !!text);
  el.classList.toggle("error", !ok && !!text);
}

/** Run an API call, showing its problem (or nothing) in `el`; null when it failed. */
export async function attempt(el, fn) {
  try {
    say(el, "");
    return await fn();
  } catch (error) {
    say(el, problemText(error));
    return null;
  }
}

/** A fresh client_id (crypto.getRandomValues works without HTTPS, unlike randomUUID). */
export function newClientId(prefix = "w") {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `${prefix}-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The text of server-rendered HTML (a bank question's text_html), read in an inert document:
 * nothing runs and nothing loads, and the page only ever receives it as text.
 */
export function htmlText(html) {
  if (!html) return "";
  const doc = new DOMParser().parseFromString(String(html), "text/html");
  for (const br of doc.querySelectorAll("br")) br.replaceWith("\n");
  for (const block of doc.querySelectorAll("p, li, div, h1, h2, h3, h4, tr")) block.append("\n");
  return (doc.body.textContent || "").replace(/[ \t]+\n/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
}

export function setStatus(badge, status) {
  if (!badge) return;
  badge.dataset.status = status;
  badge.textContent = STATUS_LABELS[status] || status;
}

// --- the socket ------------------------------------------------------------------------------

const FATAL = {
  4401: t("Bạn cần đăng nhập lại.", "You need to log in again."),
  4403: t("Bạn không được tham gia phiên học này.", "You may not join this session."),
  4404: t("Không tìm thấy phiên học.", "Session not found."),
  4409: t("Phiên học đã bị huỷ.", "The session was cancelled."),
  4410: t("Phiên học đã kết thúc.", "The session has ended."),
};
const REPLIES = new Set(["ack", "error", "pong", "resumed"]);
const PING_EVERY_MS = 25000;
const PONG_WITHIN_MS = 8000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

/**
 * One live socket that stays connected: reconnects with backoff (reset once a frame arrives),
 * resumes with ?since=<last seq applied>, drops broadcasts it has already applied, sends a
 * ping every 25 s and treats a missing pong as a dead socket (a locked phone often never gets a
 * close event), and reconnects at once when the page comes back to the foreground or online.
 *
 * handlers: onFrame(frame) for every frame to apply, onConnection(state, detail) with state
 * "connecting" | "open" | "offline" | "closed" (closed = refused for good, detail = message),
 * onOpen() after each (re)connection's first frame (to resend what is not acknowledged yet).
 *
 * Other plugins' page scripts on the same page (lms_register_page_scripts) get the socket with
 * whenLiveSocket(fn): they can send(message) and listen(fn) to every frame, and hear "open"
 * through onceOpen listeners; they never reach into this page's own state.
 */
export class LiveSocket {
  constructor(sessionId, { view = "", onFrame, onConnection = () => {}, onOpen = () => {} }) {
    this.sessionId = sessionId;
    this.view = view;
    this.onFrame = onFrame;
    this.onConnection = onConnection;
    this.onOpen = onOpen;
    this.lastSeq = null;
    this.ws = null;
    this.attempt = 0;
    this.stopped = false;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.listeners = new Set();
    this.openListeners = new Set();
    window.addEventListener("online", () => this.wake());
    window.addEventListener("offline", () => this.drop());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.check();
    });
    window.addEventListener("pageshow", (event) => { if (event.persisted) this.check(); });
  }

  url() {
    const params = new URLSearchParams();
    if (this.lastSeq !== null) params.set("since", String(this.lastSeq));
    if (this.view) params.set("view", this.view);
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = params.toString();
    return `${scheme}://${location.host}/ws/live/${this.sessionId}${query ? `?${query}` : ""}`;
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    if (navigator.onLine === false) {
      this.onConnection("offline");
      return;
    }
    this.onConnection("connecting");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    let greeted = false;
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      this.alive();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!greeted) {
        greeted = true;
        this.attempt = 0;
        this.onConnection("open");
      }
      // Replies go to this socket only and are outside the sequence (`resumed` has a `seq`
      // field, the number it brought the client up to, but is not a broadcast itself).
      if (typeof frame.seq === "number" && !REPLIES.has(frame.type)) {
        // A snapshot replaces everything; other broadcasts apply once, in order.
        if (frame.type !== "state" && this.lastSeq !== null && frame.seq <= this.lastSeq) return;
        this.lastSeq = frame.seq;
      }
      this.onFrame(frame);
      for (const listener of this.listeners) {
        try { listener(frame); } catch (err) { console.error(err); }
      }
      if (frame.type === "state" || frame.type === "resumed") {
        this.onOpen(frame);
        for (const listener of this.openListeners) {
          try { listener(frame); } catch (err) { console.error(err); }
        }
      }
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.stopHeartbeat();
      if (FATAL[event.code]) {
        this.stopped = true;
        this.onConnection("closed", FATAL[event.code], event.code);
        return;
      }
      this.retry(event.code === 4429 ? 0 : undefined);
    };
    ws.onopen = () => this.startHeartbeat();
  }

  retry(delay) {
    if (this.stopped) return;
    if (navigator.onLine === false) {
      this.onConnection("offline");
      return;
    }
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    const wait = delay ?? Math.round(base * (0.75 + Math.random() * 0.5));
    this.onConnection("connecting");
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  /** Lost for sure (the browser says offline): close now, reconnect when online again. */
  drop() {
    const ws = this.ws;
    this.ws = null;
    this.stopHeartbeat();
    clearTimeout(this.retryTimer);
    if (ws) {
      ws.onclose = null;
      try { ws.close(); } catch { /* already closed */ }
    }
    if (!this.stopped) this.onConnection("offline");
  }

  wake() {
    if (this.stopped) return;
    if (!this.ws) {
      this.attempt = 0;
      this.connect();
    } else {
      this.check();
    }
  }

  /** Back in the foreground: a socket that looks open may be dead, so ask it. */
  check() {
    if (this.stopped) return;
    if (!this.ws) { this.wake(); return; }
    this.ping();
  }

  /** Every frame this socket receives, after the page itself has applied it. */
  listen(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** After each (re)connection's first frame. */
  onReconnect(fn) {
    this.openListeners.add(fn);
    return () => this.openListeners.delete(fn);
  }

  get connected() {
    return Boolean(this.ws && this.ws.readyState === WebSocket.OPEN);
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
  }

  stopHeartbeat() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pingTimer = this.pongTimer = null;
  }

  ping() {
    if (!this.send({ type: "ping" })) return;
    clearTimeout(this.pongTimer);
    const ws = this.ws;
    this.pongTimer = setTimeout(() => {
      if (ws !== this.ws) return;
      // No answer: the socket is dead without having been told. Start again with since.
      this.ws = null;
      this.stopHeartbeat();
      ws.onclose = null;
      try { ws.close(); } catch { /* gone */ }
      this.retry(0);
    }, PONG_WITHIN_MS);
  }

  alive() {
    clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }
}

const RESEND_AFTER_MS = 5000;

/**
 * Messages that get an `ok` or an `error` echoing their client_id (Q&A, hands, groups,
 * check-in): request(message) sends it with a fresh client_id (or the one given) and resolves
 * with the `ok` frame, or rejects with the `error` frame. Until then the same message (same
 * client_id, which the server counts once) is sent again after each reconnection and every 5 s
 * without an answer, so a phone that lost its socket never loses what it sent.
 * request.pending() says how many are waiting.
 */
export function requester(socket) {
  const waiting = new Map();
  const send = (item) => {
    clearTimeout(item.timer);
    if (socket.send(item.message)) item.timer = setTimeout(() => send(item), RESEND_AFTER_MS);
  };
  // Most `ok` replies echo the client_id; those of raise_hand, lower_hand and check_in do not,
  // and answer the oldest message of their type. Every `error` of these messages echoes it.
  const match = (frame) => {
    if (frame.client_id) return waiting.get(frame.client_id);
    if (frame.type !== "ok") return undefined;
    return [...waiting.values()].find((item) => item.message.type === frame.for);
  };
  socket.listen((frame) => {
    if (frame.type !== "ok" && frame.type !== "error") return;
    const item = match(frame);
    if (!item) return;
    waiting.delete(item.message.client_id);
    clearTimeout(item.timer);
    if (frame.type === "ok") item.resolve(frame);
    else item.reject(frame);
  });
  socket.onReconnect(() => { for (const item of waiting.values()) send(item); });
  const request = (message) => new Promise((resolve, reject) => {
    const item = { message: { ...message, client_id: message.client_id || newClientId(message.type[0]) },
                   resolve, reject, timer: null };
    waiting.set(item.message.client_id, item);
    send(item);
  });
  request.pending = () => waiting.size;
  return request;
}

let clockOffset = 0;

/**
 * How far this device's clock is from the server's (ms to subtract from Date.now()), from the
 * Date header of one small request: a phone whose clock is a minute off still counts a quick
 * quiz's time down right. The header has whole seconds, hence the half second added.
 */
export async function syncClock() {
  try {
    const before = Date.now();
    const response = await fetch("/healthz", { cache: "no-store", credentials: "same-origin" });
    const after = Date.now();
    const date = Date.parse(response.headers.get("date") || "");
    if (!Number.isNaN(date)) clockOffset = Math.round((before + after) / 2 - (date + 500));
  } catch { /* offline: the device's own clock */ }
  return clockOffset;
}

/** Now, on the server's clock (as far as syncClock could tell). */
export const serverNow = () => Date.now() - clockOffset;

/** Connection state for people: nothing when all is well. */
export function connectionText(state, detail) {
  if (state === "open") return "";
  if (state === "connecting") return t("Đang kết nối lại…", "Reconnecting…");
  if (state === "offline") return t("Mất kết nối mạng. Sẽ tự kết nối lại.", "Offline. Will reconnect by itself.");
  return detail || t("Đã ngắt kết nối.", "Disconnected.");
}

// --- results ---------------------------------------------------------------------------------

const fmt = new Intl.NumberFormat(en ? "en" : "vi");

function percent(count, total) {
  return total ? Math.round((count * 100) / total) : 0;
}

/**
 * Horizontal bars as inline SVG, one per option or scale value: the label above its bar, the
 * count and the share at the end. The viewBox scales to its container, so the same drawing
 * serves the console and the projector (where the CSS makes the text larger).
 */
export function barChart(rows, total, { title = "", width = 1000 } = {}) {
  // `width` is the drawing's own unit width: about the container's CSS width, so that the
  // 30-unit text stays readable (a phone draws 400 units wide, a laptop or projector 1000).
  // SVG text never wraps by itself: a long option is broken into lines here (about 17 units
  // per character of the 30-unit font), so nothing is cut off on a phone.
  const countW = Math.round(Math.min(220, width * 0.34));
  const lineH = 34;
  const perLine = Math.max(8, Math.floor(width / 17));
  const laid = rows.map((row) => ({ row, lines: wrapWords(String(row.label), perLine) }));
  const height = Math.max(88, laid.reduce((sum, r) => sum + r.lines.length * lineH + 54, 0));
  const max = Math.max(1, ...rows.map((r) => r.count));
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "lv-bars", role: "img",
                            "aria-label": title });
  let y = 0;
  laid.forEach(({ row, lines }, i) => {
    const barY = y + lines.length * lineH + 8;
    const barW = Math.max(row.count ? 6 : 0, Math.round((row.count / max) * (width - countW)));
    const g = svg("g", { class: row.right ? "lv-bar lv-bar-right" : "lv-bar", "data-index": i });
    const label = svg("text", { x: 0, y: y + 30, class: "lv-bar-label" });
    lines.forEach((line, n) => label.append(svg("tspan", { x: 0, dy: n ? lineH : 0 },
                                                 n < lines.length - 1 ? `${line} ` : line)));
    g.append(label);
    g.append(svg("rect", { x: 0, y: barY, width: width - countW, height: 34, rx: 6,
                           class: "lv-bar-track" }));
    g.append(svg("rect", { x: 0, y: barY, width: barW, height: 34, rx: 6, class: "lv-bar-fill" }));
    g.append(svg("text", { x: width, y: barY + 28, "text-anchor": "end", class: "lv-bar-count" },
                 `${fmt.format(row.count)} · ${percent(row.count, total)}%`));
    g.append(svg("title", {}, `${row.label}: ${row.count}`));
    root.append(g);
    y += lines.length * lineH + 54;
  });
  return root;
}

/** Words into lines of at most `width` characters (a longer word gets a line of its own and is
 * cut with an ellipsis only beyond two lines' worth). */
function wrapWords(text, width) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const piece = word.length > width * 2 ? `${word.slice(0, width * 2 - 1)}…` : word;
    if (line && (line.length + 1 + piece.length) > width) { lines.push(line); line = piece; }
    else line = line ? `${line} ${piece}` : piece;
  }
  if (line || !lines.length) lines.push(line);
  return lines;
}

/** Words sized by how often they were sent (the most frequent first), as plain text nodes. */
export function wordCloud(words) {
  const box = h("ul.lv-cloud", { "aria-label": t("Đám mây từ", "Word cloud") });
  const max = Math.max(1, ...words.map((w) => w.count));
  const min = Math.min(max, ...words.map((w) => w.count));
  for (const [i, word] of words.entries()) {
    const weight = max === min ? 1 : (word.count - min) / (max - min);
    const li = h("li", { dataset: { count: String(word.count) },
                         title: `${word.text}: ${word.count}` }, word.text);
    li.style.fontSize = `${(1 + weight * 2.2).toFixed(2)}em`;
    li.style.setProperty("--hue", String((i * 47) % 360));
    box.append(li);
  }
  return box;
}

const timeFmt = new Intl.DateTimeFormat(en ? "en-GB" : "vi-VN",
                                        { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" });

/** "08:05" in Vietnam time, whatever the device's time zone. */
export const clockTime = (iso) => (iso ? timeFmt.format(new Date(iso)) : "");
export const formatNumber = (n) => fmt.format(n ?? 0);

/** The latest open answers; names only when the frame has them (runners). */
export function openAnswers(answers) {
  const list = h("ul.lv-answers");
  for (const a of answers) {
    const meta = [];
    if (a.user?.full_name) meta.push(h("strong", {}, a.user.full_name));
    if (a.at) meta.push(h("time", { datetime: a.at }, timeFmt.format(new Date(a.at))));
    list.append(h("li", {}, h("p", {}, a.text), meta.length ? h("p.lv-meta", {}, ...meta) : null));
  }
  return list;
}

/** The results of any kind, as a node; `null` results draw nothing. */
export function resultsView(results, activity, { width = 1000 } = {}) {
  if (!results) return null;
  const total = results.responses || 0;
  const head = h("p.lv-responses", {},
                 h("span.lv-num", {}, fmt.format(total)), " ", t("câu trả lời", total === 1 ? "answer" : "answers"));
  const title = activity?.prompt || "";
  let body;
  if (results.kind === "poll") {
    body = barChart((results.options || []).map((o) => ({ label: o.label, count: o.count })), total,
                    { title, width });
  } else if (results.kind === "rating") {
    const rows = (results.distribution || []).map((d) => ({
      label: d.label ? `${d.value} · ${d.label}` : String(d.value), count: d.count }));
    body = h("div", {},
             h("p.lv-average", {}, t("Điểm trung bình: ", "Average: "),
               h("strong", {}, results.average === null || results.average === undefined
                 ? "–" : fmt.format(results.average))),
             barChart(rows, total, { title, width }));
  } else if (results.kind === "quick_quiz") {
    body = quizResults(results, activity, { title, width });
  } else if (results.kind === "word_cloud") {
    body = (results.words || []).length ? wordCloud(results.words)
      : h("p.muted", {}, t("Chưa có từ nào.", "No words yet."));
  } else {
    body = (results.answers || []).length ? openAnswers(results.answers)
      : h("p.muted", {}, t("Chưa có câu trả lời.", "No answers yet."));
  }
  return h("div.lv-results", { dataset: { kind: results.kind, responses: String(total) } }, head, body);
}

/** The labels of a quick quiz's choices, in the order everyone sees them. */
export function quizChoices(activity) {
  const question = activity?.config?.question || {};
  return (question.choices || []).map((c) => ({ id: c.id, label: htmlText(c.html) }));
}

/** What the key says is right, as text: the right choices, or the accepted answers. */
export function quizKeyText(key, activity) {
  if (!key) return "";
  if (Array.isArray(key.right) && key.right.length) {
    const labels = new Map(quizChoices(activity).map((c) => [c.id, c.label]));
    return key.right.map((id) => labels.get(id) ?? String(id)).join("; ");
  }
  return (key.answers || []).map((a) => {
    if (a.text !== undefined) return a.text;
    if (a.kind === "range" || (a.min !== undefined && a.max !== undefined)) return `${a.min}–${a.max}`;
    if (a.value !== undefined) return a.tolerance ? `${a.value} ± ${a.tolerance}` : String(a.value);
    return "";
  }).filter(Boolean).join("; ");
}

/** A quick quiz's figures: a bar per choice (the right ones marked once closed), how many were
 * right and the average score. */
function quizResults(results, activity, { title, width }) {
  const right = new Set(results.key?.right || []);
  const counts = new Map((results.choices || []).map((c) => [c.id, c.count]));
  const rows = quizChoices(activity).map((c) => ({
    label: `${right.has(c.id) ? "✓ " : ""}${c.label}`, count: counts.get(c.id) || 0, right: right.has(c.id) }));
  const box = h("div.lv-quiz-summary");
  if (rows.length) box.append(barChart(rows, results.responses || 0, { title, width }));
  if (results.key) {
    const answer = quizKeyText(results.key, activity);
    if (answer && !rows.length) box.append(h("p.lv-quiz-key", {}, t("Đáp án: ", "Answer: "), h("strong", {}, answer)));
    box.append(h("p.lv-quiz-figures", {},
      t(`${fmt.format(results.correct ?? 0)} người trả lời đúng`, `${fmt.format(results.correct ?? 0)} right`),
      results.average_score === null || results.average_score === undefined ? ""
        : t(` · điểm trung bình ${fmt.format(results.average_score)}`, ` · average score ${fmt.format(results.average_score)}`)));
  }
  return box;
}

/** Page scripts of other plugins: call fn with the page's live socket once it exists. */
export function whenLiveSocket(fn) {
  if (window.lmsLiveSocket) fn(window.lmsLiveSocket);
  else document.addEventListener("lms-live:socket", (event) => fn(event.detail), { once: true });
}

/** Called by the page that owns the socket. */
export function shareLiveSocket(socket) {
  window.lmsLiveSocket = socket;
  document.dispatchEvent(new CustomEvent("lms-live:socket", { detail: socket }));
}
