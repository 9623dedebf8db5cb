// The check-in code on the console: require it or not (PUT /sessions/{id}/checkin), and while
// required the code of the moment, large, with the seconds until it changes (the server sends
// each new code as a `checkin_code` reply to runners and the projector only), and how many
// trainees have checked in.
import { api, attempt, formatNumber, h, t } from "./live-common.js";

export function mountCheckin(socket, ctx, body) {
  const state = { required: false, period: 30, count: 0, code: null, expires: 0, last: "" };
  const toggle = h("button", { type: "button", id: "lv-checkin-toggle", "aria-pressed": "false" });
  const code = h("p.lv-checkin-big", { id: "lv-checkin-now" });
  const left = h("p.muted.lv-checkin-left", { id: "lv-checkin-left" });
  const count = h("p.lv-checkin-count", { id: "lv-checkin-count", "aria-live": "polite" });
  const msg = h("p.lv-msg", { role: "status", "aria-live": "polite" });
  const sheet = h("a", { href: `/api/v1/live/sessions/${ctx.sessionId}/attendance.csv`, download: "" },
    t("Tải danh sách điểm danh (CSV)", "Download the attendance sheet (CSV)"));
  body.append(h("div.lv-toolbar", {}, toggle), code, left, count, h("p", {}, sheet), msg);
  let ticker = null;

  toggle.addEventListener("click", () => attempt(msg, () =>
    api("PUT", `/api/v1/live/sessions/${ctx.sessionId}/checkin`, { required: !state.required })));

  function tick() {
    const seconds = Math.max(0, Math.ceil((state.expires - Date.now()) / 1000));
    left.textContent = state.required && state.code
      ? t(`Mã đổi sau ${seconds} giây (mã vừa hết hạn vẫn được nhận thêm một lượt).`,
          `Changes in ${seconds} s (the code just before still counts for one more period).`) : "";
  }

  function draw() {
    toggle.textContent = state.required ? t("Tắt điểm danh bằng mã", "Stop requiring the code")
      : t("Yêu cầu điểm danh bằng mã", "Require the check-in code");
    toggle.setAttribute("aria-pressed", String(state.required));
    toggle.classList.toggle("primary", !state.required);
    toggle.disabled = ctx.status() === "ended";
    code.hidden = !state.required || !state.code;
    code.textContent = state.code || "";
    code.setAttribute("aria-label", t(`Mã điểm danh ${[...(state.code || "")].join(" ")}`,
                                      `Check-in code ${[...(state.code || "")].join(" ")}`));
    count.textContent = t(`${formatNumber(state.count)} học viên đã điểm danh`, `${formatNumber(state.count)} trainees checked in`)
      + (state.last ? t(` · vừa xong: ${state.last}`, ` · just now: ${state.last}`) : "");
    clearInterval(ticker);
    if (state.required) ticker = setInterval(tick, 500);
    tick();
  }

  socket.listen((frame) => {
    switch (frame.type) {
      case "state":
        state.required = !!frame.checkin?.required;
        state.period = frame.checkin?.period || 30;
        state.count = frame.checkin?.count || 0;
        if (!state.required) state.code = null;
        break;
      case "checkin":
        state.required = !!frame.required;
        state.period = frame.period;
        if (!state.required) state.code = null;
        break;
      case "checkin_code":
        state.code = frame.code;
        state.expires = Date.now() + frame.seconds_left * 1000; // this device's clock: no skew
        break;
      case "checked_in":
        state.count = frame.count;
        state.last = frame.full_name || "";
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
