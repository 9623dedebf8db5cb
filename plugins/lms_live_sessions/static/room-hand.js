// The raised hand: one button that raises and lowers the trainee's own hand, how many hands
// are up in the room, and word when the lecturer lowered it (a `hands` frame lists the token
// of each hand it lowered: the phone knows its own token, nobody learns whose hands were up).
import { formatNumber, h, messageOf, say, t } from "./live-common.js";

export function mountHand(socket, request, room, section) {
  const state = { raised: false, token: null, count: 0, busy: false, selfLowered: null };
  const button = h("button.lv-big.lv-hand-button", { type: "button", id: "lv-hand-button", "aria-pressed": "false" });
  const count = h("p.lv-hand-count", { id: "lv-hand-count", "aria-live": "polite" });
  const msg = h("p.lv-msg", { id: "lv-hand-msg", role: "status", "aria-live": "polite" });
  section.append(h("h2.lv-sr", { id: "lv-hand-h" }, t("Giơ tay phát biểu", "Raise your hand")), button, count, msg);
  section.setAttribute("aria-labelledby", "lv-hand-h");

  function draw() {
    const live = room.status === "live";
    section.hidden = room.status === "ended";
    button.textContent = state.raised ? t("Hạ tay", "Lower my hand") : t("Giơ tay phát biểu", "Raise my hand");
    button.setAttribute("aria-pressed", String(state.raised));
    button.classList.toggle("primary", !state.raised);
    button.disabled = state.busy || !live;
    count.textContent = !live ? t("Giơ tay được khi phiên học bắt đầu.", "You can raise your hand once the session starts.")
      : state.raised ? t(`Anh/chị đang giơ tay · ${formatNumber(state.count)} người đang giơ tay`,
        `Your hand is up · ${formatNumber(state.count)} hands up`)
        : state.count ? t(`${formatNumber(state.count)} người đang giơ tay`, `${formatNumber(state.count)} hands up`) : "";
    count.hidden = !count.textContent;
  }

  button.addEventListener("click", async () => {
    const raise = !state.raised;
    state.busy = true;
    if (!raise) state.selfLowered = state.token;
    say(msg, "");
    draw();
    try {
      const ok = await request({ type: raise ? "raise_hand" : "lower_hand" });
      state.raised = !!ok.raised;
      state.token = ok.token || null;
    } catch (error) {
      say(msg, messageOf(error));
    } finally {
      state.busy = false;
      draw();
    }
  });

  socket.listen((frame) => {
    if (frame.type === "state") {
      state.count = frame.hands?.count || 0;
      state.raised = !!frame.hands?.mine?.raised;
      state.token = frame.hands?.mine?.token || null;
    } else if (frame.type === "hands") {
      state.count = frame.count;
      const mine = state.token && (frame.lowered || []).includes(state.token);
      if (mine && state.token !== state.selfLowered) {
        state.raised = false;
        state.token = null;
        say(msg, t("Giảng viên đã hạ tay của anh/chị.", "The lecturer lowered your hand."), true);
      }
    } else if (frame.type !== "status") {
      return;
    }
    draw();
  });
  draw();
}
