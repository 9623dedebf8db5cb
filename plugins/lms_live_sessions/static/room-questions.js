// Q&A on the phone: ask the lecturer (optionally without one's name), see the room's visible
// questions in the server's order (pinned, most votes, oldest) and vote for them, one's own
// marked, and one's own questions still waiting for the lecturer's approval listed apart.
import { formatNumber, h, messageOf, say, t } from "./live-common.js";

const MAX = 500;

export function mountQuestions(socket, request, room, section) {
  const state = { moderated: false, items: [], votes: new Set(), mine: new Map(), voting: new Set(),
                  asking: false };

  const area = h("textarea", { id: "lv-ask-text", name: "text", rows: "3", maxlength: String(MAX),
                               "aria-describedby": "lv-ask-count" });
  const counter = h("p.lv-count", { id: "lv-ask-count", "aria-live": "polite" });
  const anonymous = h("input", { type: "checkbox", id: "lv-ask-anonymous", name: "anonymous" });
  const send = h("button.primary.lv-big", { type: "submit" }, t("Gửi câu hỏi", "Send my question"));
  const note = h("p.muted.lv-ask-note", { id: "lv-ask-note" });
  const msg = h("p.lv-msg", { id: "lv-ask-msg", role: "status", "aria-live": "polite" });
  const form = h("form.lv-ask", { id: "lv-ask", novalidate: true },
    h("label", { for: "lv-ask-text" }, t("Câu hỏi của anh/chị cho giảng viên", "Your question to the lecturer")),
    area, counter,
    h("label.lv-check", { for: "lv-ask-anonymous" }, anonymous, t(" Gửi ẩn danh (lớp không thấy tên anh/chị)",
      " Ask anonymously (the room does not see your name)")),
    send, note, msg);
  const waiting = h("div.lv-q-waiting", { id: "lv-q-waiting" });
  const total = h("span.lv-num", { id: "lv-q-total" }, "0");
  const list = h("ol.lv-questions", { id: "lv-questions", "aria-labelledby": "lv-q-list-h" });
  const empty = h("p.muted", { id: "lv-q-empty" }, t("Chưa có câu hỏi nào. Hãy là người đầu tiên!", "No questions yet. Be the first!"));
  section.append(
    h("h2", { id: "lv-qna-h" }, t("Hỏi đáp", "Q&A")), form, waiting,
    h("h3", { id: "lv-q-list-h" }, t("Câu hỏi của lớp ", "The room's questions "),
      h("span.lv-q-total", { "aria-live": "polite" }, "(", total, ")")),
    list, empty);
  section.setAttribute("aria-labelledby", "lv-qna-h");

  const updateCount = () => { counter.textContent = `${area.value.length}/${MAX}`; };
  area.addEventListener("input", updateCount);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = area.value.trim();
    if (!text) {
      say(msg, t("Hãy nhập câu hỏi trước khi gửi.", "Type your question first."));
      area.focus();
      return;
    }
    state.asking = true;
    draw();
    say(msg, socket.connected ? t("Đang gửi…", "Sending…") : t("Chưa gửi được: sẽ tự gửi khi có kết nối.",
      "Not sent yet: it will be sent when the connection is back."), true);
    try {
      const ok = await request({ type: "ask", text, anonymous: anonymous.checked });
      state.mine.set(ok.question.id, ok.question);
      area.value = "";
      anonymous.checked = false;
      updateCount();
      say(msg, ok.question.status === "pending"
        ? t("Đã gửi. Câu hỏi sẽ hiện cho cả lớp khi giảng viên duyệt.", "Sent. It shows to the room once the lecturer approves it.")
        : t("Đã gửi câu hỏi.", "Question sent."), true);
    } catch (error) {
      say(msg, messageOf(error));
    } finally {
      state.asking = false;
      draw();
    }
  });

  async function vote(question) {
    if (state.voting.has(question.id)) return; // one vote message at a time per question
    const up = !state.votes.has(question.id);
    state.voting.add(question.id);
    draw();
    try {
      const ok = await request({ type: "vote", question_id: question.id, up });
      if (ok.voted) state.votes.add(question.id);
      else state.votes.delete(question.id);
    } catch (error) {
      say(msg, messageOf(error));
    } finally {
      state.voting.delete(question.id);
      draw();
    }
  }

  function badges(q) {
    return [
      q.pinned ? h("span.lv-tag.lv-tag-pinned", {}, t("Đã ghim", "Pinned")) : null,
      q.answered ? h("span.lv-tag.lv-tag-answered", {}, t("Đã trả lời", "Answered")) : null,
      state.mine.has(q.id) ? h("span.lv-tag.lv-tag-mine", {}, t("Của tôi", "Mine")) : null,
    ];
  }

  function item(q) {
    const voted = state.votes.has(q.id);
    const who = q.author?.full_name || t("Ẩn danh", "Anonymous");
    const label = t(`${voted ? "Bỏ bình chọn" : "Bình chọn"} câu hỏi: ${q.text} (${q.votes} lượt)`,
                    `${voted ? "Take back my vote for" : "Vote for"}: ${q.text} (${q.votes} votes)`);
    return h("li.lv-q", { dataset: { questionId: String(q.id), pinned: q.pinned ? "1" : "", answered: q.answered ? "1" : "" } },
      h("button.lv-vote", { type: "button", "aria-pressed": String(voted), "aria-label": label,
        "aria-busy": state.voting.has(q.id) ? "true" : null, disabled: room.status !== "live",
        on: { click: () => vote(q) } },
      h("span.lv-vote-arrow", { "aria-hidden": "true" }, "▲"), h("span.lv-vote-count", {}, formatNumber(q.votes))),
      h("div.lv-q-body", {}, h("p.lv-q-text", {}, q.text), h("p.lv-q-meta", {}, h("span", {}, who), ...badges(q))));
  }

  function draw() {
    const live = room.status === "live";
    section.hidden = room.status === "ended" && !state.items.length;
    form.hidden = room.status === "ended";
    send.disabled = !live || state.asking;
    note.textContent = !live ? t("Đặt câu hỏi được khi phiên học đang diễn ra.", "You can ask once the session is live.")
      : state.moderated ? t("Giảng viên duyệt câu hỏi trước khi hiện cho cả lớp.", "The lecturer approves questions before the room sees them.")
        : "";
    const shown = new Set(state.items.map((q) => q.id));
    const pending = [...state.mine.values()].filter((q) => q.status === "pending" && !shown.has(q.id));
    waiting.replaceChildren(...(pending.length ? [
      h("h3", {}, t("Đang chờ giảng viên duyệt", "Waiting for the lecturer's approval")),
      h("ul.lv-questions.lv-pending-list", {}, ...pending.map((q) =>
        h("li.lv-q", { dataset: { questionId: String(q.id), status: "pending" } },
          h("div.lv-q-body", {}, h("p.lv-q-text", {}, q.text),
            h("p.lv-q-meta", {}, h("span.lv-tag.lv-tag-waiting", {}, t("Chờ duyệt", "Pending")),
              q.anonymous ? h("span", {}, t("Ẩn danh", "Anonymous")) : null)))))] : []));
    total.textContent = formatNumber(state.items.length);
    // The list is redrawn as votes come in: keep the keyboard on the button it was on.
    const focused = document.activeElement?.closest?.("#lv-questions .lv-q")?.dataset.questionId;
    list.replaceChildren(...state.items.map(item));
    if (focused) list.querySelector(`.lv-q[data-question-id="${focused}"] .lv-vote`)?.focus();
    empty.hidden = state.items.length > 0;
  }

  socket.listen((frame) => {
    if (frame.type === "state") {
      const qna = frame.qna || {};
      state.moderated = !!qna.moderated;
      state.items = qna.items || [];
      state.votes = new Set(qna.my_votes || []);
      state.mine = new Map((qna.mine || []).map((q) => [q.id, q]));
    } else if (frame.type === "questions") {
      state.moderated = !!frame.moderated;
      state.items = frame.items || [];
      for (const q of state.items) if (state.mine.has(q.id)) state.mine.set(q.id, { ...state.mine.get(q.id), ...q, author: state.mine.get(q.id).author });
    } else if (frame.type !== "status") {
      return;
    }
    draw();
  });
  updateCount();
  draw();
}
