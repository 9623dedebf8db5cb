// The trainee's live page, phones first (templates/live_sessions/live.html). One socket
// (LiveSocket: resume with since, backoff, heartbeat) carries the session's status, the open
// activity, the ack of each answer and the results when the lecturer shows them.
//
// Answers: each new answer gets a fresh client_id, kept (also in sessionStorage, for a reload)
// until its ack arrives; after a reconnect it is sent again with the same client_id, which the
// server counts once (docs/live-protocol.md, "Answers").
//
// This module is about the activities (poll, rating, word cloud, open question). The quick quiz
// (live-quiz.js) and the room around them (live-room.js: check-in, group discussion, raised
// hand, Q&A) are modules of their own on the same socket, mounted below before it connects.
import {
  h, t, KIND_LABELS, LiveSocket, connectionText, messageOf, newClientId, resultsView, setStatus,
  shareLiveSocket,
} from "./live-common.js";
import { mountQuiz } from "./live-quiz.js";
import { mountRoom } from "./live-room.js";

const body = document.body.dataset;
const sessionId = Number(body.sessionId);
const $ = (id) => document.getElementById(id);
const STORE = `lv-pending-${sessionId}`;
const RESEND_AFTER_MS = 5000;

const view = {
  status: body.status,
  activity: null,
  mine: null, // {answer, client_id, revision} for view.activity, as acknowledged
  results: null, // anonymous results, only when visible
  pending: loadPending(), // {activity_id, client_id, answer} sent but not acknowledged
  error: "",
  drawnKey: "",
};
let resendTimer = null;

function loadPending() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}

function savePending() {
  try {
    if (view.pending) sessionStorage.setItem(STORE, JSON.stringify(view.pending));
    else sessionStorage.removeItem(STORE);
  } catch { /* private mode: memory only */ }
}

// --- sending ---------------------------------------------------------------------------------

function sendPending() {
  const p = view.pending;
  clearTimeout(resendTimer);
  if (!p || !view.activity || p.activity_id !== view.activity.id || view.activity.state !== "open") return;
  if (socket.send({ type: "answer", activity_id: p.activity_id, client_id: p.client_id, answer: p.answer })) {
    resendTimer = setTimeout(sendPending, RESEND_AFTER_MS); // no ack yet: the same message again
  }
  drawSent();
}

function submit(answer) {
  view.error = "";
  view.pending = { activity_id: view.activity.id, client_id: newClientId(), answer };
  savePending();
  sendPending();
}

// --- drawing ---------------------------------------------------------------------------------

function drawSent() {
  const el = $("lv-sent");
  if (!el) return;
  const a = view.activity;
  el.classList.remove("ok", "error", "lv-pending");
  if (view.error) {
    el.textContent = view.error;
    el.classList.add("error");
  } else if (view.pending && view.pending.activity_id === a?.id) {
    el.textContent = socket.ws ? t("Đang gửi…", "Sending…")
      : t("Chưa gửi được: sẽ tự gửi khi có kết nối.", "Not sent yet: it will be sent when the connection is back.");
    el.classList.add("lv-pending");
  } else if (view.mine) {
    el.textContent = t("Đã gửi", "Sent");
    el.classList.add("ok");
  } else {
    el.textContent = "";
  }
  const form = $("lv-form");
  if (form) {
    const locked = a.state !== "open" || (view.mine && !a.allow_change);
    for (const input of form.querySelectorAll("input, textarea, button")) input.disabled = locked;
    const button = form.querySelector("button[type=submit]");
    if (button) {
      button.textContent = view.mine ? t("Gửi lại câu trả lời mới", "Send my new answer")
        : t("Gửi câu trả lời", "Send my answer");
      if (!locked) limitChoices(form);
    }
  }
}

function drawResults() {
  const box = $("lv-results");
  if (!box) return;
  if (!view.results || view.results.activity_id !== view.activity?.id) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(h("h3", {}, t("Kết quả", "Results")), resultsView(view.results, view.activity, { width: 400 }));
}

function currentAnswer() {
  const p = view.pending;
  if (p && p.activity_id === view.activity?.id) return p.answer;
  return view.mine?.answer || null;
}

function limitChoices(form) {
  const max = Number(form.dataset.maxChoices || 0);
  if (!max) return;
  const boxes = [...form.querySelectorAll("input[type=checkbox]")];
  const chosen = boxes.filter((b) => b.checked).length;
  for (const b of boxes) b.disabled = !b.checked && chosen >= max;
}

