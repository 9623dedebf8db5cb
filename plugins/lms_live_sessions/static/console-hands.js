// Raised hands on the console, first raised first: lower one (POST /hands/lower {user_id}) or
// every hand at once ({}). The phones learn it from the `hands` frame's lowered tokens.
import { api, attempt, clockTime, formatNumber, h, say, t } from "./live-common.js";

export function mountHands(socket, ctx, body) {
  const state = { count: 0, items: [] };
  const count = h("p.lv-hands-count", { id: "lv-hands-count", "aria-live": "polite" });
  const list = h("ol.lv-hands", { id: "lv-hands" });
  const all = h("button.small", { type: "button", id: "lv-hands-all" }, t("Hạ tất cả", "Lower all"));
  const msg = h("p.lv-msg", { role: "status", "aria-live": "polite" });
  body.append(count, list, h("div.lv-toolbar", {}, all), msg);

  const lower = (payload, done) => attempt(msg, () =>
    api("POST", `/api/v1/live/sessions/${ctx.sessionId}/hands/lower`, payload)).then((ok) => {
    if (ok) say(msg, done, true);
  });
  all.addEventListener("click", () => lower({}, t("Đã hạ tất cả các tay.", "Every hand is down.")));

  function draw() {
    count.textContent = state.count ? t(`${formatNumber(state.count)} người đang giơ tay`, `${formatNumber(state.count)} hands up`)
      : t("Chưa có ai giơ tay.", "No hands up.");
    all.hidden = state.count < 2;
    const focused = document.activeElement?.closest?.("#lv-hands li") ? [...list.children].indexOf(document.activeElement.closest("li")) : -1;
    list.replaceChildren(...state.items.map((hand) => h("li.lv-hand", { dataset: { userId: String(hand.user_id) } },
      h("span.lv-hand-name", {}, hand.full_name),
      h("time.muted", { datetime: hand.raised_at }, clockTime(hand.raised_at)),
      h("button.small", { type: "button", "aria-label": t(`Hạ tay: ${hand.full_name}`, `Lower the hand of ${hand.full_name}`),
        on: { click: () => lower({ user_id: hand.user_id }, t(`Đã hạ tay của ${hand.full_name}.`, `Lowered ${hand.full_name}'s hand.`)) } },
      t("Hạ tay", "Lower")))));
    if (focused >= 0) (list.children[Math.min(focused, list.children.length - 1)]?.querySelector("button") || all).focus();
  }

  socket.listen((frame) => {
    if (frame.type === "state") {
      state.count = frame.hands?.count || 0;
      state.items = frame.hands?.items || [];
    } else if (frame.type === "hands") {
      state.count = frame.count;
      state.items = frame.items || [];
    } else {
      return;
    }
    draw();
  });
  draw();
}
