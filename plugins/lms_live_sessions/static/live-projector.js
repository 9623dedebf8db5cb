// The projector view (templates/live_sessions/projector.html): the socket's `view=projector`,
// whose frames never carry names. Shows the join code and QR until an activity is on, then the
// question, and its results only when the lecturer lets the room see them (the activity's
// `visibility`, or a results frame's `visible`).
import { h, t, KIND_LABELS, LiveSocket, connectionText, resultsView, visibleToRoom } from "./live-common.js";

const body = document.body.dataset;
const sessionId = Number(body.sessionId);
const $ = (id) => document.getElementById(id);

const view = { status: body.status, activity: null, results: null, visible: false, participants: 0 };

function draw() {
  $("pj-participants").textContent = String(view.participants);
  const a = view.activity;
  // Until something opens, and after a closed one whose results stay hidden: how to join.
  const onScreen = a && view.status !== "ended" && (a.state === "open" || view.visible);
  $("pj-join").hidden = !!onScreen;
  $("pj-activity").hidden = !onScreen;
  const corner = $("pj-corner");
  if (corner) corner.hidden = !onScreen;
  if (view.status === "ended" && !$("pj-join").dataset.ended) {
    $("pj-join").dataset.ended = "1";
    $("pj-join").replaceChildren(h("p.pj-lead", {}, t("Phiên học đã kết thúc. Cảm ơn các anh chị đã tham gia!",
                                                      "The session has ended. Thank you for taking part!")));
  }
  if (!onScreen) return;
  $("pj-kind").textContent = `${KIND_LABELS[a.kind] || a.kind}${a.state === "closed" ? ` · ${t("Đã đóng", "Closed")}` : ""}`;
  $("pj-prompt").textContent = a.prompt;
  const results = $("pj-results");
  if (view.visible && view.results && view.results.activity_id === a.id) {
    results.replaceChildren(resultsView(view.results, a));
    $("pj-foot").textContent = "";
  } else {
    const n = view.results?.activity_id === a.id ? view.results.responses : 0;
    results.replaceChildren(h("p.pj-count", {}, h("span.pj-big", {}, String(n)), " ",
      t("câu trả lời", n === 1 ? "answer" : "answers")));
    $("pj-foot").textContent = a.state === "open"
      ? t("Trả lời trên điện thoại của anh/chị.", "Answer on your phone.") : "";
  }
}

function apply(frame) {
  switch (frame.type) {
    case "state":
      view.status = frame.session.status;
      view.participants = frame.trainees ?? frame.participants; // trainees present, runners left out
      view.activity = frame.activity;
      view.results = frame.results;
      view.visible = visibleToRoom(frame.activity);
      break;
    case "presence":
      view.participants = frame.trainees ?? frame.participants; // trainees present, runners left out
      break;
    case "status":
      view.status = frame.status;
      break;
    case "activity_opened":
      view.activity = frame.activity;
      view.results = null;
      view.visible = visibleToRoom(frame.activity);
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
draw();
if (view.status !== "ended") socket.connect();
