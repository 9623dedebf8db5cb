// The lecturer's console: the room's attention while it happens. Counts by default (who is away
// is shown only on request, so the projector and a shared screen never shame anyone), the share
// of trainees who have interacted, and one click to nudge those away, to ask "still with us?",
// or to push an instant poll that brings the room back.
import { ensureStyles, h, t, whenLiveSocket } from "./live-socket.js";

const QUICK_POLL = {
  kind: "poll",
  prompt: t("Anh/chị có đang theo kịp bài không?", "Are you keeping up with the class?"),
  config: { options: [t("Theo kịp", "Keeping up"), t("Hơi nhanh", "A bit fast"),
                      t("Cần giải thích lại", "Please explain again")] },
  visibility: "live",
};

function panel() {
  const section = h("section.card.eg-panel", { id: "eg-panel", "aria-labelledby": "eg-h" });
  const grid = document.querySelector(".lv-grid");
  (grid || document.querySelector(".lv-head") || document.body).after(section);
  return section;
}

function stat(id, label) {
  return h("div.eg-stat", { id: `eg-${id}` }, h("span.eg-num", { text: "–" }), h("span.eg-label", { text: label }));
}

ensureStyles();
whenLiveSocket((socket) => {
  const section = panel();
  const away = stat("away", t("rời trang", "away"));
  const distracted = stat("distracted", t("không tập trung", "distracted"));
  const attentive = stat("attentive", t("đang chú ý", "attentive"));
  const present = stat("present", t("có mặt", "present"));
  const coverage = h("p.eg-coverage", { id: "eg-coverage" });
  const check = h("p.eg-check", { id: "eg-check" });
  const msg = h("p.lv-msg", { id: "eg-msg", role: "status", "aria-live": "polite" });
  const names = h("div.eg-names", { id: "eg-names", hidden: true });
  const namesButton = h("button", { type: "button", id: "eg-show-names", "aria-expanded": "false" }, t("Xem tên", "Show names"));
  const nudgeButton = h("button", { type: "button", id: "eg-nudge", disabled: true }, t("Nhắc người đang rời trang", "Nudge those away"));
  const checkButton = h("button", { type: "button", id: "eg-ask" }, t("Hỏi “Còn theo dõi không?”", "Ask “Still with us?”"));
  const pollButton = h("button", { type: "button", id: "eg-poll" }, t("Bình chọn nhanh", "Instant poll"));
  section.append(
    h("h2", { id: "eg-h" }, t("Mức độ chú ý", "Attention")),
    h("div.eg-stats", { role: "status", "aria-live": "polite" }, away, distracted, attentive, present),
    coverage, check,
    h("div.lv-toolbar", {}, namesButton, nudgeButton, checkButton, pollButton),
    msg, names);

  const set = (el, value) => { el.querySelector(".eg-num").textContent = String(value ?? "–"); };
  let namesOpen = false;

  function draw(frame) {
    set(away, frame.away); set(distracted, frame.distracted);
    set(attentive, frame.attentive); set(present, frame.present);
    away.dataset.level = frame.away > 0 ? "warn" : "ok";
    nudgeButton.disabled = !frame.away;
    const pct = frame.coverage == null ? "–" : `${Math.round(frame.coverage * 100)}%`;
    coverage.textContent = t(`Đã tương tác: ${frame.interacted}/${frame.seen} học viên (${pct})`,
                             `Interacted: ${frame.interacted} of ${frame.seen} trainees (${pct})`);
    if (frame.check) {
      const c = frame.check;
      check.textContent = t(`Kiểm tra chú ý gần nhất: ${c.answered_in_time}/${c.recipients} trả lời kịp`,
                            `Last attention check: ${c.answered_in_time} of ${c.recipients} answered in time`);
    }
    if (namesOpen) socket.send({ type: "engagement_names" });
  }

  function drawNames(frame) {
    const list = (items, title) => h("div", {}, h("h3", {}, title),
      items.length ? h("ul", {}, items.map((p) => h("li", {}, p.full_name)))
        : h("p.muted", {}, t("Không có ai.", "Nobody.")));
    names.replaceChildren(list(frame.away, t("Đang rời trang", "Away")),
                          list(frame.distracted, t("Không tập trung", "Distracted")));
  }

  namesButton.addEventListener("click", () => {
    namesOpen = !namesOpen;
    names.hidden = !namesOpen;
    namesButton.setAttribute("aria-expanded", String(namesOpen));
    namesButton.textContent = namesOpen ? t("Ẩn tên", "Hide names") : t("Xem tên", "Show names");
    if (namesOpen) socket.send({ type: "engagement_names" });
  });
  nudgeButton.addEventListener("click", () => socket.send({ type: "nudge" }));
  checkButton.addEventListener("click", () => socket.send({ type: "attention_check" }));
  pollButton.addEventListener("click", () => {
    socket.send({ type: "push_activity", activity: QUICK_POLL });
    msg.textContent = t("Đã đưa ra bình chọn nhanh.", "Instant poll pushed.");
  });

  socket.listen((frame) => {
    if (frame.type === "engagement") draw(frame);
    else if (frame.type === "engagement_names") drawNames(frame);
    else if (frame.type === "ok" && frame.for === "nudge") {
      msg.textContent = t(`Đã nhắc ${frame.nudged} học viên.`, `Nudged ${frame.nudged} trainee(s).`)
        + (frame.skipped ? t(` (${frame.skipped} người vừa được nhắc.)`, ` (${frame.skipped} nudged a moment ago.)`) : "");
    } else if (frame.type === "ok" && frame.for === "attention_check") {
      msg.textContent = t("Đã gửi câu hỏi kiểm tra chú ý.", "Attention check sent.");
    }
  });
});
