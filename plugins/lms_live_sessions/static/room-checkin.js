// Check-in on the phone: while the lecturer requires it, a field for the six-digit code the
// projector shows (it changes every `period` seconds; the one just before still counts), sent
// as `check_in`; once accepted, the time it was recorded.
import { clockTime, h, messageOf, say, t } from "./live-common.js";

export function mountCheckin(socket, request, room, section) {
  const state = { required: false, at: null, sending: false };
  const input = h("input.lv-code-input.lv-checkin-code", {
    id: "lv-checkin-code", name: "code", inputmode: "numeric", autocomplete: "one-time-code",
    maxlength: "9", pattern: "[0-9 -]*", spellcheck: "false", "aria-describedby": "lv-checkin-msg" });
  const button = h("button.primary.lv-big", { type: "submit" }, t("Điểm danh", "Check in"));
  const msg = h("p.lv-msg", { id: "lv-checkin-msg", role: "status", "aria-live": "polite" });
  const form = h("form", { id: "lv-checkin-form", novalidate: true },
    h("label", { for: "lv-checkin-code" }, t("Nhập mã điểm danh 6 chữ số đang hiện trên màn chiếu",
      "Type the 6-digit check-in code on the screen")),
    input, button);
  const done = h("p.lv-checkin-done", { id: "lv-checkin-done" });
  section.append(h("h2", { id: "lv-checkin-h" }, t("Điểm danh", "Check-in")), form, done, msg);
  section.setAttribute("aria-labelledby", "lv-checkin-h");

  function draw() {
    section.hidden = !state.required || room.status !== "live";
    form.hidden = !!state.at;
    done.hidden = !state.at;
    done.textContent = state.at ? t(`✓ Đã điểm danh lúc ${clockTime(state.at)}`, `✓ Checked in at ${clockTime(state.at)}`) : "";
    button.disabled = state.sending;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = input.value.replace(/[\s-]/g, "");
    if (!/^\d{6}$/.test(code)) {
      say(msg, t("Mã điểm danh gồm 6 chữ số.", "The check-in code has 6 digits."));
      input.focus();
      return;
    }
    state.sending = true;
    say(msg, t("Đang gửi…", "Sending…"), true);
    draw();
    try {
      const ok = await request({ type: "check_in", code });
      state.at = ok.checked_in_at;
      say(msg, "");
    } catch (error) {
      say(msg, messageOf(error));
      input.select();
    } finally {
      state.sending = false;
      draw();
    }
  });

  socket.listen((frame) => {
    if (frame.type === "state") {
      state.required = !!frame.checkin?.required;
      state.at = frame.checkin?.checked_in_at || null;
    } else if (frame.type === "checkin") {
      state.required = !!frame.required;
    } else if (frame.type !== "status") {
      return;
    }
    draw();
  });
  draw();
}
