// The trainee's quiz: start or resume, answer (saved as you go), navigate, flag, time, submit,
// review. Talks only to the JSON API of lms_quizzes/attempt_api.py:
//
//   GET  /api/v1/quizzes/attempts/{id}                running view, or the review once finished
//   POST /api/v1/quizzes/modules/{module}/attempts    start or resume
//   PUT  /api/v1/quizzes/attempts/{id}/slots/{n}      {response, flagged, base_seq}
//   POST /api/v1/quizzes/attempts/{id}/submit
//
// Rules this file keeps:
// * Text from data goes into the DOM through textContent only; the only HTML inserted is the
//   server's sanitised HTML (`text_html`, `html`, `*_html` fields), through `trusted()`.
// * The client never knows or guesses the key: the review shows exactly what the API returns.
// * The server owns the clock: the countdown runs from the server's `deadline - server_time`
//   on the browser's monotonic clock, so a wrong phone clock does not matter; the server
//   refuses late saves and submits an overdue attempt by itself anyway.
// * Every answer is saved when it changes (text: debounced). A failed save is retried with
//   backoff until it gets through; `base_seq` makes a stale tab's save fail with 409 instead of
//   overwriting a newer answer, and the page then shows the answer the other tab saved.

const API = "/api/v1/quizzes";
const TEXT_DEBOUNCE_MS = 800;
const REQUEST_TIMEOUT_MS = 15000;
const MAX_BACKOFF_MS = 30000;

const STRINGS = {
  vi: {
    question: "Câu {n}", info: "Thông tin", marks: "{m} điểm", mark1: "1 điểm",
    flag: "Gắn cờ", unflag: "Bỏ cờ", flagged: "đã gắn cờ",
    answered: "Đã trả lời", notAnswered: "Chưa trả lời", current: "Đang xem", flaggedL: "Gắn cờ",
    navTitle: "Danh sách câu hỏi", navSummary: "Đã làm {a}/{n} câu",
    prev: "← Câu trước", next: "Câu sau →", finish: "Nộp bài", position: "Câu {i}/{n}",
    saved: "Đã lưu", saving: "Đang lưu…", retrying: "Không lưu được — đang thử lại",
    offline: "Mất kết nối — sẽ lưu khi có mạng", notSaved: "Không lưu được: {d}",
    session: "Phiên đăng nhập đã hết. Hãy đăng nhập lại ở một thẻ khác rồi quay lại đây.",
    timeLeft: "Thời gian còn lại", timeUp: "Hết giờ làm bài. Đang nộp bài…",
    warn5: "Còn 5 phút.", warn1: "Còn 1 phút.",
    chooseOne: "Chọn một đáp án.", chooseMany: "Chọn một hoặc nhiều đáp án.",
    clear: "Xoá lựa chọn", yourAnswer: "Câu trả lời", choose: "— Chọn —",
    numberHint: "Nhập một số; phần thập phân dùng dấu phẩy, ví dụ 3,14.",
    notNumber: "Chưa đọc được đây là một số.",
    orderHint: "Sắp xếp theo đúng thứ tự bằng các nút lên, xuống (hoặc kéo thả).",
    up: "Đưa “{t}” lên", down: "Đưa “{t}” xuống", movedTo: "“{t}” ở vị trí {i}/{n}.",
    words: "{n} từ", minWords: "cần ít nhất {n} từ", maxWords: "tối đa {n} từ",
    true: "Đúng", false: "Sai",
    conflict: "Câu này vừa được lưu từ một cửa sổ khác; trang đang hiển thị câu trả lời đó.",
    confirmTitle: "Nộp bài?", confirmAll: "Bạn đã trả lời tất cả các câu hỏi.",
    confirmSome: "Còn {n} câu chưa trả lời:", confirmFlagged: "Câu đã gắn cờ:",
    confirmNote: "Sau khi nộp, bạn không sửa được câu trả lời nữa.",
    confirmGo: "Nộp bài", confirmBack: "Quay lại làm tiếp",
    unsavedWarn: "Một số câu trả lời chưa lưu được. Vẫn nộp bài?",
    submitting: "Đang nộp bài…", submitFailed: "Chưa nộp được bài — đang thử lại…",
    finishedElsewhere: "Bài đã được nộp (từ một cửa sổ khác hoặc vì hết giờ).",
    loadFailed: "Không tải được bài làm: {d}",
    result: "Kết quả lượt làm bài {n}", state: "Trạng thái", finishedS: "Đã nộp",
    startedAt: "Bắt đầu", finishedAt: "Nộp lúc", took: "Thời gian làm bài",
    markL: "Điểm", gradeL: "Tỉ lệ", outcome: "Kết quả", passed: "Đạt", failed: "Chưa đạt",
    needsGrading: "Bài có câu tự luận đang chờ giảng viên chấm; điểm sẽ có sau khi chấm.",
    noReview: "Kết quả chi tiết của lượt này chưa được công bố.",
    back: "Quay lại trang bài kiểm tra", markOf: "Điểm: {m}/{n}",
    yourResponse: "Câu trả lời của bạn:", noResponse: "(không trả lời)",
    rightAnswer: "Đáp án đúng:", rightOrder: "Thứ tự đúng:", correctMark: "đáp án đúng",
    chosen: "bạn đã chọn", comment: "Nhận xét của giảng viên:", generalFeedback: "Giải thích:",
    states: {
      correct: "Đúng", partial: "Đúng một phần", incorrect: "Sai", needs_grading: "Chờ chấm",
      unanswered: "Chưa trả lời", invalid: "Câu trả lời không hợp lệ", not_graded: "",
    },
    startFailed: "Không bắt đầu được: {d}", network: "mất kết nối mạng",
  },
  en: {
    question: "Question {n}", info: "Information", marks: "{m} marks", mark1: "1 mark",
    flag: "Flag question", unflag: "Remove flag", flagged: "flagged",
    answered: "Answered", notAnswered: "Not yet answered", current: "Current", flaggedL: "Flagged",
    navTitle: "Quiz navigation", navSummary: "{a}/{n} answered",
    prev: "← Previous", next: "Next →", finish: "Submit", position: "Question {i} of {n}",
    saved: "Saved", saving: "Saving…", retrying: "Not saved — retrying",
    offline: "Offline — will save when the connection is back", notSaved: "Not saved: {d}",
    session: "Your session has expired. Log in again in another tab, then come back here.",
    timeLeft: "Time left", timeUp: "Time is up. Submitting…",
    warn5: "5 minutes left.", warn1: "1 minute left.",
    chooseOne: "Select one.", chooseMany: "Select one or more.",
    clear: "Clear my choice", yourAnswer: "Answer", choose: "— Choose —",
    numberHint: "Enter a number; a decimal comma or point is fine, e.g. 3.14.",
    notNumber: "This does not read as a number yet.",
    orderHint: "Put the items in the right order with the up and down buttons (or drag them).",
    up: "Move “{t}” up", down: "Move “{t}” down", movedTo: "“{t}” is at position {i} of {n}.",
    words: "{n} words", minWords: "at least {n} required", maxWords: "at most {n} allowed",
    true: "True", false: "False",
    conflict: "This answer was saved from another window meanwhile; that answer is shown now.",
    confirmTitle: "Submit your attempt?", confirmAll: "You have answered every question.",
    confirmSome: "{n} question(s) not answered yet:", confirmFlagged: "Flagged questions:",
    confirmNote: "Once you submit, you can no longer change your answers.",
    confirmGo: "Submit all and finish", confirmBack: "Return to attempt",
    unsavedWarn: "Some answers could not be saved yet. Submit anyway?",
    submitting: "Submitting…", submitFailed: "Not submitted yet — retrying…",
    finishedElsewhere: "The attempt has been submitted (from another window, or time ran out).",
    loadFailed: "Could not load the attempt: {d}",
    result: "Attempt {n}: result", state: "State", finishedS: "Finished",
    startedAt: "Started", finishedAt: "Completed", took: "Time taken",
    markL: "Marks", gradeL: "Grade", outcome: "Outcome", passed: "Passed", failed: "Not passed",
    needsGrading: "An essay is waiting for a grader; the mark comes once it is graded.",
    noReview: "The details of this attempt are not released yet.",
    back: "Back to the quiz", markOf: "Mark: {m} out of {n}",
    yourResponse: "Your answer:", noResponse: "(no answer)",
    rightAnswer: "The correct answer:", rightOrder: "The correct order:",
    correctMark: "correct answer", chosen: "your choice", comment: "Grader's comment:",
    generalFeedback: "Explanation:",
    states: {
      correct: "Correct", partial: "Partially correct", incorrect: "Incorrect",
      needs_grading: "Requires grading", unanswered: "Not answered",
      invalid: "Invalid answer", not_graded: "",
    },
    startFailed: "Could not start: {d}", network: "no network connection",
  },
};

