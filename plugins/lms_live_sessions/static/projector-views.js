// What the projector draws besides an ordinary activity, as nodes: the room's top questions,
// a group's answer, a quick quiz (its choices and countdown; once closed the right answer and
// the leaderboard, which the server sends without names), and the check-in code. Nothing here
// prints a name: the projector's frames carry none, and questions are shown without authors.
import { formatNumber, h, htmlText, quizChoices, quizKeyText, resultsView, t } from "./live-common.js";

const SHAPES = ["▲", "◆", "●", "■", "★", "⬟"];
export const TOP_QUESTIONS = 5;

export function questionsView(items) {
  const top = items.slice(0, TOP_QUESTIONS);
  return h("div.pj-qna", {},
    h("h2.pj-stage-title", {}, t("Câu hỏi của học viên", "Questions from the room")),
    h("ol.pj-questions", {}, ...top.map((q) => h("li.pj-q", {
      dataset: { questionId: String(q.id), pinned: q.pinned ? "1" : "", answered: q.answered ? "1" : "" } },
    h("span.pj-q-votes", { "aria-label": t(`${q.votes} lượt bình chọn`, `${q.votes} votes`) },
      h("span.pj-q-arrow", { "aria-hidden": "true" }, "▲"), formatNumber(q.votes)),
    h("span.pj-q-text", {}, q.text),
    q.pinned ? h("span.pj-tag", {}, t("Đang trả lời", "Now answering")) : q.answered ? h("span.pj-tag.pj-tag-done", {}, t("Đã trả lời", "Answered")) : null))),
    items.length > top.length ? h("p.pj-foot", {}, t(`và ${items.length - top.length} câu hỏi khác`, `and ${items.length - top.length} more`)) : null,
    h("p.pj-foot", {}, t("Đặt câu hỏi và bình chọn trên điện thoại của anh/chị.", "Ask and vote on your phone.")));
}

export function groupView(group, prompt) {
  return h("div.pj-group", {},
    h("p.pj-kind", {}, t("Thảo luận nhóm", "Group discussion")),
    prompt ? h("p.pj-group-prompt", {}, prompt) : null,
    h("h2.pj-stage-title", { id: "pj-group-name" }, group.name),
    h("p.pj-group-answer", { id: "pj-group-answer" }, group.answer || t("Nhóm chưa viết gì.", "The group has not written anything yet.")));
}

export function checkinView(checkin) {
  const digits = checkin.code || "";
  return h("div.pj-checkin", {},
    h("h2.pj-stage-title", {}, t("Điểm danh", "Check-in")),
    h("p.pj-lead", {}, t("Nhập mã này trên trang lớp học trực tiếp ở điện thoại:", "Type this code on the live class page on your phone:")),
    h("p.pj-checkin-code", { id: "pj-checkin-code", "aria-label": [...digits].join(" ") }, digits),
    h("p.pj-checkin-left", { id: "pj-checkin-left" }),
    h("p.pj-lead", { "aria-live": "polite" }, h("span.pj-num", {}, formatNumber(checkin.count)), " ",
      t("học viên đã điểm danh", "trainees checked in")));
}

/** The small check-in box in the corner, while another stage is up. */
export function checkinCorner(checkin) {
  return h("p.pj-checkin-corner", { id: "pj-checkin-corner" }, t("Mã điểm danh ", "Check-in code "),
    h("strong", {}, checkin.code || ""), h("span.pj-checkin-left"));
}

/** A quick quiz while open: the question, its choices in colour and shape, the time left. */
export function quizOpenView(activity, responses) {
  const question = activity.config?.question || {};
  const text = htmlText(question.text_html);
  const choices = quizChoices(activity);
  return h("div.pj-quiz", {},
    h("div.pj-quiz-top", {},
      text && text !== activity.prompt ? h("p.pj-quiz-text", {}, text) : h("span"),
      h("div.pj-timer", { role: "timer", "aria-live": "off", "aria-label": t("Số giây còn lại", "Seconds left") },
        h("span.pj-timer-num", { id: "pj-timer-num" }, ""))),
    choices.length ? h("ol.pj-qchoices", {}, ...choices.map((c, i) => h("li.pj-qchoice", { dataset: { shape: String(i % SHAPES.length) } },
      h("span.lv-shape", { "aria-hidden": "true" }, SHAPES[i % SHAPES.length]), h("span", {}, c.label))))
      : h("p.pj-lead", {}, question.input === "number" ? t("Nhập một số trên điện thoại.", "Type a number on your phone.")
        : t("Nhập câu trả lời trên điện thoại.", "Type your answer on your phone.")),
    h("p.pj-count", {}, h("span.pj-big", {}, formatNumber(responses)), " ", t("câu trả lời", responses === 1 ? "answer" : "answers")));
}

export function boardView(board) {
  return h("div.pj-board", {},
    h("h3.pj-board-title", {}, t("Bảng xếp hạng", "Leaderboard")),
    h("table.pj-board-table", { id: "pj-board" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Hạng", "Rank")), h("th", { scope: "col" }, t("Điểm", "Points")),
        h("th", { scope: "col" }, t("Câu đúng", "Right")))),
      h("tbody", {}, ...board.items.map((e) => h("tr", { dataset: { rank: String(e.rank) } },
        h("td.pj-rank", {}, h("span", { dataset: { rank: String(e.rank) } }, formatNumber(e.rank))),
        h("td.pj-score", {}, formatNumber(e.score)), h("td", {}, formatNumber(e.correct)))))),
    h("p.pj-foot", {}, t(`${formatNumber(board.total)} người có điểm · xem hạng của mình trên điện thoại`,
      `${formatNumber(board.total)} scored · see your own rank on your phone`)));
}

/** A quick quiz once closed: the right answer and the figures (when the room may see them),
 * and the leaderboard beside them. */
export function quizClosedView(activity, results, visible, board) {
  const key = visible && results?.key ? quizKeyText(results.key, activity) : "";
  return h("div.pj-quiz-closed", {},
    h("div.pj-quiz-answer", {},
      key ? h("p.pj-quiz-key", {}, t("Đáp án: ", "Answer: "), h("strong", {}, key)) : null,
      visible && results ? resultsView(results, activity) : null),
    board?.items?.length ? boardView(board) : null);
}