function choiceList(type, name, items, checked) {
  return h("div.lv-choices", {}, ...items.map((item) =>
    h("label.lv-choice", {},
      h("input", { type, name, value: String(item.value), checked: checked(item.value) }),
      h("span.lv-choice-text", {}, item.label))));
}

function buildForm(a) {
  const cfg = a.config || {};
  const prior = currentAnswer();
  const form = h("form.lv-answer", { id: "lv-form", novalidate: true });
  let read;
  if (a.kind === "poll") {
    const multiple = !!cfg.multiple;
    const max = multiple ? (cfg.max_choices || cfg.options.length) : 1;
    const chosen = new Set(prior?.choices || []);
    form.append(h("fieldset", {},
      h("legend", {}, multiple ? t(`Chọn tối đa ${max} phương án`, `Choose up to ${max}`)
        : t("Chọn một phương án", "Choose one")),
      choiceList(multiple ? "checkbox" : "radio", "choice",
        cfg.options.map((label, i) => ({ value: i, label })), (v) => chosen.has(v))));
    if (multiple) {
      form.dataset.maxChoices = String(max);
      form.addEventListener("change", () => limitChoices(form));
    }
    read = () => {
      const choices = [...form.querySelectorAll("input[name=choice]:checked")].map((i) => Number(i.value));
      return choices.length ? { choices } : null;
    };
  } else if (a.kind === "rating") {
    const items = [];
    for (let v = cfg.min ?? 1; v <= (cfg.max ?? 5); v += 1) items.push({ value: v, label: String(v) });
    const lo = cfg.labels?.[String(cfg.min ?? 1)];
    const hi = cfg.labels?.[String(cfg.max ?? 5)];
    const list = choiceList("radio", "value", items, (v) => prior?.value === v);
    list.classList.add("lv-scale");
    list.style.setProperty("--n", String(items.length));
    for (const label of list.querySelectorAll("label")) {
      const value = label.querySelector("input").value;
      const named = cfg.labels?.[value];
      if (named) label.querySelector("input").setAttribute("aria-label", `${value}: ${named}`);
    }
    form.append(h("fieldset", {}, h("legend", {}, t("Chọn một mức", "Pick a value")), list,
      lo || hi ? h("p.lv-scale-ends", {}, h("span", {}, lo || ""), h("span", {}, hi || "")) : null));
    read = () => {
      const input = form.querySelector("input[name=value]:checked");
      return input ? { value: Number(input.value) } : null;
    };
  } else if (a.kind === "word_cloud") {
    const words = prior?.words || [];
    const n = cfg.max_words || 3;
    const fields = [];
    for (let i = 0; i < n; i += 1) {
      const id = `lv-word-${i}`;
      fields.push(h("label.lv-word", { for: id }, n > 1 ? t(`Từ ${i + 1}`, `Word ${i + 1}`) : t("Từ của anh/chị", "Your word")),
        h("input", { id, name: "word", maxlength: String(cfg.max_length || 40), autocomplete: "off",
                     value: words[i] || "", enterkeyhint: i === n - 1 ? "send" : "next" }));
    }
    form.append(h("fieldset", {}, h("legend", {}, n > 1
      ? t(`Gửi từ 1 đến ${n} từ hoặc cụm từ ngắn`, `Send 1 to ${n} short words or phrases`)
      : t("Gửi một từ hoặc cụm từ ngắn", "Send one short word or phrase")), ...fields));
    read = () => {
      const list = [...form.querySelectorAll("input[name=word]")].map((i) => i.value.trim()).filter(Boolean);
      return list.length ? { words: list } : null;
    };
  } else {
    const max = cfg.max_length || 500;
    const area = h("textarea", { id: "lv-text", name: "text", maxlength: String(max), rows: "5" });
    area.value = prior?.text || "";
    const count = h("p.lv-count", { "aria-live": "polite" });
    const update = () => { count.textContent = `${area.value.length}/${max}`; };
    area.addEventListener("input", update);
    update();
    form.append(h("label", { for: "lv-text" }, t("Câu trả lời của anh/chị", "Your answer")), area, count);
    read = () => (area.value.trim() ? { text: area.value.trim() } : null);
  }
  form.append(h("button.primary.lv-big", { type: "submit" }, t("Gửi câu trả lời", "Send my answer")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const answer = read();
    if (!answer) {
      view.error = t("Hãy chọn hoặc nhập câu trả lời trước khi gửi.", "Choose or type an answer first.");
      drawSent();
      return;
    }
    submit(answer);
  });
  return form;
}

