// The lecturer's console (templates/live_sessions/console.html). The socket (runner view) keeps
// everything current: state, presence, status, the activities list and the results with names.
// Actions go through the REST API (activity_api.py, api.py), whose answers are problems in the
// user's language; what they change comes back over the socket to every screen of the lecturer.
//
// This module is the session and its activities (status, the activity on screen, the queue);
// the activity form is console-form.js, and the room's panels (Q&A, hands, check-in, group
// discussion, the quick quiz's leaderboard) are console-room.js's modules on the same socket.
import {
  api, attempt, h, serverNow, syncClock, t, KIND_LABELS, STATE_LABELS, VISIBILITY_LABELS, LiveSocket,
  connectionText, messageOf, resultsView, say, setStatus, shareLiveSocket,
} from "./live-common.js";
import { mountForm } from "./console-form.js";
import { mountConsoleRoom } from "./console-room.js";

const body = document.body.dataset;
const sessionId = Number(body.sessionId);
const V1 = "/api/v1/live";
const $ = (id) => document.getElementById(id);

const view = {
  status: body.status,
  participants: 0,
  activities: [],
  current: null, // the activity on screen: the open one, or the one chosen / closed last
  pinned: null, // an activity id the lecturer chose to look at
  results: new Map(), // activity id -> latest results (with names)
  timer: null, // the open quick quiz's countdown
  refocus: null, // after moving an activity: which button keeps the keyboard
};

const act = (fn, msgId = "lv-msg") => attempt($(msgId), fn);

// --- status, presence ------------------------------------------------------------------------

function drawStatus() {
  setStatus($("lv-status"), view.status);
  $("lv-start").hidden = view.status !== "scheduled";
  $("lv-end").hidden = view.status === "ended";
  $("lv-push").disabled = view.status !== "live";
  $("lv-participants").textContent = String(view.participants);
}

$("lv-start").addEventListener("click", () =>
  act(() => api("POST", `${V1}/sessions/${sessionId}/start`)));
$("lv-end").addEventListener("click", (event) => {
  if (!window.confirm(event.currentTarget.dataset.confirmText)) return;
  act(() => api("POST", `${V1}/sessions/${sessionId}/end`));
});
// Rendered disabled by the server: a click before this module has loaded would do nothing.
$("lv-start").disabled = false;
$("lv-end").disabled = false;

// --- the activity on screen ------------------------------------------------------------------

function visibilitySelect(activity, msgId) {
  const select = h("select", { "aria-label": t("Học viên xem kết quả", "Trainees see results"),
                               dataset: { activityId: String(activity.id) } });
  for (const [value, text] of Object.entries(VISIBILITY_LABELS)) {
    select.append(h("option", { value, selected: value === activity.visibility }, text));
  }
  select.addEventListener("change", () =>
    act(() => api("PATCH", `${V1}/activities/${activity.id}`, { visibility: select.value }), msgId));
  return select;
}

function drawCurrent() {
  const box = $("lv-current");
  const a = view.current;
  if (!a) {
    box.replaceChildren(h("p.muted", {}, t("Chưa có hoạt động nào được mở.", "No activity has been opened yet.")));
    return;
  }
  const controls = h("div.lv-toolbar", {},
    h("label.lv-inline", {}, t("Học viên xem kết quả: ", "Trainees see results: "),
      visibilitySelect(a, "lv-msg")));
  if (a.state === "open") {
    controls.prepend(h("button.primary", { type: "button", id: "lv-close",
      on: { click: () => act(() => api("POST", `${V1}/activities/${a.id}/close`)) } },
      t("Đóng hoạt động", "Close the activity")));
  }
  const results = view.results.get(a.id);
  const timed = a.kind === "quick_quiz" && a.state === "open";
  box.replaceChildren(
    h("p.lv-kind", {}, KIND_LABELS[a.kind] || a.kind, " · ",
      h("span.lv-state", { dataset: { state: a.state } }, STATE_LABELS[a.state] || a.state)),
    h("h3.lv-prompt", {}, a.prompt),
    // replaceChildren writes a null as the text "null": an empty string adds nothing visible
    timed ? h("p.lv-console-timer", { id: "lv-console-timer", role: "timer", "aria-live": "off" }) : "",
    controls,
    resultsView(results || emptyResults(a), a),
  );
  clearInterval(view.timer);
  if (timed) {
    const end = Date.parse(a.opened_at) + (a.config?.time_limit || 20) * 1000;
    const tick = () => {
      const left = Math.min(a.config?.time_limit || 20, Math.max(0, Math.ceil((end - serverNow()) / 1000)));
      const el = $("lv-console-timer");
      if (el) el.textContent = left ? t(`Còn ${left} giây`, `${left} s left`) : t("Hết giờ: câu hỏi sẽ tự đóng.", "Time is up: it closes by itself.");
      if (!left || !el) clearInterval(view.timer);
    };
    tick();
    view.timer = setInterval(tick, 500);
  }
}

