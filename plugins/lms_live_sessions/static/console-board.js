// The quick quiz's leaderboard on the console, after each quick quiz closes: every trainee who
// answered one, best total first (ties: the quicker), with names, as only runners get it.
import { formatNumber, h, t } from "./live-common.js";

export function mountBoard(socket, ctx, body, section) {
  function draw(board) {
    section.hidden = !board || !board.items?.length;
    if (section.hidden) return;
    body.replaceChildren(
      h("p.muted", { "aria-live": "polite" }, t(`${formatNumber(board.total)} học viên có điểm`, `${formatNumber(board.total)} trainees scored`)),
      h("table.lv-board", { id: "lv-board" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Hạng", "Rank")), h("th", { scope: "col" }, t("Học viên", "Trainee")),
          h("th", { scope: "col" }, t("Điểm", "Points")), h("th", { scope: "col" }, t("Câu đúng", "Right")),
          h("th", { scope: "col" }, t("Thời gian", "Time")))),
        h("tbody", {}, ...board.items.map((e) => h("tr", { dataset: { userId: String(e.user_id), rank: String(e.rank) } },
          h("td.lv-rank", {}, formatNumber(e.rank)), h("th", { scope: "row" }, e.full_name),
          h("td.lv-score", {}, formatNumber(e.score)),
          h("td", {}, `${formatNumber(e.correct)}/${formatNumber(e.answered)}`),
          h("td", {}, `${formatNumber(Math.round((e.ms || 0) / 100) / 10)} s`))))));
  }

  socket.listen((frame) => {
    if (frame.type === "state") draw(frame.leaderboard || null);
    else if (frame.type === "leaderboard") draw(frame);
  });
}
