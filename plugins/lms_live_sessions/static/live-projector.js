// The projector view (templates/live_sessions/projector.html): the socket's `view=projector`,
// whose frames never carry names. One thing at a time fills the screen, the last one the
// lecturer put up that still applies: the open activity (its results only when the lecturer
// lets the room see them; a quick quiz with its choices and countdown, then its answer and
// leaderboard), a group's answer shown from the console, the check-in code while it is
// required, or the pinned question. With none of these, the room's top questions, or else how
// to join. The join code and, while required, the check-in code stay in the corner.
import {
  h, t, KIND_LABELS, LiveSocket, connectionText, formatNumber, resultsView, serverNow, syncClock,
  visibleToRoom,
} from "./live-common.js";
import {
  checkinCorner, checkinView, groupView, questionsView, quizClosedView, quizOpenView,
} from "./projector-views.js";

const body = document.body.dataset;
const sessionId = Number(body.sessionId);
const $ = (id) => document.getElementById(id);
const STAGES = ["join", "activity", "questions", "group", "checkin"];

const view = {
  status: body.status, activity: null, results: null, visible: false, participants: 0,
  questions: [], pinnedId: null, shown: null, prompt: "", board: null,
  checkin: { required: false, count: 0, code: null, expires: 0 },
  focus: [], // stage names, the most recent last
};
let ticker = null;

function bring(stage) {
  view.focus = view.focus.filter((s) => s !== stage);
  view.focus.push(stage);
}
function drop(stage) { view.focus = view.focus.filter((s) => s !== stage); }

function applies(stage) {
  const live = view.status === "live";
  const a = view.activity;
  switch (stage) {
    case "activity":
      return !!a && view.status !== "ended" && (a.state === "open" || view.visible
        || (a.kind === "quick_quiz" && !!view.board?.items?.length));
    case "group": return !!view.shown && view.status !== "ended";
    case "checkin": return live && view.checkin.required && !!view.checkin.code;
    case "questions": return live && view.questions.length > 0;
    default: return false;
  }
}

function stageNow() {
  for (let i = view.focus.length - 1; i >= 0; i -= 1) if (applies(view.focus[i])) return view.focus[i];
  return applies("questions") ? "questions" : "join";
}

function drawActivity() {
  const a = view.activity;
  const quiz = a.kind === "quick_quiz";
  $("pj-kind").textContent = `${KIND_LABELS[a.kind] || a.kind}${a.state === "closed" ? ` · ${t("Đã đóng", "Closed")}` : ""}`;
  $("pj-prompt").textContent = a.prompt;
  const box = $("pj-results");
  const responses = view.results?.activity_id === a.id ? view.results.responses : 0;
  if (quiz && a.state === "open") {
    box.replaceChildren(quizOpenView(a, responses));
    $("pj-foot").textContent = t("Trả lời trên điện thoại: đúng và nhanh thì nhiều điểm.", "Answer on your phone: right and fast scores most.");
  } else if (quiz) {
    box.replaceChildren(quizClosedView(a, view.results?.activity_id === a.id ? view.results : null, view.visible, view.board));
    $("pj-foot").textContent = "";
  } else if (view.visible && view.results && view.results.activity_id === a.id) {
    box.replaceChildren(resultsView(view.results, a));
    $("pj-foot").textContent = "";
  } else {
    box.replaceChildren(h("p.pj-count", {}, h("span.pj-big", {}, formatNumber(responses)), " ",
      t("câu trả lời", responses === 1 ? "answer" : "answers")));
    $("pj-foot").textContent = a.state === "open" ? t("Trả lời trên điện thoại của anh/chị.", "Answer on your phone.") : "";
  }
}

function tick() {
  const a = view.activity;
  const num = $("pj-timer-num");
  if (num && a?.kind === "quick_quiz" && a.state === "open") {
    const end = Date.parse(a.opened_at) + (a.config?.time_limit || 20) * 1000;
    const left = Math.min(a.config?.time_limit || 20, Math.max(0, Math.ceil((end - serverNow()) / 1000)));
    num.textContent = String(left);
    num.parentElement.dataset.low = left <= 5 ? "1" : "";
  }
  const seconds = Math.max(0, Math.ceil((view.checkin.expires - Date.now()) / 1000));
  const stage = $("pj-checkin-left");
  if (stage) stage.textContent = view.checkin.code ? t(`Mã đổi sau ${seconds} giây`, `Changes in ${seconds} s`) : "";
  const corner = document.querySelector("#pj-checkin-corner .pj-checkin-left");
  if (corner) corner.textContent = view.checkin.code ? t(` · đổi sau ${seconds} giây`, ` · changes in ${seconds} s`) : "";
}

