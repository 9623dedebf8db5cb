// Group discussion on the console: split the trainees present into groups (at random or by
// unit, by group size or number of groups) with a prompt, follow every group's shared answer
// as it is written (`group_answers`, at most every 300 ms), show one group on the projector
// (and take it down), close the discussion (interaction_api.py).
import { api, attempt, clockTime, h, say, t } from "./live-common.js";

export function mountGroups(socket, ctx, body) {
  const V1 = "/api/v1/live";
  const state = { discussion: null, shownId: null };
  const msg = h("p.lv-msg", { id: "lv-groups-msg", role: "status", "aria-live": "polite" });

  // --- the form that opens a discussion ------------------------------------------------------
  const prompt = h("input", { id: "lv-disc-prompt", name: "discussion_prompt", maxlength: "500", autocomplete: "off" });
  const mode = h("select", { id: "lv-disc-mode", name: "discussion_mode" },
    h("option", { value: "random" }, t("Ngẫu nhiên", "At random")),
    h("option", { value: "unit" }, t("Theo đơn vị công tác (đồng nghiệp cùng nhóm)", "By unit (colleagues together)")));
  const by = h("select", { id: "lv-disc-by", name: "discussion_by" },
    h("option", { value: "group_size" }, t("Số người mỗi nhóm", "People per group")),
    h("option", { value: "groups" }, t("Số nhóm", "Number of groups")));
  const size = h("input", { id: "lv-disc-size", name: "discussion_size", type: "number", min: "1", max: "100", value: "4",
                            inputmode: "numeric" });
  const openButton = h("button.primary", { type: "submit", id: "lv-disc-open" }, t("Chia nhóm và bắt đầu", "Split and start"));
  const form = h("form.lv-disc-form", { id: "lv-disc-form", novalidate: true },
    h("label", { for: "lv-disc-prompt" }, t("Câu hỏi thảo luận", "Discussion prompt")), prompt,
    h("div.lv-form-row", {},
      h("label", { for: "lv-disc-mode" }, t("Cách chia", "How to split"), mode),
      h("label", { for: "lv-disc-by" }, t("Chia theo", "Split by"), by),
      h("label", { for: "lv-disc-size" }, t("Số lượng", "How many"), size)),
    h("p.muted", {}, t("Chỉ chia những học viên đang có mặt.", "Only the trainees present now are split.")),
    h("div.lv-toolbar", {}, openButton));
  const current = h("div.lv-disc", { id: "lv-disc" });
  body.append(form, current, msg);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = prompt.value.trim();
    if (!text) {
      say(msg, t("Hãy nhập câu hỏi thảo luận.", "Type the discussion prompt."));
      prompt.focus();
      return;
    }
    const payload = { prompt: text, mode: mode.value, [by.value]: Number(size.value) };
    openButton.disabled = true;
    const made = await attempt(msg, () => api("POST", `${V1}/sessions/${ctx.sessionId}/discussions`, payload));
    openButton.disabled = false;
    if (made) {
      say(msg, t(`Đã chia ${made.groups.length} nhóm.`, `${made.groups.length} groups made.`), true);
      prompt.value = "";
    }
  });

  // --- the discussion and its groups ---------------------------------------------------------
  const show = (groupId) => attempt(msg, () =>
    api("POST", `${V1}/discussions/${state.discussion.id}/show`, { group_id: groupId }));

  function groupCard(g, d) {
    const shown = state.shownId === g.id;
    return h("li.lv-group-card", { dataset: { groupId: String(g.id), shown: shown ? "1" : "" } },
      h("h4", {}, g.name, shown ? h("span.lv-tag.lv-tag-pinned", {}, t("Đang chiếu", "On screen")) : null),
      h("p.lv-group-members", {}, (g.members || []).map((m) => m.full_name).join(", ")
        || t("(không có thành viên)", "(no members)")),
      h("p.lv-group-answer", { "aria-label": t(`Câu trả lời của ${g.name}`, `${g.name}'s answer`) },
        g.answer || t("Chưa viết gì.", "Nothing written yet.")),
      h("p.muted.lv-group-rev", {}, g.revision ? t(`Bản ${g.revision} · ${clockTime(g.updated_at)}`,
        `Version ${g.revision} · ${clockTime(g.updated_at)}`) : ""),
      h("div.lv-toolbar", {}, shown
        ? h("button.small", { type: "button", "aria-label": t(`Thôi chiếu ${g.name}`, `Take ${g.name} off the screen`),
          on: { click: () => show(null) } }, t("Thôi chiếu", "Take off the screen"))
        : h("button.small.primary", { type: "button", "aria-label": t(`Chiếu ${g.name} lên màn hình`, `Show ${g.name} on the screen`),
          disabled: !d, on: { click: () => show(g.id) } }, t("Chiếu lên màn hình", "Show on the screen"))));
  }

  function draw() {
    const d = state.discussion;
    form.hidden = !!d?.open || ctx.status() === "ended";
    openButton.disabled = ctx.status() !== "live";
    if (!d) {
      current.replaceChildren(h("p.muted", {}, t("Chưa có buổi thảo luận nào.", "No discussion yet.")));
      return;
    }
    const focusedId = document.activeElement?.closest?.("#lv-disc li")?.dataset.groupId;
    current.replaceChildren(
      h("div.lv-disc-head", {},
        h("p.lv-kind", {}, d.open ? t("Đang thảo luận", "Discussing now") : t("Đã kết thúc", "Ended"),
          ` · ${d.groups.length} `, t("nhóm", "groups")),
        h("h3.lv-prompt", {}, d.prompt),
        h("div.lv-toolbar", {},
          d.open ? h("button.danger", { type: "button", id: "lv-disc-close", on: { click: () => attempt(msg, () =>
            api("POST", `${V1}/discussions/${d.id}/close`)) } }, t("Kết thúc thảo luận", "End the discussion")) : null)),
      h("ol.lv-group-cards", { id: "lv-group-cards" }, ...d.groups.map((g) => groupCard(g, d))));
    if (focusedId) current.querySelector(`li[data-group-id="${focusedId}"] button`)?.focus();
  }

  function withAnswers(groups) {
    return (groups || []).map((g) => ({ answer: "", revision: 0, updated_at: null, ...g }));
  }

  socket.listen((frame) => {
    switch (frame.type) {
      case "state":
        state.discussion = frame.discussion ? { ...frame.discussion, groups: withAnswers(frame.discussion.groups) } : null;
        state.shownId = frame.discussion?.shown?.id ?? null;
        break;
      case "discussion_opened":
        state.discussion = { ...frame.discussion, groups: withAnswers(frame.discussion.groups) };
        state.shownId = null;
        break;
      case "discussion_closed":
        if (state.discussion?.id === frame.discussion_id) state.discussion = { ...state.discussion, open: false };
        break;
      case "group_answers":
        if (state.discussion?.id !== frame.discussion_id) return;
        state.discussion = { ...state.discussion, open: frame.open, groups: withAnswers(frame.groups) };
        break;
      case "group_shown":
        if (state.discussion?.id === frame.discussion_id) state.shownId = frame.group?.id ?? null;
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