function drawActivity() {
  const box = $("lv-activity");
  const a = view.activity;
  const ended = view.status === "ended";
  const wait = $("lv-wait");
  if (ended) {
    wait.textContent = t("Phiên học đã kết thúc. Cảm ơn anh/chị đã tham gia!", "The session has ended. Thank you for taking part!");
  } else if (view.status === "scheduled") {
    wait.textContent = t("Phiên học chưa bắt đầu. Trang sẽ tự cập nhật.", "The session has not started yet. This page updates by itself.");
  } else {
    wait.textContent = t("Chờ giảng viên đưa ra hoạt động…", "Waiting for the lecturer to open an activity…");
  }
  wait.hidden = !!a && !ended;
  if (!a || ended && !view.results || a.kind === "quick_quiz") { // live-quiz.js draws quizzes
    box.replaceChildren();
    view.drawnKey = "";
    return;
  }
  const key = `${a.id}:${a.state}`;
  if (key !== view.drawnKey) { // redraw the form only when the activity or its state changes
    view.drawnKey = key;
    const closed = a.state !== "open";
    box.replaceChildren(h("article.lv-act", { dataset: { activityId: String(a.id), state: a.state, kind: a.kind } },
      h("p.lv-kind", {}, KIND_LABELS[a.kind] || a.kind,
        closed ? ` · ${t("Đã đóng", "Closed")}` : ""),
      h("h2.lv-prompt", {}, a.prompt),
      closed && !view.mine ? h("p.muted", {}, t("Hoạt động đã đóng.", "The activity has closed.")) : buildForm(a),
      h("p.lv-sent", { id: "lv-sent", role: "status", "aria-live": "polite" }),
      h("div.lv-myresults", { id: "lv-results" })));
  }
  drawSent();
  drawResults();
}

// --- frames ----------------------------------------------------------------------------------

function setActivity(activity, mine) {
  const changed = view.activity?.id !== activity?.id;
  view.activity = activity;
  if (changed) {
    view.mine = mine ?? null;
    view.results = null;
    view.error = "";
  } else if (mine !== undefined) {
    view.mine = mine;
  }
  // An answer still pending for an activity that is no longer open cannot go any more.
  const p = view.pending;
  if (p && (!activity || p.activity_id !== activity.id || activity.state !== "open")) {
    if (activity && p.activity_id === activity.id) {
      view.error = t("Hoạt động đã đóng trước khi câu trả lời mới được gửi.",
                     "The activity closed before your new answer was sent.");
    }
    view.pending = null;
    savePending();
  }
}

function apply(frame) {
  switch (frame.type) {
    case "state":
      view.status = frame.session.status;
      setStatus($("lv-status"), view.status);
      view.activity = null; // a snapshot: start from what it says
      setActivity(frame.activity, frame.my_answer);
      if (view.pending && frame.my_answer?.client_id === view.pending.client_id) {
        view.pending = null; // stored before the drop; its ack was lost with the socket
        savePending();
      }
      view.results = frame.results;
      view.drawnKey = "";
      break;
    case "status":
      view.status = frame.status;
      setStatus($("lv-status"), view.status);
      if (frame.status === "ended") socket.stopped = true;
      break;
    case "activity_opened":
      setActivity(frame.activity, null);
      break;
    case "activity_closed":
      setActivity(frame.activity);
      if (frame.results) view.results = frame.results;
      break;
    case "results":
      if (frame.activity_id === view.activity?.id) view.results = frame.visible ? frame.results : null;
      break;
    case "ack":
      if (view.pending && frame.client_id === view.pending.client_id) {
        clearTimeout(resendTimer);
        if (frame.activity_id === view.activity?.id) {
          view.mine = { answer: view.pending.answer, client_id: frame.client_id, revision: frame.revision };
        }
        view.pending = null;
        savePending();
      }
      break;
    case "error":
      if (frame.client_id && view.pending && frame.client_id === view.pending.client_id) {
        clearTimeout(resendTimer);
        view.pending = null;
        savePending();
        view.error = messageOf(frame);
      } else if (!frame.client_id && frame.code !== "lagging") {
        view.error = messageOf(frame);
      }
      break;
    default:
      return; // pong, resumed, presence and unknown types change nothing on this screen
  }
  drawActivity();
}

const socket = new LiveSocket(sessionId, {
  onFrame: apply,
  onOpen: () => sendPending(),
  onConnection: (state, detail) => {
    const conn = $("lv-conn");
    conn.textContent = connectionText(state, detail);
    conn.dataset.state = state;
    drawSent();
  },
});
shareLiveSocket(socket);
const room = { sessionId, userId: Number(body.userId), status: view.status };
mountQuiz(socket, room, $("lv-quiz"));
mountRoom(socket, room);
drawActivity();
if (view.status !== "ended") socket.connect();
