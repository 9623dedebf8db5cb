// The trainee's live page: attention signals over the live socket, the lecturer's "still with
// us?" checks (one tap to answer) and nudges, and a link to what exactly is recorded.
import { startEngagement } from "./engagement.js";
import { ensureStyles, h, socketTransport, t, trackingConfig, whenLiveSocket } from "./live-socket.js";

const data = document.body.dataset;
const sessionId = Number(data.sessionId);

function banner() {
  let box = document.getElementById("eg-banner");
  if (!box) {
    box = h("div.eg-banner", { id: "eg-banner", role: "status", "aria-live": "assertive" });
    (document.querySelector(".lv-phone-head") || document.body).after(box);
  }
  return box;
}

function notice() {
  const stage = document.getElementById("lv-stage");
  if (!stage || document.getElementById("eg-notice")) return;
  stage.after(h("p.eg-notice.muted", { id: "eg-notice" },
    t("Trang này ghi nhận trang có đang mở, có thao tác hay không và các câu trả lời của anh/chị, để tính mức độ tham gia tiết học. ",
      "This page records whether it is open, whether you use it and your answers, to measure your part in the class. "),
    h("a", { href: "/engagement/me" }, t("Xem chi tiết và số liệu của tôi", "See the details and my figures"))));
}

function showCheck(socket, frame) {
  const box = banner();
  box.replaceChildren();
  box.dataset.kind = "check";
  const deadline = Date.now() + frame.seconds * 1000;
  const left = h("span.eg-left");
  const button = h("button.primary", { type: "button", id: "eg-ack" },
    t("Tôi vẫn đang theo dõi", "I'm still here"));
  const tick = () => {
    const s = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    left.textContent = t(`còn ${s} giây`, `${s} s left`);
    if (s <= 0) clearInterval(timer);
  };
  const timer = setInterval(tick, 500);
  tick();
  button.addEventListener("click", () => {
    socket.send({ type: "attention_ack", check_id: frame.check_id });
    button.disabled = true;
  });
  box.append(h("p.eg-question", {}, t("Anh/chị còn theo dõi không?", "Still with us?")), button, " ", left);
  box.hidden = false;
  box.dataset.check = String(frame.check_id);
  button.focus();
}

function thanks(frame) {
  const box = banner();
  if (box.dataset.check !== String(frame.check_id)) return;
  box.replaceChildren(h("p.eg-thanks", {}, frame.in_time
    ? t("Cảm ơn anh/chị!", "Thank you!")
    : t("Đã ghi nhận (hơi muộn).", "Noted (a little late).")));
  setTimeout(() => { box.hidden = true; }, 2500);
}

function showNudge(frame) {
  const box = banner();
  box.dataset.kind = "nudge";
  box.replaceChildren(
    h("p", {}, t(frame.message_vi, frame.message_en)),
    h("button", { type: "button", on: { click: () => { box.hidden = true; } } }, t("Tôi đã quay lại", "I'm back")));
  box.hidden = false;
  navigator.vibrate?.(200);
}

ensureStyles();
whenLiveSocket(async (socket) => {
  notice();
  const settings = await trackingConfig();
  const tracker = startEngagement({
    liveSessionId: sessionId,
    heartbeatSeconds: settings.heartbeat_seconds,
    idleSeconds: settings.idle_seconds,
    flushSeconds: 5,
    countInput: false,
    transport: socketTransport(socket),
  });
  socket.listen((frame) => {
    if (frame.type === "attention_check") showCheck(socket, frame);
    else if (frame.type === "ok" && frame.for === "attention_ack") thanks(frame);
    else if (frame.type === "nudge") showNudge(frame);
    else if (frame.type === "status" && frame.status === "ended") tracker.flush().then(() => tracker.stop());
  });
  socket.onReconnect(() => tracker.flush());
});
