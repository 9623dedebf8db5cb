// The room around the activities on the trainee's phone, each part a module of its own on the
// page's one socket (docs/live-protocol.md, "Q&A, raise hand and group discussion" and
// "Check-in"): the check-in code when the lecturer asks for it, the group discussion with its
// shared answer, the raised hand, and the questions to the lecturer. Each part draws into its
// own section of templates/live_sessions/live.html and hears every frame after the page did.
import { requester } from "./live-common.js";
import { mountCheckin } from "./room-checkin.js";
import { mountGroup } from "./room-group.js";
import { mountHand } from "./room-hand.js";
import { mountQuestions } from "./room-questions.js";

export function mountRoom(socket, room) {
  const request = requester(socket);
  const $ = (id) => document.getElementById(id);
  socket.listen((frame) => { // first, so every part below reads the status already changed
    if (frame.type === "state") room.status = frame.session.status;
    else if (frame.type === "status") room.status = frame.status;
  });
  mountCheckin(socket, request, room, $("lv-checkin"));
  mountGroup(socket, request, room, $("lv-group"));
  mountHand(socket, request, room, $("lv-hand"));
  mountQuestions(socket, request, room, $("lv-qna"));
}