let S = STRINGS.vi;
let LOCALE = "vi";

function fmt(template, values = {}) {
  return template.replace(/\{(\w+)\}/g, (_, k) => (k in values ? String(values[k]) : ""));
}

function num(value, digits = 2) {
  return new Intl.NumberFormat(LOCALE === "en" ? "en-GB" : "vi-VN",
    { maximumFractionDigits: digits }).format(value);
}

function pct(fraction) {
  return `${num(fraction * 100, 1)}%`;
}

function when(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(LOCALE === "en" ? "en-GB" : "vi-VN", {
    timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", day: "2-digit",
    month: "2-digit", year: "numeric",
  }).format(new Date(parseTime(iso)));
}

// ISO times from the server may carry microseconds; keep milliseconds for Date.parse.
function parseTime(iso) {
  return Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
}

function clock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (x) => String(x).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

// --- DOM -----------------------------------------------------------------------------------

const TRUSTED = Symbol("trusted html");

/** Server-sanitised HTML (text_html, *_html): the only HTML this file ever inserts. */
function trusted(html) {
  return { [TRUSTED]: String(html ?? "") };
}

/** h("p", {class: "x", onclick: f}, "text", child): text children become text nodes. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "text") {
      el.textContent = value;
    } else if (key in el && typeof value !== "string") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : value);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    if (typeof child === "object" && TRUSTED in child) {
      const box = document.createElement("template");
      box.innerHTML = child[TRUSTED]; // sanitised by the server (nh3)
      el.append(box.content);
    } else if (child instanceof Node) {
      el.append(child);
    } else {
      el.append(document.createTextNode(String(child)));
    }
  }
}

function plainText(html) {
  const box = document.createElement("template");
  box.innerHTML = html ?? "";
  return (box.content.textContent || "").replace(/\s+/g, " ").trim();
}

/** A small clock drawn with SVG: emoji clocks are missing from many phones' fonts. */
function clockIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "qz-clock");
  for (const [tag, attrs] of [["circle", { cx: 12, cy: 13, r: 8 }], ["path", { d: "M12 9v4l3 2M9 2h6" }]]) {
    const el = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    svg.append(el);
  }
  return svg;
}

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

// --- HTTP ----------------------------------------------------------------------------------

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

class RequestError extends Error {
  constructor(status, problem, network = false) {
    super(problem?.detail ?? (network ? S.network : `HTTP ${status}`));
    this.status = status;
    this.problem = problem ?? {};
    this.network = network;
  }