function draw() {
  $("pj-participants").textContent = String(view.participants);
  if (view.status === "ended" && !$("pj-join").dataset.ended) {
    $("pj-join").dataset.ended = "1";
    $("pj-join").replaceChildren(h("p.pj-lead", {}, t("Phiên học đã kết thúc. Cảm ơn các anh chị đã tham gia!",
                                                      "The session has ended. Thank you for taking part!")));
  }
  const stage = stageNow();
  document.querySelector(".pj").dataset.stage = stage;
  for (const name of STAGES) $(`pj-${name}`).hidden = name !== stage;
  const corner = $("pj-corner");
  if (corner) corner.hidden = stage === "join" || view.status === "ended";
  if (stage === "activity") drawActivity();
  else if (stage === "questions") $("pj-questions").replaceChildren(questionsView(view.questions));
  else if (stage === "group") $("pj-group").replaceChildren(groupView(view.shown, view.prompt));
  else if (stage === "checkin") $("pj-checkin").replaceChildren(checkinView(view.checkin));
  const small = $("pj-checkin-box");
  small.replaceChildren(...(applies("checkin") && stage !== "checkin" ? [checkinCorner(view.checkin)] : []));
  clearInterval(ticker);
  ticker = setInterval(tick, 250);
  tick();
}

function setQuestions(items) {
  view.questions = items || [];
  const pinned = view.questions.find((q) => q.pinned)?.id ?? null;
  if (pinned !== null && pinned !== view.pinnedId) bring("questions"); // the lecturer pinned one
  view.pinnedId = pinned;
}

function apply(frame) {
  switch (frame.type) {
    case "state": {
      view.status = frame.session.status;
      view.participants = frame.trainees ?? frame.participants; // trainees present, runners left out
      view.activity = frame.activity;
      view.results = frame.results;
      view.visible = visibleToRoom(frame.activity);
      view.board = frame.leaderboard || null;
      view.prompt = frame.discussion?.prompt || "";
      view.shown = frame.discussion?.shown || null;
      view.checkin = { ...view.checkin, required: !!frame.checkin?.required, count: frame.checkin?.count || 0 };
      view.focus = [];
      view.pinnedId = null;
      setQuestions(frame.qna?.items);
      if (view.checkin.required) bring("checkin");
      if (frame.activity?.state !== "open") bring("activity");
      if (view.shown) bring("group");
      if (frame.activity?.state === "open") bring("activity");
      break;
    }
    case "presence":
      view.participants = frame.trainees ?? frame.participants;
      break;
    case "status":
      view.status = frame.status;
      break;
    case "activity_opened":
      view.activity = frame.activity;
      view.results = null;
      view.visible = visibleToRoom(frame.activity);
      bring("activity");
      break;
    case "activity_closed":
      view.activity = frame.activity;
      view.visible = visibleToRoom(frame.activity);
      if (frame.results) view.results = frame.results;
      break;
    case "results":
      if (view.activity && frame.activity_id === view.activity.id) {
        view.results = frame.results;
        view.visible = !!frame.visible;
      }
      break;
    case "leaderboard":
      view.board = { items: frame.items, total: frame.total };
      break;
    case "questions":
      setQuestions(frame.items);
      break;
    case "discussion_opened":
      view.prompt = frame.discussion.prompt;
      view.shown = null;
      drop("group");
      break;
    case "group_shown":
      view.shown = frame.group;
      if (frame.group) bring("group");
      else drop("group");
      break;
    case "checkin":
      view.checkin = { ...view.checkin, required: !!frame.required };
      if (frame.required) bring("checkin");
      else { drop("checkin"); view.checkin.code = null; }
      break;
    case "checkin_code":
      view.checkin = { ...view.checkin, code: frame.code, expires: Date.now() + frame.seconds_left * 1000 };
      break;
    case "checked_in":
      view.checkin = { ...view.checkin, count: frame.count };
      break;
    default:
      return;
  }
  draw();
}

const socket = new LiveSocket(sessionId, {
  view: "projector",
  onFrame: apply,
  onConnection: (state, detail) => { $("pj-conn").textContent = connectionText(state, detail); },
});
syncClock();
draw();
if (view.status !== "ended") socket.connect();
