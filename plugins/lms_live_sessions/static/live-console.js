// The lecturer's console (templates/live_sessions/console.html). The socket (runner view) keeps
// everything current: state, presence, status, the activities list and the results with names.
// Actions go through the REST API (activity_api.py, api.py), whose answers are problems in the
// user's language; what they change comes back over the socket to every screen of the lecturer.
import {
  api, h, t, KIND_LABELS, STATE_LABELS, VISIBILITY_LABELS, LiveSocket, connectionText,
  messageOf, resultsView, setStatus, shareLiveSocket,
} from "./live-common.js";

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
};

function problemText(error) {
  const p = error.problem;
  const base = messageOf(error);
  const fields = (p?.errors || []).map((e) => e.message).filter(Boolean);
  return fields.length ? `${base} ${fields.join("; ")}` : base;
}

function say(id, text, ok = false) {
  const el = $(id);
  el.textContent = text;
  el.classList.toggle("ok", ok && !!text);
  el.classList.toggle("error", !ok && !!text);
}

async function act(fn, msgId = "lv-msg") {
  try {
    say(msgId, "");
    return await fn();
  } catch (error) {
    say(msgId, problemText(error));
    return null;
  }
}

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
  box.replaceChildren(
    h("p.lv-kind", {}, KIND_LABELS[a.kind] || a.kind, " · ",
      h("span.lv-state", { dataset: { state: a.state } }, STATE_LABELS[a.state] || a.state)),
    h("h3.lv-prompt", {}, a.prompt),
    controls,
    resultsView(results || emptyResults(a), a),
  );
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
        h("button.small", { type: "button", disabled: k === 0, "aria-label": `${t("Lên trên", "Move up")}: ${name}`,
          on: { click: () => move(a, -1) } }, "↑"),
        h("button.small", { type: "button", disabled: k === prepared.length - 1,
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
}

// --- creating --------------------------------------------------------------------------------

const form = $("lv-new");
const kindSelect = $("lv-kind");

function showKind() {
  for (const fs of form.querySelectorAll("fieldset[data-kind]")) fs.hidden = fs.dataset.kind !== kindSelect.value;
}
kindSelect.addEventListener("change", showKind);
showKind();
const maxChoices = form.elements.max_choices.closest("label");
const showMax = () => { maxChoices.hidden = !form.elements.multiple.checked; };
form.elements.multiple.addEventListener("change", showMax);
showMax();

function intOf(name) {
  const raw = form.elements[name].value.trim();
  return raw === "" ? undefined : Number(raw);
}

function configOf(kind) {
  const f = form.elements;
  if (kind === "poll") {
    const config = { options: f.options.value.split("\n").map((s) => s.trim()).filter(Boolean),
                     multiple: f.multiple.checked };
    if (f.multiple.checked && intOf("max_choices") !== undefined) config.max_choices = intOf("max_choices");
    return config;
  }
  if (kind === "rating") {
    const min = Number(f.min.value);
    const max = intOf("max") ?? 5;
    const labels = {};
    if (f.label_low.value.trim()) labels[String(min)] = f.label_low.value.trim();
    if (f.label_high.value.trim()) labels[String(max)] = f.label_high.value.trim();
    return { min, max, labels };
  }
  if (kind === "word_cloud") return { max_words: intOf("max_words") ?? 3, max_length: intOf("word_length") ?? 40 };
  return { max_length: intOf("text_length") ?? 500 };
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = form.elements;
  const kind = kindSelect.value;
  if (!f.prompt.value.trim()) {
    say("lv-new-msg", t("Hãy nhập câu hỏi.", "Type the question."));
    f.prompt.focus();
    return;
  }
  const open = event.submitter?.value === "open";
  const made = await act(() => api("POST", `${V1}/sessions/${sessionId}/activities`, {
    kind, prompt: f.prompt.value.trim(), config: configOf(kind), visibility: f.visibility.value,
    allow_change: f.allow_change.checked, open,
  }), "lv-new-msg");
  if (made) {
    say("lv-new-msg", open ? t("Đã tạo và mở hoạt động.", "Created and opened.")
      : t("Đã thêm vào danh sách.", "Added to the list."), true);
    f.prompt.value = "";
    f.options.value = "";
  }
});

// --- the socket ------------------------------------------------------------------------------

function setActivities(items) {
  view.activities = items || [];
  chooseCurrent();
  drawQueue();
  drawCurrent();
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
      say("lv-msg", messageOf(frame));
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
drawStatus();
if (view.status !== "ended") {
  socket.connect();
} else {
  // The socket refuses an ended session: what ran is still there to look at and export.
  act(() => api("GET", `${V1}/sessions/${sessionId}/activities`)).then((data) => {
    if (data) setActivities(data.items);
  });
}