function emptyResults(a) {
  const cfg = a.config || {};
  const out = { activity_id: a.id, kind: a.kind, responses: 0 };
  if (a.kind === "poll") out.options = (cfg.options || []).map((label, index) => ({ index, label, count: 0 }));
  if (a.kind === "rating") {
    out.average = null;
    out.distribution = [];
    for (let v = cfg.min ?? 1; v <= (cfg.max ?? 5); v += 1) {
      out.distribution.push({ value: v, label: cfg.labels?.[String(v)] || "", count: 0 });
    }
  }
  if (a.kind === "word_cloud") out.words = [];
  if (a.kind === "open_question") out.answers = [];
  if (a.kind === "quick_quiz") out.choices = (cfg.question?.choices || []).map((c) => ({ id: c.id, count: 0 }));
  return out;
}

function chooseCurrent() {
  const open = view.activities.find((a) => a.state === "open");
  if (open) {
    view.current = open;
    return;
  }
  const pinned = view.activities.find((a) => a.id === view.pinned);
  if (pinned) view.current = pinned;
  else if (view.current) view.current = view.activities.find((a) => a.id === view.current.id) || view.current;
}

async function show(activity) {
  view.pinned = activity.id;
  view.current = activity;
  if (!view.results.has(activity.id) && activity.state === "closed") {
    const data = await act(() => api("GET", `${V1}/activities/${activity.id}/results`));
    if (data) view.results.set(activity.id, data.results);
  }
  drawCurrent();
  $("lv-current").closest("section").scrollIntoView({ behavior: "smooth", block: "start" });
}

// --- the list --------------------------------------------------------------------------------

const PREPARED = new Set(["draft", "queued"]);

function move(activity, delta) {
  const ids = view.activities.filter((a) => PREPARED.has(a.state)).map((a) => a.id);
  const i = ids.indexOf(activity.id);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= ids.length) return;
  [ids[i], ids[j]] = [ids[j], ids[i]];
  view.refocus = { id: activity.id, dir: delta < 0 ? "up" : "down" }; // the list is redrawn
  act(() => api("POST", `${V1}/sessions/${sessionId}/activities/reorder`, { ids }));
}

