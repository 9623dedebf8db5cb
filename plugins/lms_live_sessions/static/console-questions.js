// Q&A moderation on the console: every question (pending, visible, hidden) in the server's
// order, approval on or off, and per question approve / hide / show again, pin (one at a time)
// and answered (PATCH /questions/{id}, PUT /sessions/{id}/qna). An anonymous question shows as
// anonymous here too: the console is often on a shared screen.
import { api, attempt, clockTime, formatNumber, h, say, t } from "./live-common.js";

const FILTERS = [
  ["pending", t("Chờ duyệt", "Pending")],
  ["visible", t("Đang hiển thị", "Visible")],
  ["hidden", t("Đã ẩn", "Hidden")],
];

export function mountQuestions(socket, ctx, body) {
  const state = { moderated: false, items: [], filter: "visible", chosenByHand: false };
  const msg = h("p.lv-msg", { id: "lv-qna-msg", role: "status", "aria-live": "polite" });
  const moderated = h("input", { type: "checkbox", id: "lv-qna-moderated" });
  const counts = Object.fromEntries(FILTERS.map(([key]) => [key, h("span.lv-num", {}, "0")]));
  const buttons = FILTERS.map(([key, label]) => h("button.lv-filter", {
    type: "button", dataset: { filter: key }, "aria-pressed": "false",
    on: { click: () => { state.filter = key; state.chosenByHand = true; draw(); } } },
  label, " (", counts[key], ")"));
  const list = h("ol.lv-questions.lv-mod-list", { id: "lv-mod-list" });
  const empty = h("p.muted", { id: "lv-mod-empty" });
  body.append(
    h("label.lv-check", { for: "lv-qna-moderated" }, moderated,
      t(" Duyệt câu hỏi trước khi hiện cho cả lớp", " Approve questions before the room sees them")),
    h("div.lv-filters", { role: "group", "aria-label": t("Lọc câu hỏi", "Filter questions"), "aria-live": "polite" },
      ...buttons),
    list, empty, msg);

  moderated.addEventListener("change", () => attempt(msg, () =>
    api("PUT", `/api/v1/live/sessions/${ctx.sessionId}/qna`, { moderated: moderated.checked })).then((ok) => {
    if (!ok) moderated.checked = !moderated.checked;
  }));

  const change = (q, changes, done) => attempt(msg, () => api("PATCH", `/api/v1/live/questions/${q.id}`, changes))
    .then((ok) => { if (ok && done) say(msg, done, true); });

  function actions(q) {
    const short = q.text.length > 40 ? `${q.text.slice(0, 40)}…` : q.text;
    const button = (text, changes, done, primary = false) => h(primary ? "button.small.primary" : "button.small", {
      type: "button", "aria-label": `${text}: ${short}`, on: { click: () => change(q, changes, done) } }, text);
    if (q.status === "pending") {
      return [button(t("Duyệt", "Approve"), { status: "visible" }, t("Đã duyệt câu hỏi.", "Approved."), true),
              button(t("Ẩn", "Hide"), { status: "hidden" }, t("Đã ẩn câu hỏi.", "Hidden."))];
    }
    if (q.status === "hidden") return [button(t("Hiện lại", "Show again"), { status: "visible" }, "")];
    return [
      button(q.pinned ? t("Bỏ ghim", "Unpin") : t("Ghim", "Pin"), { pinned: !q.pinned }, ""),
      button(q.answered ? t("Chưa trả lời", "Not answered") : t("Đã trả lời", "Answered"), { answered: !q.answered },
        "", !q.answered),
      button(t("Ẩn", "Hide"), { status: "hidden" }, t("Đã ẩn câu hỏi.", "Hidden.")),
    ];
  }

  function item(q) {
    const who = q.anonymous ? t("Ẩn danh", "Anonymous") : q.author?.full_name || "";
    return h("li.lv-q", { dataset: { questionId: String(q.id), status: q.status, pinned: q.pinned ? "1" : "",
                                     answered: q.answered ? "1" : "" } },
      h("span.lv-vote.lv-vote-static", { "aria-label": t(`${q.votes} lượt bình chọn`, `${q.votes} votes`) },
        h("span.lv-vote-arrow", { "aria-hidden": "true" }, "▲"), h("span.lv-vote-count", {}, formatNumber(q.votes))),
      h("div.lv-q-body", {},
        h("p.lv-q-text", {}, q.text),
        h("p.lv-q-meta", {}, h("span", {}, who), h("time", { datetime: q.created_at }, clockTime(q.created_at)),
          q.pinned ? h("span.lv-tag.lv-tag-pinned", {}, t("Đã ghim", "Pinned")) : null,
          q.answered ? h("span.lv-tag.lv-tag-answered", {}, t("Đã trả lời", "Answered")) : null),
        h("div.lv-toolbar", {}, ...actions(q))));
  }

  function draw() {
    moderated.checked = state.moderated;
    const by = { pending: [], visible: [], hidden: [] };
    for (const q of state.items) (by[q.status] || by.visible).push(q);
    // Questions waiting for approval come first, unless the lecturer picked a list by hand.
    if (!state.chosenByHand) state.filter = by.pending.length ? "pending" : "visible";
    for (const [key] of FILTERS) counts[key].textContent = formatNumber(by[key].length);
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.filter === state.filter));
    buttons[0].classList.toggle("lv-attention", by.pending.length > 0);
    const shown = by[state.filter];
    const focused = document.activeElement?.closest?.("#lv-mod-list .lv-q");
    const focusedId = focused?.dataset.questionId;
    const focusedIndex = focusedId ? [...list.children].indexOf(focused) : -1;
    list.replaceChildren(...shown.map(item));
    if (focusedId) { // keep the keyboard in the list after an action redrew it
      const again = list.querySelector(`.lv-q[data-question-id="${focusedId}"] button`)
        || list.children[Math.min(focusedIndex, list.children.length - 1)]?.querySelector("button");
      again?.focus();
    }
    empty.hidden = shown.length > 0;
    empty.textContent = { pending: t("Không có câu hỏi nào chờ duyệt.", "No question is waiting."),
                          visible: t("Chưa có câu hỏi nào hiển thị.", "No visible questions yet."),
                          hidden: t("Không có câu hỏi nào bị ẩn.", "No hidden questions.") }[state.filter];
  }

  socket.listen((frame) => {
    if (frame.type === "state") {
      state.moderated = !!frame.qna?.moderated;
      state.items = frame.qna?.items || [];
    } else if (frame.type === "questions") {
      state.moderated = !!frame.moderated;
      state.items = frame.items || [];
    } else {
      return;
    }
    draw();
  });
  draw();
}
