// The room's panels on the lecturer's console, one module each on the console's socket: the
// Q&A moderation, the raised hands, the check-in code, the group discussion and the quick
// quiz's leaderboard. Actions go through the REST API (interaction_api.py, checkin_api.py);
// what they change comes back over the socket, to every screen of the lecturer.
import { mountBoard } from "./console-board.js";
import { mountCheckin } from "./console-checkin.js";
import { mountGroups } from "./console-groups.js";
import { mountHands } from "./console-hands.js";
import { mountQuestions } from "./console-questions.js";

export function mountConsoleRoom(socket, ctx) {
  const $ = (id) => document.getElementById(id);
  mountQuestions(socket, ctx, $("lv-qna-body"));
  mountHands(socket, ctx, $("lv-hands-body"));
  mountCheckin(socket, ctx, $("lv-checkin-body"));
  mountGroups(socket, ctx, $("lv-groups-body"));
  mountBoard(socket, ctx, $("lv-board-body"), $("lv-board-panel"));
}
