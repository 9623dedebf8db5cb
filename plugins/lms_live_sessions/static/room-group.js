// Group discussion on the phone: when the lecturer splits the room, the trainee's group (its
// name and members) and the group's shared answer, edited together (group-editor.js keeps
// what each member types and merges with the others' edits), and the group the lecturer shows
// on the projector, as the room sees it.
import { h, messageOf, t } from "./live-common.js";
import { SharedAnswer } from "./group-editor.js";

const MAX = 2000;

export function mountGroup(socket, request, room, section) {
  const view = { discussion: null, group: null, shown: null };
  const editor = new SharedAnswer(request, (reason) => drawEditor(reason));

  const heading = h("h2", { id: "lv-group-h" }, t("Thảo luận nhóm", "Group discussion"));
  const prompt = h("p.lv-group-prompt", { id: "lv-group-prompt" });
  const who = h("div.lv-group-who", { id: "lv-group-who" });
  const area = h("textarea", { id: "lv-group-text", rows: "6", maxlength: String(MAX),
                               "aria-describedby": "lv-group-status" });
  const status = h("p.lv-group-status", { id: "lv-group-status", role: "status", "aria-live": "polite" });
  const theirs = h("p.lv-group-theirs", { id: "lv-group-theirs" });
  const mergeButton = h("button.primary", { type: "button", id: "lv-group-merge" },
    t("Gộp phần của tôi vào bản mới", "Add my lines to the new version"));
  const keepButton = h("button", { type: "button", id: "lv-group-keep" },
    t("Thay bằng bản của tôi", "Put my version instead"));
  const conflictNote = h("p.lv-group-conflict-note");
  const conflict = h("div.lv-group-conflict", { id: "lv-group-conflict", role: "alert", hidden: true },
    conflictNote, theirs, h("div.lv-toolbar", {}, mergeButton, keepButton));
  const editorBox = h("div.lv-group-editor", {},
    h("label", { for: "lv-group-text" }, t("Câu trả lời chung của nhóm (mọi thành viên cùng sửa)",
      "Your group's shared answer (every member edits it)")),
    area, h("p.lv-count", { id: "lv-group-count", "aria-hidden": "true" }), status, conflict);
  const final = h("p.lv-group-final", { id: "lv-group-final" });
  const shownBox = h("div.lv-group-shown", { id: "lv-group-shown", hidden: true });
  section.append(heading, prompt, who, editorBox, final, shownBox);
  section.setAttribute("aria-labelledby", "lv-group-h");

  area.addEventListener("input", () => editor.input(area.value));
  area.addEventListener("blur", () => editor.flush());
  mergeButton.addEventListener("click", () => { editor.merge(); area.focus(); });
  keepButton.addEventListener("click", () => { editor.keepMine(); area.focus(); });

  function setArea(text) {
    if (area.value === text) return;
    const focused = document.activeElement === area;
    const end = area.value.length - area.selectionEnd; // keep the caret as far from the end
    area.value = text;
    if (focused) {
      const at = Math.max(0, text.length - end);
      area.setSelectionRange(at, at);
    }
  }

  function drawEditor(reason) {
    if (reason === "remote") setArea(editor.draft);
    const open = !editor.closed && room.status === "live";
    area.readOnly = !open;
    area.closest(".lv-group-editor").querySelector("#lv-group-count").textContent = `${area.value.length}/${MAX}`;
    status.classList.remove("ok", "error", "lv-pending");
    if (editor.conflict) {
      status.textContent = "";
    } else if (editor.state === "closed") {
      status.textContent = t("Buổi thảo luận đã kết thúc: câu trả lời không sửa được nữa.",
        "The discussion has ended: the answer can no longer change.");
    } else if (editor.state === "error") {
      status.textContent = messageOf(editor.error);
      status.classList.add("error");
    } else if (editor.inflight || editor.dirty) {
      status.textContent = socket.connected ? t("Đang lưu…", "Saving…")
        : t("Chưa lưu được: sẽ tự gửi khi có kết nối.", "Not saved yet: it will be sent when the connection is back.");
      status.classList.add("lv-pending");
    } else {
      const by = editor.lastBy && editor.lastBy.user_id !== room.userId ? editor.lastBy.full_name : "";
      status.textContent = editor.base.revision
        ? (by ? t(`Đã lưu · bản ${editor.base.revision} · ${by} vừa sửa`, `Saved · version ${editor.base.revision} · edited by ${by}`)
          : t(`Đã lưu · bản ${editor.base.revision}`, `Saved · version ${editor.base.revision}`))
        : t("Chưa có gì: thành viên nào cũng có thể viết.", "Nothing yet: any member can write.");
      status.classList.add("ok");
    }
    conflict.hidden = !editor.conflict;
    if (editor.conflict) {
      const by = editor.conflict.by?.full_name;
      conflictNote.textContent = by
        ? t(`Trong lúc anh/chị gõ, ${by} đã lưu bản ${editor.conflict.revision} của nhóm. Phần anh/chị đã gõ vẫn ở trong ô trên. Bản hiện tại của nhóm:`,
          `While you typed, ${by} saved version ${editor.conflict.revision}. What you typed is still in the box above. The group's version now:`)
        : t(`Trong lúc anh/chị gõ, nhóm đã lưu bản ${editor.conflict.revision}. Phần anh/chị đã gõ vẫn ở trong ô trên. Bản hiện tại của nhóm:`,
          `While you typed, your group saved version ${editor.conflict.revision}. What you typed is still in the box above. The group's version now:`);
      theirs.textContent = editor.conflict.text || t("(trống)", "(empty)");
    }
  }

  function groupOf(discussion) {
    return (discussion?.groups || []).find((g) => (g.members || []).some((m) => m.user_id === room.userId)) || null;
  }

  function draw() {
    const d = view.discussion;
    const g = view.group;
    section.hidden = !d || (!g && !view.shown);
    if (section.hidden) return;
    prompt.textContent = d.prompt;
    section.dataset.open = d.open ? "1" : "";
    if (g) {
      who.replaceChildren(
        h("p.lv-group-name", {}, t("Nhóm của anh/chị: ", "Your group: "), h("strong", { id: "lv-group-name" }, g.name)),
        h("ul.lv-members", { "aria-label": t("Thành viên trong nhóm", "Members of your group") },
          ...(g.members || []).map((m) => h("li", {}, m.full_name, m.user_id === room.userId ? t(" (tôi)", " (me)") : ""))));
    } else {
      who.replaceChildren(h("p.muted", {}, t("Anh/chị không ở trong nhóm nào của buổi thảo luận này.",
        "You are not in a group of this discussion.")));
    }
    editorBox.hidden = !g || !d.open;
    final.hidden = !g || d.open;
    if (g && !d.open) {
      // What the group saved; typing that never reached the server is shown apart, not lost.
      final.replaceChildren(h("span.lv-sr", {}, t("Câu trả lời của nhóm: ", "Your group's answer: ")),
        editor.base.text || t("Nhóm chưa viết câu trả lời.", "The group wrote no answer."),
        ...(editor.dirty ? [h("span.lv-group-unsent", {}, t("Phần anh/chị gõ nhưng chưa kịp lưu: ",
          "What you typed but was not saved: "), editor.draft)] : []));
    }
    const s = view.shown;
    shownBox.hidden = !s;
    if (s) {
      shownBox.replaceChildren(h("h3", {}, t("Đang chiếu lên màn hình: ", "On the screen now: "), s.name),
        h("p.lv-group-answer", {}, s.answer || t("(chưa có câu trả lời)", "(no answer yet)")));
    }
    drawEditor();
  }

  socket.listen((frame) => {
    switch (frame.type) {
      case "state": {
        const d = frame.discussion;
        view.discussion = d;
        view.shown = d?.shown || null;
        view.group = groupOf(d);
        if (view.group) {
          const mine = d.my_group || {};
          editor.load(view.group.id, mine.answer || "", mine.revision || 0, d.open);
        }
        break;
      }
      case "discussion_opened":
        view.discussion = frame.discussion;
        view.shown = null;
        view.group = groupOf(frame.discussion);
        if (view.group) editor.load(view.group.id, "", 0, true);
        break;
      case "discussion_closed":
        if (view.discussion?.id !== frame.discussion_id) return;
        view.discussion = { ...view.discussion, open: false };
        editor.close();
        break;
      case "group_answer":
        if (frame.group_id !== view.group?.id) return;
        editor.remote({ text: frame.text, revision: frame.revision, by: frame.by });
        break;
      case "group_shown":
        if (view.discussion?.id !== frame.discussion_id) return;
        view.shown = frame.group;
        break;
      case "status":
        break;
      default:
        return;
    }
    draw();
  });
  draw();
}