function drawQueue() {
  const list = $("lv-queue");
  $("lv-queue-empty").hidden = view.activities.length > 0;
  const prepared = view.activities.filter((a) => PREPARED.has(a.state));
  list.replaceChildren(...view.activities.map((a) => {
    const buttons = h("div.lv-toolbar");
    const name = a.prompt.length > 40 ? `${a.prompt.slice(0, 40)}…` : a.prompt;
    if (PREPARED.has(a.state)) {
      const k = prepared.indexOf(a);
      buttons.append(
        h("button.primary", { type: "button", disabled: view.status !== "live", dataset: { act: "open" },
          "aria-label": `${t("Mở", "Open")}: ${name}`,
          on: { click: () => act(() => api("POST", `${V1}/activities/${a.id}/open`)) } }, t("Mở", "Open")),
        h("button.small", { type: "button", dataset: { act: "edit" }, "aria-label": `${t("Sửa", "Edit")}: ${name}`,
          on: { click: () => form.edit(a) } }, t("Sửa", "Edit")),
        h("button.small", { type: "button", disabled: k === 0, "aria-label": `${t("Lên trên", "Move up")}: ${name}`,
          dataset: { move: "up" }, on: { click: () => move(a, -1) } }, "↑"),
        h("button.small", { type: "button", disabled: k === prepared.length - 1, dataset: { move: "down" },
          "aria-label": `${t("Xuống dưới", "Move down")}: ${name}`, on: { click: () => move(a, 1) } }, "↓"),
        h("button.small.danger", { type: "button", "aria-label": `${t("Xoá", "Delete")}: ${name}`,
          on: { click: () => {
            if (window.confirm(t("Xoá hoạt động này?", "Delete this activity?"))) {
              act(() => api("DELETE", `${V1}/activities/${a.id}`));
            }
          } } }, t("Xoá", "Delete")));
    } else {
      buttons.append(h("button", { type: "button", "aria-label": `${t("Xem kết quả", "See results")}: ${name}`,
        on: { click: () => show(a) } }, t("Xem kết quả", "See results")));
      if (a.state === "open") {
        buttons.append(h("button", { type: "button",
          on: { click: () => act(() => api("POST", `${V1}/activities/${a.id}/close`)) } }, t("Đóng", "Close")));
      }
    }
    buttons.append(visibilitySelect(a, "lv-msg"));
    return h("li.lv-item", { dataset: { state: a.state, activityId: String(a.id), kind: a.kind } },
      h("p.lv-kind", {}, KIND_LABELS[a.kind] || a.kind, " · ",
        h("span.lv-state", { dataset: { state: a.state } }, STATE_LABELS[a.state] || a.state)),
      h("p.lv-item-prompt", {}, a.prompt),
      buttons);
  }));
  if (view.refocus) {
    const item = list.querySelector(`li[data-activity-id="${view.refocus.id}"]`);
    const button = item?.querySelector(`button[data-move="${view.refocus.dir}"]:not(:disabled)`)
      || item?.querySelector("button[data-move]:not(:disabled)");
    button?.focus();
    view.refocus = null;
  }
}

// --- the socket ------------------------------------------------------------------------------

const form = mountForm(sessionId);

function setActivities(items) {
  view.activities = items || [];
  chooseCurrent();
  drawQueue();
  drawCurrent();
  form.forget(view.activities);
}

function apply(frame) {
  switch (frame.type) {
    case "state":
      view.status = frame.session.status;
      view.participants = frame.trainees ?? frame.participants; // trainees present, runners left out
      view.results.clear();
      if (frame.activity && frame.results) view.results.set(frame.activity.id, frame.results);
      view.current = frame.activity;
      setActivities(frame.activities);
      drawStatus();
      break;
    case "presence":
      view.participants = frame.trainees ?? frame.participants; // trainees present, runners left out
      drawStatus();
      break;
    case "status":
      view.status = frame.status;
      drawStatus();
      drawQueue();
      break;
    case "activity_opened":
      view.pinned = null;
      view.current = frame.activity;
      drawCurrent();
      break;
    case "activity_closed":
      if (!view.current || view.current.id === frame.activity.id || !view.pinned) view.current = frame.activity;
      drawCurrent();
      break;
    case "results":
      if (frame.results) view.results.set(frame.activity_id, frame.results);
      if (view.current?.id === frame.activity_id) drawCurrent();
      break;
    case "activities":
      setActivities(frame.items);
      break;
    case "error":
      if (!frame.client_id) say($("lv-msg"), messageOf(frame)); // room requests show their own
      break;
    default:
      break; // unknown types are ignored (protocol: later versions add some)
  }
}

const socket = new LiveSocket(sessionId, {
  onFrame: apply,
  onConnection: (state, detail) => { $("lv-conn").textContent = connectionText(state, detail); },
});
shareLiveSocket(socket);
mountConsoleRoom(socket, { sessionId, status: () => view.status });
syncClock();
drawStatus();
if (view.status !== "ended") {
  socket.connect();
} else {
  // The socket refuses an ended session: what ran is still there to look at and export.
  act(() => api("GET", `${V1}/sessions/${sessionId}/activities`)).then((data) => {
    if (data) setActivities(data.items);
  });
}