  get retryable() {
    return this.network || this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

/** fetch with the CSRF header (as frontend/static/app.js sends it) and a timeout. Returns
 *  {data, receivedAt}; receivedAt (performance.now()) anchors the countdown. */
async function request(method, url, body, { keepalive = false } = {}) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
  let response;
  try {
    response = await fetch(url, {
      method, credentials: "same-origin", keepalive, signal: abort.signal,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new RequestError(0, null, true);
  } finally {
    clearTimeout(timer);
  }
  const receivedAt = performance.now();
  let data = null;
  if (response.headers.get("content-type")?.includes("json")) {
    try { data = await response.json(); } catch { data = null; }
  }
  if (!response.ok) throw new RequestError(response.status, data);
  return { data, receivedAt };
}

// --- answers: reading and writing the controls ------------------------------------------------

function isAnswered(response) {
  return response !== null && response !== undefined &&
    !(typeof response === "object" && Object.keys(response).length === 0);
}

function wordCount(text) {
  return text.split(/\s+/).filter(Boolean).length;
}

function looksNumeric(text) {
  return /^\s*[+\-\u2212]?\s*(\d[\d\s.,]*|[.,]\d[\d\s]*)([eE][+-]?\d+)?\s*$/.test(text);
}

/** Builds the controls of one question for the running attempt. `onChange(response, {text})`
 *  is called with the new response (null when cleared); returns {el, set(response)}. */
function buildControls(slot, q, onChange) {
  const base = `qz${slot.slot}`;
  const labelledBy = `${base}-h ${base}-t`;
  switch (q.type) {
    case "single_choice":
    case "true_false":
    case "multiple_response": {
      const multiple = q.type === "multiple_response";
      const inputs = [];
      const box = h("fieldset", { class: "qz-choices", "aria-labelledby": labelledBy },
        h("legend", { class: "qz-hint", text: multiple ? S.chooseMany : S.chooseOne }));
      q.choices.forEach((choice, i) => {
        const input = h("input", {
          type: multiple ? "checkbox" : "radio", name: `${base}-choice`, value: String(choice.id),
          id: `${base}-c${choice.id}`,
        });
        input.addEventListener("change", () => onChange(read()));
        inputs.push([input, choice]);
        const label = q.type === "true_false"
          ? h("span", { class: "qz-choice-text", text: choice.value ? S.true : S.false })
          : h("span", { class: "qz-choice-text" }, trusted(choice.html));
        box.append(h("label", { class: "qz-choice", for: input.id }, input,
          q.type === "true_false" ? null
            : h("span", { class: "qz-letter", "aria-hidden": "true", text: `${"abcdefghijklmnopqrstuvwxyz"[i] ?? i + 1}.` }),
          label));
      });
      const read = () => {
        const on = inputs.filter(([input]) => input.checked).map(([, c]) => c);
        if (!on.length) return null;
        if (multiple) return { choices: on.map((c) => c.id) };
        if (q.type === "true_false") return { value: on[0].value };
        return { choice: on[0].id };
      };
      const set = (r) => {
        for (const [input, c] of inputs) {
          input.checked = !!r && (multiple ? (r.choices ?? []).includes(c.id)
            : q.type === "true_false" ? r.value === c.value : r.choice === c.id);
        }
      };
      const parts = [box];
      if (!multiple) {
        parts.push(h("button", {
          type: "button", class: "link qz-clear", text: S.clear,
          onclick: () => { set(null); onChange(null); },
        }));
      }
      return { el: h("div", { class: "qz-answer" }, parts), set };
    }
    case "short_answer":
    case "numerical": {
      const numeric = q.type === "numerical";
      const id = `${base}-input`;
      const hintId = `${base}-hint`;
      const warnId = `${base}-warn`;
      const input = h("input", {
        type: "text", id, autocomplete: "off", spellcheck: "false", autocapitalize: "off",
        inputmode: numeric ? "decimal" : null, "aria-describedby": numeric ? `${hintId} ${warnId}` : null,
        class: numeric ? "qz-number" : "qz-text-input",
      });
      const warn = h("p", { class: "qz-warn", id: warnId, "aria-live": "polite" });
      const read = () => {
        const value = input.value;
        if (!value.trim()) return null;
        return numeric ? { value } : { text: value };
      };
      const check = () => {
        warn.textContent = numeric && input.value.trim() && !looksNumeric(input.value)
          ? S.notNumber : "";
      };
      input.addEventListener("input", () => { check(); onChange(read(), { text: true }); });
      input.addEventListener("change", () => onChange(read()));
      const set = (r) => {
        const v = r ? (numeric ? r.value : r.text) : "";
        input.value = v === null || v === undefined ? "" : String(v);
        check();
      };
      return {
        el: h("div", { class: "qz-answer" },
          h("label", { for: id, class: "qz-label", text: S.yourAnswer }), input,
          numeric ? h("p", { class: "qz-hint", id: hintId, text: S.numberHint }) : null, warn),
        set,
      };
    }
    case "matching": {
      const selects = [];
      const rows = q.stems.map((stem) => {
        const id = `${base}-s${stem.id}`;
        const select = h("select", { id }, h("option", { value: "", text: S.choose }));
        for (const choice of q.choices) {
          const option = h("option", { text: choice.text });
          option.value = choice.text;
          select.append(option);
        }
        select.addEventListener("change", () => onChange(read()));
        selects.push([select, stem]);
        return h("div", { class: "qz-match-row" },
          h("label", { for: id, class: "qz-stem" }, trusted(stem.html)), select);
      });
      const read = () => {
        const pairs = {};
        for (const [select, stem] of selects) if (select.value) pairs[String(stem.id)] = select.value;
        return Object.keys(pairs).length ? { pairs } : null;
      };
      const set = (r) => {
        const pairs = r?.pairs ?? {};
        for (const [select, stem] of selects) {
          const v = pairs[String(stem.id)];
          select.value = typeof v === "string" && [...select.options].some((o) => o.value === v) ? v : "";
        }
      };
      return {
        el: h("div", { class: "qz-answer", role: "group", "aria-labelledby": labelledBy }, rows),
        set,
      };
    }
    case "ordering":
      return orderingControls(base, q, onChange, labelledBy);
    case "essay": {
      const id = `${base}-essay`;
      const countId = `${base}-count`;
      const area = h("textarea", { id, rows: 8, class: "qz-essay", "aria-describedby": countId });
      const count = h("p", { class: "qz-words", id: countId });
      const limits = [q.min_words ? fmt(S.minWords, { n: q.min_words }) : "",
        q.max_words ? fmt(S.maxWords, { n: q.max_words }) : ""].filter(Boolean).join(", ");
      let touched = false;
      const recount = () => {
        const n = wordCount(area.value);
        count.textContent = fmt(S.words, { n }) + (limits ? ` (${limits})` : "");
        count.classList.toggle("qz-warn", (q.min_words && n < q.min_words) ||
          (q.max_words && n > q.max_words));
      };
      area.addEventListener("input", () => {
        touched = true;
        recount();
        onChange(area.value.trim() ? { text: area.value } : null, { text: true });
      });
      const set = (r) => {
        area.value = r && typeof r.text === "string" ? r.text : (touched ? "" : q.response_template || "");
        recount();
      };
      return {
        el: h("div", { class: "qz-answer" },
          h("label", { for: id, class: "qz-label", text: S.yourAnswer }), area, count),
        set,
      };
    }
    default: // description: text only
      return { el: null, set: () => {} };
  }
}

function orderingControls(base, q, onChange, labelledBy) {
  const byId = new Map(q.items.map((item) => [item.id, item]));
  let order = q.items.map((item) => item.id);
  const hintId = `${base}-ohint`;
  const list = h("ol", { class: "qz-order", "aria-labelledby": labelledBy, "aria-describedby": hintId });
  const live = h("p", { class: "sr-only", "aria-live": "assertive" });
  let dragged = null;

  const move = (index, delta, focusDir) => {
    const target = index + delta;
    if (target < 0 || target >= order.length) return;
    [order[index], order[target]] = [order[target], order[index]];
    render(order[target], focusDir);
    const label = plainText(byId.get(order[target]).html);
    live.textContent = fmt(S.movedTo, { t: label, i: target + 1, n: order.length });
    onChange({ order: [...order] });
  };

  function render(focusId = null, focusDir = null) {
    list.replaceChildren();
    order.forEach((id, index) => {
      const item = byId.get(id);
      const label = plainText(item.html);
      const up = h("button", {
        type: "button", class: "qz-move", "data-dir": "up", "aria-label": fmt(S.up, { t: label }),
        disabled: index === 0, text: "▲", onclick: () => move(index, -1, "up"),
      });
      const down = h("button", {
        type: "button", class: "qz-move", "data-dir": "down", "aria-label": fmt(S.down, { t: label }),
        disabled: index === order.length - 1, text: "▼", onclick: () => move(index, 1, "down"),
      });
      const li = h("li", { class: "qz-item", draggable: "true", "data-id": String(id) },
        h("span", { class: "qz-pos", "aria-hidden": "true", text: String(index + 1) }),
        h("span", { class: "qz-item-text" }, trusted(item.html)),
        h("span", { class: "qz-moves" }, up, down));
      li.addEventListener("dragstart", (e) => { dragged = id; e.dataTransfer.effectAllowed = "move"; });
      li.addEventListener("dragover", (e) => { e.preventDefault(); });
      li.addEventListener("drop", (e) => {
        e.preventDefault();
        if (dragged === null || dragged === id) return;
        const to = order.indexOf(id); // dropping on an item takes its place
        order.splice(order.indexOf(dragged), 1);
        order.splice(to, 0, dragged);
        dragged = null;
        render();
        onChange({ order: [...order] });
      });
      list.append(li);
      if (id === focusId) {
        const preferred = focusDir === "up" ? up : down;
        (preferred.disabled ? (focusDir === "up" ? down : up) : preferred).focus();
      }
    });
  }

  const set = (r) => {
    const ids = r?.order;
    if (Array.isArray(ids) && ids.length === order.length && ids.every((i) => byId.has(i))) {
      order = [...ids];
    } else if (!r) {
      order = q.items.map((item) => item.id);
    }
    render();
  };
  render();
  return {
    el: h("div", { class: "qz-answer" }, h("p", { class: "qz-hint", id: hintId, text: S.orderHint }),
      list, live),
    set,
  };
}

// --- the running attempt -------------------------------------------------------------------

class Runner {
  constructor(root, view, receivedAt) {
    this.root = root;
    this.view = view;
    this.id = view.id;
    this.layout = view.layout === "all" ? "all" : "one_per_page";
    this.finished = false;
    this.retryTimer = 0;
    this.failures = 0;
    this.fatal = "";
    this.submitting = false;
    let number = 0;
    this.slots = view.slots.map((s) => ({
      data: s, q: s.question, slot: s.slot, seq: s.seq, flagged: !!s.flagged,
      response: s.response ?? null, label: s.question.type === "description" ? S.info
        : fmt(S.question, { n: ++number }), short: s.question.type === "description" ? "i" : String(number),
      dirtyResponse: false, dirtyFlag: false, inflight: null, again: false, debounce: 0,
    }));
    this.current = 0;
    const hash = /^#q(\d+)$/.exec(location.hash);
    if (hash) {
      const at = this.slots.findIndex((s) => s.slot === Number(hash[1]));
      if (at >= 0) this.current = at;
    }
    this.syncClock(view, receivedAt);
    this.render();
    this.bindWindow();
    this.startTimer();
  }

  // The countdown: deadline and server_time are the same server clock, so their difference is
  // the time left whatever the phone's clock says; performance.now() cannot be changed by hand.
  syncClock(view, receivedAt) {
    if (!view.deadline) { this.endsAt = null; return; }
    let left = view.seconds_left * 1000;
    if (view.server_time) {
      const precise = parseTime(view.deadline) - parseTime(view.server_time);
      if (Number.isFinite(precise)) left = precise;
    }
    this.endsAt = receivedAt + left;
  }

  render() {
    const root = this.root;
    const title = root.querySelector("h1");
    this.status = h("span", { class: "qz-status", role: "status", "aria-live": "polite" });
    this.timerText = h("span", { class: "qz-timer-text" });
    this.timerEl = this.endsAt === null ? null
      : h("span", { class: "qz-timer", role: "timer", "aria-label": S.timeLeft, title: S.timeLeft },
        clockIcon(), this.timerText);
    this.announcer = h("p", { class: "sr-only", "aria-live": "assertive" });
    this.navList = h("ol", { class: "qz-nav-list" });
    this.navSummary = h("span", { class: "qz-nav-count" });
    const navId = nextId("qz-nav");
    this.navToggle = h("button", {
      type: "button", class: "qz-nav-toggle", "aria-expanded": "false", "aria-controls": navId,
      onclick: () => this.toggleNav(),
    }, this.navSummary);
    this.nav = h("nav", { class: "qz-nav", id: navId, "aria-label": S.navTitle },
      this.navList,
      h("ul", { class: "qz-legend", "aria-hidden": "true" },
        h("li", {}, h("span", { class: "qz-sw qz-answered" }), S.answered),
        h("li", {}, h("span", { class: "qz-sw" }), S.notAnswered),
        h("li", {}, h("span", { class: "qz-sw qz-flagged" }), S.flaggedL),
        h("li", {}, h("span", { class: "qz-sw qz-current" }), S.current)),
    );
    const bar = h("div", { class: "qz-bar" }, this.timerEl, this.status, this.navToggle,
      h("button", { type: "button", class: "primary qz-bar-finish", text: S.finish, onclick: () => this.confirmSubmit() }));
    this.questions = h("div", { class: "qz-questions" });
    this.pager = h("div", { class: "qz-pager" });
    this.banner = h("p", { class: "qz-banner", role: "alert", hidden: true });
    for (const s of this.slots) this.buildQuestion(s);
    this.dialog = this.buildDialog();
    root.replaceChildren(title ?? "", h("div", { class: "qz-shell" },
      h("div", { class: "qz-top" }, bar, this.nav), this.banner, this.questions, this.pager),
    this.dialog, this.announcer);
    root.classList.add("qz-running");
    this.show(this.current, false);
    this.updateNav();
    this.updateStatus();
  }

  buildQuestion(s) {
    const q = s.q;
    const base = `qz${s.slot}`;
    s.flagBtn = q.type === "description" ? null : h("button", {
      type: "button", class: "qz-flag", "aria-pressed": String(s.flagged),
      onclick: () => this.toggleFlag(s),
    });
    s.stateEl = h("span", { class: "qz-qstate" });
    s.note = h("p", { class: "qz-qnote", role: "status" });
    const controls = buildControls(s, q, (response, opts = {}) => this.changed(s, response, opts));
    s.set = controls.set;
    s.el = h("section", { class: `qz-q qz-type-${q.type}`, id: `q${s.slot}`, "data-slot": String(s.slot) },
      h("header", { class: "qz-qhead" },
        h("h2", { id: `${base}-h`, tabindex: "-1", class: "qz-qtitle" }, s.label,
          q.type === "description" ? null
            : h("span", { class: "qz-qmeta", text: ` · ${s.data.max_mark === 1 ? S.mark1 : fmt(S.marks, { m: num(s.data.max_mark) })}` })),
        s.stateEl, s.flagBtn),
      h("div", { class: "qz-text", id: `${base}-t` }, trusted(q.text_html)),
      controls.el, s.note);
    s.set(s.response);
    this.paintFlag(s);
    this.questions.append(s.el);
  }

  buildDialog() {
    this.dialogBody = h("div", { class: "qz-dialog-body" });
    const dialog = h("dialog", { class: "qz-dialog", "aria-labelledby": "qz-confirm-title" },
      h("h2", { id: "qz-confirm-title", text: S.confirmTitle }), this.dialogBody,
      h("p", { class: "muted", text: S.confirmNote }),
      h("div", { class: "qz-dialog-actions" },
        h("button", { type: "button", class: "qz-big", text: S.confirmBack, onclick: () => dialog.close() }),
        h("button", {
          type: "button", class: "primary qz-big qz-confirm-go", text: S.confirmGo,
          onclick: () => { dialog.close(); this.submit(false); },
        })));
    return dialog;
  }

  // --- navigation ------------------------------------------------------------------------

  show(index, focus = true) {
    this.current = Math.max(0, Math.min(index, this.slots.length - 1));
    const s = this.slots[this.current];
    if (this.layout === "one_per_page") {
      for (const other of this.slots) other.el.hidden = other !== s;
      this.renderPager();
    } else {
      this.renderPager();
      if (focus) s.el.scrollIntoView({ block: "start" });
    }
    history.replaceState(history.state, "", `${location.pathname}${location.search}#q${s.slot}`);
    this.updateNav();
    if (focus) {
      s.el.querySelector(".qz-qtitle").focus({ preventScroll: this.layout === "all" });
      if (this.layout === "one_per_page") this.root.scrollIntoView({ block: "start" });
    }
  }

  renderPager() {
    const n = this.slots.length;
    const i = this.current;
    if (this.layout === "all") {
      this.pager.replaceChildren(h("button", {
        type: "button", class: "primary qz-big", text: S.finish, onclick: () => this.confirmSubmit(),
      }));
      return;
    }
    this.pager.replaceChildren(
      h("button", { type: "button", class: "qz-big qz-prev", text: S.prev, disabled: i === 0, onclick: () => this.show(i - 1) }),
      h("span", { class: "qz-pos-of muted", text: fmt(S.position, { i: i + 1, n }) }),
      i < n - 1
        ? h("button", { type: "button", class: "primary qz-big qz-next", text: S.next, onclick: () => this.show(i + 1) })
        : h("button", { type: "button", class: "primary qz-big qz-next", text: S.finish, onclick: () => this.confirmSubmit() }));
  }

  toggleNav(open) {
    const shell = this.root.querySelector(".qz-shell");
    const now = open ?? !shell.classList.contains("qz-nav-open");
    shell.classList.toggle("qz-nav-open", now);
    this.navToggle.setAttribute("aria-expanded", String(now));
  }

  updateNav() {
    const graded = this.slots.filter((s) => s.q.type !== "description");
    const answered = graded.filter((s) => isAnswered(s.response)).length;
    this.navSummary.textContent = fmt(S.navSummary, { a: answered, n: graded.length });
    this.navList.replaceChildren(...this.slots.map((s, index) => {
      const states = [];
      const done = s.q.type !== "description" && isAnswered(s.response);
      if (s.q.type !== "description") states.push(done ? S.answered : S.notAnswered);
      if (s.flagged) states.push(S.flagged);
      const current = index === this.current;
      const btn = h("button", {
        type: "button", text: s.short, "data-slot": String(s.slot),
        class: ["qz-nav-btn", done ? "qz-answered" : "", s.flagged ? "qz-flagged" : "",
          current ? "qz-current" : ""].filter(Boolean).join(" "),
        "aria-label": `${s.label}: ${states.join(", ")}`,
        "aria-current": current ? "step" : null,
        onclick: () => { this.toggleNav(false); this.show(index); },
      });
      return h("li", {}, btn);
    }));
    for (const s of this.slots) {
      if (s.q.type === "description") continue;
      s.stateEl.textContent = isAnswered(s.response) ? S.answered : S.notAnswered;
      s.stateEl.classList.toggle("qz-done", isAnswered(s.response));
    }
  }

  paintFlag(s) {
    if (!s.flagBtn) return;
    s.flagBtn.setAttribute("aria-pressed", String(s.flagged));
    s.flagBtn.replaceChildren(h("span", { "aria-hidden": "true", text: s.flagged ? "⚑ " : "⚐ " }),
      s.flagged ? S.unflag : S.flag);
    s.el?.classList.toggle("qz-is-flagged", s.flagged);
  }

  // --- saving ----------------------------------------------------------------------------

  changed(s, response, { text = false } = {}) {
    if (this.finished) return;
    s.response = response;
    s.dirtyResponse = true;
    s.note.textContent = "";
    this.updateNav();
    this.queue(s, text ? TEXT_DEBOUNCE_MS : 0);
  }

  toggleFlag(s) {
    if (this.finished) return;
    s.flagged = !s.flagged;
    s.dirtyFlag = true;
    this.paintFlag(s);
    this.updateNav();
    this.queue(s, 0);
  }

  queue(s, delay) {
    clearTimeout(s.debounce);
    s.debounce = delay ? setTimeout(() => this.flush(s), delay) : 0;
    if (!delay) this.flush(s);
    this.updateStatus();
  }

  pending() {
    return this.slots.some((s) => s.dirtyResponse || s.dirtyFlag || s.inflight || s.debounce);
  }

  async flush(s) {
    clearTimeout(s.debounce);
    s.debounce = 0;
    if (s.inflight) { s.again = true; return s.inflight; }
    if (this.finished || !(s.dirtyResponse || s.dirtyFlag)) return undefined;
    const body = { base_seq: s.seq };
    const sentResponse = s.dirtyResponse;
    const sentFlag = s.dirtyFlag;
    if (sentResponse) body.response = s.response;
    if (sentFlag) body.flagged = s.flagged;
    s.dirtyResponse = s.dirtyFlag = false;
    s.inflight = (async () => {
      try {
        const { data } = await request("PUT", `${API}/attempts/${this.id}/slots/${s.slot}`, body);
        s.seq = data.seq;
        this.failures = 0;
        this.fatal = "";
        this.savedOnce = true;
      } catch (error) {
        this.saveFailed(s, error, sentResponse, sentFlag);
      } finally {
        s.inflight = null;
        if (s.again) { s.again = false; if (!this.finished) this.flush(s); }
        this.updateStatus();
      }
    })();
    this.updateStatus();
    return s.inflight;
  }

  saveFailed(s, error, sentResponse, sentFlag) {
    if (error.retryable) {
      if (sentResponse) s.dirtyResponse = true;
      if (sentFlag) s.dirtyFlag = true;
      this.failures += 1;
      this.scheduleRetry();
      return;
    }
    const p = error.problem;
    if (error.status === 409 && p.attempt_state) {
      this.finishedElsewhere();
    } else if (error.status === 409 && "seq" in p) {
      // Another tab saved since the page last saw this question: theirs is the newer answer.
      s.seq = p.seq;
      s.response = p.response ?? null;
      s.flagged = !!p.flagged;
      s.dirtyResponse = s.dirtyFlag = false;
      s.set(s.response);
      this.paintFlag(s);
      s.note.textContent = S.conflict;
      this.updateNav();
    } else if (error.status === 401 || error.status === 403) {
      if (sentResponse) s.dirtyResponse = true;
      if (sentFlag) s.dirtyFlag = true;
      this.fatal = S.session;
    } else {
      s.note.textContent = fmt(S.notSaved, { d: error.message });
      this.fatal = fmt(S.notSaved, { d: error.message });
    }
  }

  scheduleRetry() {
    if (this.retryTimer || this.finished) return;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(this.failures - 1, 5)) *
      (0.75 + Math.random() * 0.5);
    this.retryTimer = setTimeout(() => { this.retryTimer = 0; this.flushAll(); }, delay);
  }

  flushAll() {
    return Promise.all(this.slots.map((s) => this.flush(s)));
  }

  updateStatus() {
    if (this.finished || !this.status) return;
    let text = "";
    let kind = "";
    if (this.fatal) {
      text = this.fatal; kind = "error";
    } else if (this.failures && this.slots.some((s) => s.dirtyResponse || s.dirtyFlag)) {
      text = navigator.onLine === false ? S.offline : S.retrying; kind = "error";
    } else if (this.pending()) {
      text = S.saving; kind = "saving";
    } else if (this.savedOnce || this.slots.some((s) => s.seq > 0)) {
      text = S.saved; kind = "saved";
    }
    this.status.textContent = text;
    this.status.dataset.state = kind;
  }

  bindWindow() {
    this.onOnline = () => { this.failures = Math.min(this.failures, 1); clearTimeout(this.retryTimer); this.retryTimer = 0; this.flushAll(); };
    this.onOffline = () => this.updateStatus();
    this.onHide = () => this.flushKeepalive();
    this.onBeforeUnload = (event) => {
      if (!this.finished && this.pending()) { this.flushKeepalive(); event.preventDefault(); event.returnValue = ""; }
    };
    this.onVisible = () => { if (document.visibilityState === "visible") this.resync(); };
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    window.addEventListener("pagehide", this.onHide);
    window.addEventListener("beforeunload", this.onBeforeUnload);
    document.addEventListener("visibilitychange", this.onVisible);
  }

  unbindWindow() {
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    window.removeEventListener("pagehide", this.onHide);
    window.removeEventListener("beforeunload", this.onBeforeUnload);
    document.removeEventListener("visibilitychange", this.onVisible);
    clearInterval(this.tick);
    clearTimeout(this.retryTimer);
  }

  /** The page is going away: send what is still waiting, with keepalive so it outlives us. */
  flushKeepalive() {
    for (const s of this.slots) {
      if (s.inflight || !(s.dirtyResponse || s.dirtyFlag) || this.finished) continue;
      clearTimeout(s.debounce);
      s.debounce = 0;
      const body = { base_seq: s.seq };
      if (s.dirtyResponse) body.response = s.response;
      if (s.dirtyFlag) body.flagged = s.flagged;
      request("PUT", `${API}/attempts/${this.id}/slots/${s.slot}`, body, { keepalive: true })
        .then(({ data }) => { s.seq = data.seq; s.dirtyResponse = s.dirtyFlag = false; this.updateStatus(); })
        .catch(() => {});
    }
  }

  /** Back from the background (a phone locked for a while): take the server's clock again. */
  async resync() {
    if (this.finished) return;
    try {
      const { data, receivedAt } = await request("GET", `${API}/attempts/${this.id}`);
      if (data.state !== "in_progress") { this.showReview(data); return; }
      this.syncClock(data, receivedAt);
      this.tickNow();
    } catch { /* the next save or tick will tell */ }
  }

  // --- time ------------------------------------------------------------------------------

  startTimer() {
    if (this.endsAt === null) return;
    this.warned = new Set();
    this.tickNow();
    this.tick = setInterval(() => this.tickNow(), 250);
  }

  tickNow() {
    if (this.endsAt === null || this.finished) return;
    const left = this.endsAt - performance.now();
    this.timerText.textContent = clock(left);
    this.timerEl.classList.toggle("qz-low", left <= 60000);
    for (const [limit, text] of [[300000, S.warn5], [60000, S.warn1]]) {
      if (left <= limit && left > limit - 5000 && !this.warned.has(limit)) {
        this.warned.add(limit);
        this.announcer.textContent = text;
      }
    }
    if (left <= 0) {
      clearInterval(this.tick);
      this.banner.hidden = false;
      this.banner.textContent = S.timeUp;
      this.submit(true);
    }
  }

  // --- submitting ------------------------------------------------------------------------

  confirmSubmit() {
    const graded = this.slots.filter((s) => s.q.type !== "description");
    const open = graded.filter((s) => !isAnswered(s.response));
    const flagged = graded.filter((s) => s.flagged);
    const jump = (s) => h("button", {
      type: "button", class: "link", text: s.label,
      onclick: () => { this.dialog.close(); this.show(this.slots.indexOf(s)); },
    });
    const parts = [];
    if (open.length) {
      parts.push(h("p", { text: fmt(S.confirmSome, { n: open.length }) }),
        h("ul", { class: "qz-open-list" }, open.map((s) => h("li", {}, jump(s)))));
    } else {
      parts.push(h("p", { text: S.confirmAll }));
    }
    if (flagged.length) {
      parts.push(h("p", { text: S.confirmFlagged }),
        h("ul", { class: "qz-open-list" }, flagged.map((s) => h("li", {}, jump(s)))));
    }
    this.dialogBody.replaceChildren(...parts);
    this.dialog.showModal();
  }

  async submit(timeUp) {
    if (this.submitting || this.finished) return;
    this.submitting = true;
    // Send what is waiting first; on time-up the server accepts saves for a short grace.
    await Promise.race([this.flushAll(), new Promise((r) => setTimeout(r, timeUp ? 5000 : 10000))]);
    if (!timeUp && this.slots.some((s) => s.dirtyResponse || s.dirtyFlag) &&
        !window.confirm(S.unsavedWarn)) {
      this.submitting = false;
      return;
    }
    this.banner.hidden = false;
    this.banner.textContent = timeUp ? S.timeUp : S.submitting;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const { data } = await request("POST", `${API}/attempts/${this.id}/submit`);
        this.showReview(data);
        return;
      } catch (error) {
        if (!error.retryable) {
          this.banner.textContent = fmt(S.notSaved, { d: error.message });
          this.submitting = false;
          return;
        }
        this.banner.textContent = S.submitFailed;
        await new Promise((r) => setTimeout(r, Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  async finishedElsewhere() {
    if (this.finished) return;
    this.finished = true;
    this.unbindWindow();
    try {
      const { data } = await request("GET", `${API}/attempts/${this.id}`);
      renderReview(this.root, data, S.finishedElsewhere);
    } catch (error) {
      this.banner.hidden = false;
      this.banner.textContent = S.finishedElsewhere;
    }
  }

  showReview(data) {
    this.finished = true;
    this.unbindWindow();
    renderReview(this.root, data);
  }
}

// --- the review ----------------------------------------------------------------------------

function responseOf(entry) {
  return entry.response ?? null;
}

function choiceReview(q, entry) {
  const r = responseOf(entry);
  const multiple = q.type === "multiple_response";
  const selected = (c) => (typeof c.selected === "boolean" ? c.selected
    : !!r && (multiple ? (r.choices ?? []).includes(c.id)
      : q.type === "true_false" ? r.value === c.value : r.choice === c.id));
  return h("ul", { class: "qz-choices qz-review-choices" }, q.choices.map((c) => {
    const on = selected(c);
    const right = typeof c.fraction === "number" && c.fraction > 0;
    const tags = [];
    if (on) tags.push(h("span", { class: "tag", text: S.chosen }));
    if (right) tags.push(h("span", { class: "tag status-completed", text: S.correctMark }));
    return h("li", {
      class: ["qz-choice", on ? "qz-selected" : "", right ? "qz-right" : ""].filter(Boolean).join(" "),
    },
    h("span", { class: "qz-mark-box", "aria-hidden": "true", text: on ? (multiple ? "☑" : "◉") : (multiple ? "☐" : "○") }),
    q.type === "true_false" ? h("span", { class: "qz-choice-text", text: c.value ? S.true : S.false })
      : h("span", { class: "qz-choice-text" }, trusted(c.html)),
    tags);
  }));
}

function numberAnswer(a) {
  if (a.kind === "range") return `${num(a.min, 6)} – ${num(a.max, 6)}`;
  if (a.kind === "tolerance") return a.tolerance ? `${num(a.value, 6)} ± ${num(a.tolerance, 6)}` : num(a.value, 6);
  return "";
}

function reviewBody(q, entry) {
  const r = responseOf(entry);
  const parts = [];
  const answerLine = (label, value) => h("p", { class: "qz-review-line" },
    h("strong", { text: `${label} ` }), value ?? h("em", { text: S.noResponse }));
  switch (q.type) {
    case "single_choice":
    case "multiple_response":
    case "true_false":
      parts.push(choiceReview(q, entry));
      break;
    case "short_answer": {
      const text = "response_text" in q ? q.response_text : r?.text;
      if ("response_text" in q || r) parts.push(answerLine(S.yourResponse, text ? h("span", { class: "qz-given", text }) : null));
      const best = (q.answers ?? []).filter((a) => a.fraction >= 1);
      if (best.length) parts.push(answerLine(S.rightAnswer, h("span", { text: best.map((a) => a.text).join(" / ") })));
      break;
    }
    case "numerical": {
      const value = "response_value" in q ? q.response_value : r?.value;
      if ("response_value" in q || r) {
        parts.push(answerLine(S.yourResponse, value === null || value === undefined ? null
          : h("span", { class: "qz-given", text: typeof value === "number" ? num(value, 6) : String(value) })));
      }
      const best = (q.answers ?? []).filter((a) => a.fraction >= 1 && a.kind !== "any");
      if (best.length) parts.push(answerLine(S.rightAnswer, h("span", { text: best.map(numberAnswer).join(" / ") })));
      break;
    }
    case "matching": {
      const pairs = r?.pairs ?? {};
      parts.push(h("dl", { class: "qz-match-review" }, q.stems.flatMap((stem) => {
        const given = "response" in stem ? stem.response : pairs[String(stem.id)];
        const mark = typeof stem.correct === "boolean"
          ? h("span", { class: stem.correct ? "ok" : "error", text: stem.correct ? " ✓" : " ✗" }) : null;
        return [
          h("dt", {}, trusted(stem.html)),
          h("dd", {}, given ? h("span", { class: "qz-given", text: given }) : h("em", { text: S.noResponse }), mark,
            stem.correct_match !== undefined && !stem.correct
              ? h("span", { class: "qz-right-inline" }, ` — ${S.rightAnswer} `, h("strong", { text: stem.correct_match }))
              : null),
        ];
      })));
      break;
    }
    case "ordering": {
      const byId = new Map(q.items.map((i) => [i.id, i]));
      const order = Array.isArray(q.response_order) ? q.response_order : r?.order;
      if (Array.isArray(order) && order.length) {
        parts.push(h("p", { class: "qz-review-line" }, h("strong", { text: S.yourResponse })),
          h("ol", { class: "qz-order qz-order-review" }, order.filter((id) => byId.has(id))
            .map((id) => h("li", { class: "qz-item" }, trusted(byId.get(id).html)))));
      } else if ("response_order" in q || r) {
        parts.push(answerLine(S.yourResponse, null));
      }
      if (Array.isArray(q.correct_order)) {
        parts.push(h("p", { class: "qz-review-line" }, h("strong", { text: S.rightOrder })),
          h("ol", { class: "qz-order qz-order-review" }, q.correct_order.map((i) => h("li", { class: "qz-item" }, trusted(i.html)))));
      }
      break;
    }
    case "essay": {
      const text = "response_text" in q ? q.response_text : r?.text;
      if ("response_text" in q || r) {
        parts.push(h("p", { class: "qz-review-line" }, h("strong", { text: S.yourResponse })),
          text ? h("div", { class: "qz-essay-review", text }) : h("p", {}, h("em", { text: S.noResponse })));
      }
      break;
    }
    default:
      break;
  }
  for (const html of q.feedback_html ?? []) parts.push(h("div", { class: "qz-feedback" }, trusted(html)));
  if (q.general_feedback_html) {
    parts.push(h("div", { class: "qz-feedback qz-general" }, h("strong", { text: S.generalFeedback }), trusted(q.general_feedback_html)));
  }
  if (entry.comment) {
    parts.push(h("div", { class: "qz-feedback" }, h("strong", { text: `${S.comment} ` }), h("span", { text: entry.comment })));
  }
  return parts;
}

function renderReview(root, data, notice = "") {
  const title = root.querySelector("h1");
  const facts = [[S.state, S.finishedS], [S.startedAt, when(data.started_at)],
    [S.finishedAt, when(data.finished_at)]];
  if (data.started_at && data.finished_at) {
    const ms = parseTime(data.finished_at) - parseTime(data.started_at);
    facts.push([S.took, clock(ms)]);
  }
  if (typeof data.sum_marks === "number") {
    facts.push([S.markL, `${num(data.sum_marks)}/${num(data.max_marks)}`]);
    facts.push([S.gradeL, pct(data.fraction)]);
    facts.push([S.outcome, data.passed ? S.passed : S.failed]);
  }
  const review = new Set(data.review ?? []);
  let number = 0;
  const questions = review.size === 0 ? [] : data.slots.map((entry) => {
    const q = entry.question;
    const label = q.type === "description" ? S.info : fmt(S.question, { n: ++number });
    const state = entry.state ?? q.state;
    const stateText = state ? S.states[state] ?? "" : "";
    return h("section", { class: `qz-q qz-review-q${state ? ` qz-state-${state}` : ""}`, id: `q${entry.slot}` },
      h("header", { class: "qz-qhead" },
        h("h2", { class: "qz-qtitle", text: label }),
        stateText ? h("span", { class: `qz-qstate qz-st-${state}`, text: stateText }) : null,
        typeof entry.mark === "number" && q.type !== "description"
          ? h("span", { class: "qz-qmeta", text: fmt(S.markOf, { m: num(entry.mark), n: num(entry.max_mark) }) }) : null),
      h("div", { class: "qz-text" }, trusted(q.text_html)),
      reviewBody(q, entry));
  });
  const summary = h("section", { class: "qz-result", "aria-labelledby": "qz-result-h" },
    h("h2", { id: "qz-result-h", tabindex: "-1", text: fmt(S.result, { n: data.number }) }),
    notice ? h("p", { class: "qz-banner", role: "status", text: notice }) : null,
    h("dl", { class: "facts qz-facts" }, facts.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })])),
    data.needs_grading ? h("p", { class: "muted", text: S.needsGrading }) : null,
    review.size === 0 ? h("p", { class: "muted", text: S.noReview }) : null);
  const back = h("p", {}, h("a", { class: "button", href: location.pathname, text: S.back }));
  root.classList.remove("qz-running");
  root.classList.add("qz-reviewing");
  root.replaceChildren(title ?? "", summary, ...questions, back);
  history.replaceState(history.state, "", `${location.pathname}?attempt=${data.id}`);
  summary.querySelector("h2").focus();
}

// --- entry ---------------------------------------------------------------------------------

function showError(root, text) {
  let box = root.querySelector(".qz-start-error");
  if (!box) {
    box = h("p", { class: "qz-start-error error", role: "alert" });
    root.append(box);
  }
  box.hidden = false;
  box.textContent = text;
}

async function openAttempt(root, attemptId) {
  try {
    const { data, receivedAt } = await request("GET", `${API}/attempts/${attemptId}`);
    if (data.state === "in_progress") return new Runner(root, data, receivedAt);
    renderReview(root, data);
  } catch (error) {
    showError(root, fmt(S.loadFailed, { d: error.message }));
  }
  return null;
}

export function mount(root) {
  LOCALE = (root.dataset.locale || document.documentElement.lang) === "en" ? "en" : "vi";
  S = STRINGS[LOCALE];
  const moduleId = root.dataset.moduleId;
  const params = new URLSearchParams(location.search);
  const wanted = params.get("attempt");
  if (wanted && /^\d+$/.test(wanted)) {
    openAttempt(root, wanted);
    return;
  }
  const start = root.querySelector("[data-quiz-start]");
  if (!start) return;
  start.addEventListener("click", async () => {
    const resuming = !!root.dataset.resumeId;
    if (!resuming && root.dataset.confirm && !window.confirm(root.dataset.confirm)) return;
    start.disabled = true;
    try {
      const { data, receivedAt } = await request("POST", `${API}/modules/${moduleId}/attempts`);
      history.pushState(null, "", `${location.pathname}?attempt=${data.id}`);
      new Runner(root, data, receivedAt);
    } catch (error) {
      start.disabled = false;
      showError(root, fmt(S.startFailed, { d: error.message }));
    }
  });
  window.addEventListener("popstate", () => location.reload());
}
