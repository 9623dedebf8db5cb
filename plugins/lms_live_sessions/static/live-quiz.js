// The quick quiz on the trainee's phone (docs/live-protocol.md, "Quick quiz"): the bank question
// with big choices, a countdown from the question's opened_at and time_limit on the server's
// clock, one answer (a tap sends a single choice or true/false at once: speed scores), then the
// trainee's own quiz_result: right or not, the points, the rank and the total.
//
// The answer goes as an ordinary `answer` with its own client_id, sent again after a reconnect
// until its ack (the server counts it once); nothing here knows the key before the close.
import {
  h, t, formatNumber, htmlText, messageOf, newClientId, quizChoices, quizKeyText, resultsView,
  serverNow, syncClock,
} from "./live-common.js";

const SHAPES = ["▲", "◆", "●", "■", "★", "⬟"];
const RESEND_AFTER_MS = 5000;
const TICK_MS = 250;

export function mountQuiz(socket, room, box) {
  const q = { activity: null, mine: null, pending: null, result: null, results: null, error: "" };
  let drawnKey = "";
  let resendTimer = null;
  let ticker = null;
  syncClock();

  const isQuiz = (a) => a?.kind === "quick_quiz";
  const deadline = (a) => Date.parse(a.opened_at) + (a.config?.time_limit || 20) * 1000;
  const secondsLeft = (a) => Math.min(a.config?.time_limit || 20,
                                      Math.max(0, Math.ceil((deadline(a) - serverNow()) / 1000)));
  const answered = () => !!(q.mine || q.pending);
  const myAnswer = () => q.pending?.answer || q.mine?.answer || null;

  function send() {
    clearTimeout(resendTimer);
    const p = q.pending;
    if (!p || q.activity?.id !== p.activity_id || q.activity.state !== "open") return;
    if (socket.send({ type: "answer", activity_id: p.activity_id, client_id: p.client_id, answer: p.answer })) {
      resendTimer = setTimeout(send, RESEND_AFTER_MS);
    }
  }

  function submit(answer) {
    if (answered() || q.activity?.state !== "open") return;
    q.error = "";
    q.pending = { activity_id: q.activity.id, client_id: newClientId("qq"), answer };
    send();
    draw();
  }

  // --- drawing -------------------------------------------------------------------------------

  function chosenIds() {
    const a = myAnswer();
    if (!a) return new Set();
    if (a.choices) return new Set(a.choices);
    if (a.choice !== undefined) return new Set([a.choice]);
    if (typeof a.value === "boolean") return new Set([a.value ? 1 : 2]);
    return new Set();
  }

  function choiceButtons(a, locked) {
    const question = a.config.question;
    const chosen = chosenIds();
    return h("div.lv-qchoices", { role: "group", "aria-label": t("Các phương án", "Choices") },
      ...quizChoices(a).map((c, i) => {
        const raw = question.choices[i];
        const answer = question.type === "true_false" ? { value: raw.value !== undefined ? raw.value : c.id === 1 }
          : { choice: c.id };
        return h("button.lv-qchoice", {
          type: "button", disabled: locked, "aria-pressed": chosen.has(c.id) ? "true" : "false",
          dataset: { shape: String(i % SHAPES.length), choiceId: String(c.id) },
          on: { click: () => submit(answer) } },
        h("span.lv-shape", { "aria-hidden": "true" }, SHAPES[i % SHAPES.length]),
        h("span.lv-qchoice-text", {}, c.label));
      }));
  }

  function checkboxes(a, locked) {
    const chosen = chosenIds();
    const form = h("form.lv-answer", { novalidate: true },
      h("fieldset", {}, h("legend", {}, t("Chọn một hoặc nhiều phương án", "Choose one or more")),
        h("div.lv-choices", {}, ...quizChoices(a).map((c, i) =>
          h("label.lv-choice.lv-qpick", { dataset: { shape: String(i % SHAPES.length) } },
            h("input", { type: "checkbox", name: "choice", value: String(c.id), disabled: locked,
                         checked: chosen.has(c.id) }),
            h("span.lv-shape", { "aria-hidden": "true" }, SHAPES[i % SHAPES.length]),
            h("span.lv-choice-text", {}, c.label))))),
      h("button.primary.lv-big", { type: "submit", disabled: locked }, t("Gửi câu trả lời", "Send my answer")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const ids = [...form.querySelectorAll("input:checked")].map((i) => Number(i.value));
      if (!ids.length) {
        q.error = t("Hãy chọn ít nhất một phương án.", "Choose at least one option.");
        drawStatus();
        return;
      }
      submit({ choices: ids });
    });
    return form;
  }

  function typed(a, locked) {
    const number = a.config.question.input === "number" || a.config.question.type === "numerical";
    const prior = myAnswer();
    const input = h("input", { id: "lv-quiz-input", name: "answer", autocomplete: "off", maxlength: "200",
                               inputmode: number ? "decimal" : "text", enterkeyhint: "send", disabled: locked,
                               value: prior ? String(prior.value ?? prior.text ?? "") : "" });
    const form = h("form.lv-answer", { novalidate: true },
      h("label", { for: "lv-quiz-input" }, number ? t("Nhập một số", "Type a number") : t("Câu trả lời của anh/chị", "Your answer")),
      input,
      h("button.primary.lv-big", { type: "submit", disabled: locked }, t("Gửi câu trả lời", "Send my answer")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) {
        q.error = t("Hãy nhập câu trả lời trước khi gửi.", "Type an answer first.");
        drawStatus();
        input.focus();
        return;
      }
      submit(number ? { value } : { text: value });
    });
    return form;
  }

  function answerArea(a) {
    const locked = answered() || a.state !== "open" || secondsLeft(a) === 0;
    const type = a.config?.question?.type;
    if (type === "single_choice" || type === "true_false") return choiceButtons(a, locked);
    if (type === "multiple_response") return checkboxes(a, locked);
    return typed(a, locked);
  }

  function resultCard(a) {
    const r = q.result?.activity_id === a.id ? q.result : null;
    const card = h("div.lv-quiz-result", { id: "lv-quiz-result", role: "status" });
    if (!r) {
      card.append(h("p.lv-quiz-outcome", {}, t("Đang tính điểm…", "Scoring…")));
      return card;
    }
    let outcome = "none";
    if (r.fraction !== null && r.fraction !== undefined) outcome = r.fraction >= 0.999 ? "right" : r.fraction > 0 ? "partial" : "wrong";
    card.dataset.outcome = outcome;
    const words = {
      right: t("Chính xác!", "Correct!"), partial: t("Đúng một phần", "Partly right"),
      wrong: t("Chưa chính xác", "Not quite"), none: t("Anh/chị chưa trả lời câu này", "You did not answer this one"),
    };
    card.append(h("p.lv-quiz-outcome", {}, words[outcome]));
    if (r.score !== null && r.score !== undefined) {
      card.append(h("p.lv-quiz-score", {}, `+${formatNumber(r.score)} `, t("điểm", "points")));
    }
    if (r.rank) {
      card.append(h("p.lv-quiz-rank", {}, t("Hạng ", "Rank "), h("strong", {}, formatNumber(r.rank)),
        ` / ${formatNumber(r.of)}`));
    }
    card.append(h("p.lv-quiz-total", {}, t(`Tổng điểm: ${formatNumber(r.total)} · ${formatNumber(r.correct)} câu đúng`,
      `Total: ${formatNumber(r.total)} · ${formatNumber(r.correct)} right`)));
    return card;
  }

  function drawStatus() {
    const el = box.querySelector("#lv-quiz-sent");
    if (!el) return;
    el.classList.remove("ok", "error", "lv-pending");
    if (q.error) {
      el.textContent = q.error;
      el.classList.add("error");
    } else if (q.pending) {
      el.textContent = socket.connected ? t("Đang gửi…", "Sending…")
        : t("Chưa gửi được: sẽ tự gửi khi có kết nối.", "Not sent yet: it will be sent when the connection is back.");
      el.classList.add("lv-pending");
    } else if (q.mine && q.activity?.state === "open") {
      el.textContent = t("Đã gửi. Chờ giảng viên công bố kết quả…", "Sent. Waiting for the results…");
      el.classList.add("ok");
    } else if (q.activity?.state === "open" && secondsLeft(q.activity) === 0) {
      el.textContent = t("Hết giờ!", "Time is up!");
    } else {
      el.textContent = "";
    }
  }

  function tick() {
    const a = q.activity;
    const timer = box.querySelector(".lv-timer");
    if (!a || a.state !== "open" || !timer) {
      clearInterval(ticker);
      ticker = null;
      return;
    }
    const left = secondsLeft(a);
    const limit = a.config?.time_limit || 20;
    timer.querySelector(".lv-timer-num").textContent = String(left);
    timer.querySelector(".lv-timer-fill").style.width = `${Math.min(100, (left * 100) / limit)}%`;
    timer.dataset.low = left <= 5 ? "1" : "";
    if (left === 0 && !answered()) {
      for (const el of box.querySelectorAll("button, input")) el.disabled = true;
      drawStatus();
    }
  }

  function draw() {
    const a = q.activity;
    if (!a || room.status === "ended" && a.state === "open") {
      box.replaceChildren();
      drawnKey = "";
      return;
    }
    const key = `${a.id}:${a.state}:${answered()}:${q.result?.activity_id === a.id}:${!!q.results}`;
    if (key !== drawnKey) {
      drawnKey = key;
      const question = a.config?.question || {};
      const text = htmlText(question.text_html);
      const open = a.state === "open";
      const keyText = q.results?.key ? quizKeyText(q.results.key, a) : "";
      box.replaceChildren(h("article.lv-act.lv-quiz", { dataset: { activityId: String(a.id), state: a.state, kind: a.kind } },
        h("p.lv-kind", {}, t("Câu hỏi nhanh", "Quick quiz"), ` · ${formatNumber(a.config?.points)} `, t("điểm", "points"),
          open ? "" : ` · ${t("Đã đóng", "Closed")}`),
        h("h2.lv-prompt", {}, a.prompt),
        text && text !== a.prompt ? h("p.lv-quiz-text", {}, text) : null,
        open ? h("div.lv-timer", { role: "timer", "aria-live": "off", "aria-label": t("Số giây còn lại", "Seconds left") },
          h("span.lv-timer-num", {}, String(secondsLeft(a))),
          h("span.lv-timer-track", { "aria-hidden": "true" }, h("span.lv-timer-fill"))) : null,
        open || answered() ? answerArea(a) : null,
        h("p.lv-sent", { id: "lv-quiz-sent", role: "status", "aria-live": "polite" }),
        open ? null : resultCard(a),
        keyText ? h("p.lv-quiz-key", {}, t("Đáp án: ", "Answer: "), h("strong", {}, keyText)) : null,
        !open && q.results ? h("div.lv-myresults", {}, resultsView(q.results, a, { width: 400 })) : null));
    }
    drawStatus();
    if (a.state === "open" && !ticker) ticker = setInterval(tick, TICK_MS);
    tick();
  }

  // --- frames --------------------------------------------------------------------------------

  function setActivity(activity, fresh) {
    if (!isQuiz(activity)) {
      q.activity = null;
      return;
    }
    if (fresh || q.activity?.id !== activity.id) {
      q.mine = null;
      q.result = null;
      q.results = null;
      q.error = "";
    }
    q.activity = activity;
    if (q.pending && (q.pending.activity_id !== activity.id || activity.state !== "open")) {
      if (q.pending.activity_id === activity.id) {
        q.error = t("Câu hỏi đã đóng trước khi câu trả lời được gửi.", "The question closed before your answer was sent.");
      }
      q.pending = null;
      clearTimeout(resendTimer);
    }
  }

  socket.listen((frame) => {
    switch (frame.type) {
      case "state":
        room.status = frame.session.status;
        setActivity(frame.activity, true);
        if (q.activity) {
          q.mine = frame.my_answer || null;
          if (q.pending && frame.my_answer?.client_id === q.pending.client_id) q.pending = null;
          q.result = frame.quiz_result || null;
          q.results = frame.results || null;
        }
        drawnKey = "";
        break;
      case "status":
        room.status = frame.status;
        break;
      case "activity_opened":
        setActivity(frame.activity, true);
        break;
      case "activity_closed":
        if (!isQuiz(frame.activity)) return;
        setActivity(frame.activity, false);
        if (frame.results) q.results = frame.results;
        break;
      case "results":
        if (q.activity?.id !== frame.activity_id) return;
        q.results = frame.visible ? frame.results : null;
        break;
      case "quiz_result":
        q.result = frame;
        break;
      case "ack":
        if (!q.pending || frame.client_id !== q.pending.client_id) return;
        clearTimeout(resendTimer);
        q.mine = { answer: q.pending.answer, client_id: frame.client_id, revision: frame.revision };
        q.pending = null;
        break;
      case "error":
        if (!q.pending || frame.client_id !== q.pending.client_id) return;
        clearTimeout(resendTimer);
        q.pending = null;
        q.error = messageOf(frame);
        drawnKey = ""; // the choices unlock again when the answer was refused for its shape
        break;
      default:
        return;
    }
    draw();
  });
  socket.onReconnect(() => send());
}
