// Picking a quick quiz's question in the console's activity form: the institution's question
// bank searched as the lecturer types (diacritics optional), through the live endpoint
// GET /sessions/{id}/quiz-questions (the console never talks to the quizzes plugin itself; a
// server without a bank answers quiz_unavailable, shown as the server words it).
import { api, h, htmlText, problemText, say, t } from "./live-common.js";

const TYPE_LABELS = {
  single_choice: t("Một lựa chọn", "Single choice"),
  multiple_response: t("Nhiều lựa chọn", "Multiple choice"),
  true_false: t("Đúng/Sai", "True/false"),
  numerical: t("Số", "Numerical"),
  short_answer: t("Trả lời ngắn", "Short answer"),
};
const SEARCH_DELAY_MS = 300;

export function mountQuizPick(sessionId, form) {
  const search = form.querySelector("#lv-quiz-search");
  const box = form.querySelector("#lv-quiz-results");
  const found = form.querySelector("#lv-quiz-found");
  const state = { items: [], chosen: null, timer: null, asked: 0, loaded: false };

  function option(item) {
    const id = `lv-quiz-q-${item.id}`;
    const input = h("input", { type: "radio", name: "question_id", id, value: String(item.id),
                               checked: state.chosen?.id === item.id });
    input.addEventListener("change", () => { state.chosen = item; });
    return h("label.lv-quiz-option", { for: id }, input,
      h("span.lv-quiz-option-text", {}, h("span.lv-quiz-q", {}, item.text || item.name),
        h("span.lv-quiz-meta", {}, [TYPE_LABELS[item.type] || item.type, item.category].filter(Boolean).join(" · "))));
  }

  function draw() {
    const items = [...state.items];
    if (state.chosen && !items.some((i) => i.id === state.chosen.id)) items.unshift(state.chosen);
    box.replaceChildren(...items.map(option));
  }

  async function run() {
    const asked = ++state.asked;
    say(found, t("Đang tìm…", "Searching…"), true);
    try {
      const params = new URLSearchParams({ search: search.value.trim(), limit: "20" });
      const data = await api("GET", `/api/v1/live/sessions/${sessionId}/quiz-questions?${params}`);
      if (asked !== state.asked) return; // a later search is on its way
      state.items = data.items;
      state.loaded = true;
      say(found, data.items.length ? t(`Tìm thấy ${data.items.length} câu hỏi. Chọn một câu.`, `${data.items.length} found. Choose one.`)
        : t("Không tìm thấy câu hỏi nào phù hợp.", "No question matches."), !!data.items.length);
      draw();
    } catch (error) {
      if (asked !== state.asked) return;
      say(found, problemText(error));
    }
  }

  search.addEventListener("input", () => {
    clearTimeout(state.timer);
    state.timer = setTimeout(run, SEARCH_DELAY_MS);
  });
  search.addEventListener("keydown", (event) => { // Enter searches, it does not submit the form
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(state.timer);
      run();
    }
  });

  return {
    /** The kind was chosen: show the newest questions once. */
    shown() { if (!state.loaded) run(); },
    chosen: () => state.chosen,
    config() {
      const f = form.elements;
      return { question_id: state.chosen?.id, time_limit: Number(f.time_limit.value || 20),
               points: Number(f.points.value || 1000) };
    },
    /** Editing a prepared quick quiz: its question stays chosen until another is picked. */
    fill(config) {
      const f = form.elements;
      f.time_limit.value = String(config.time_limit ?? 20);
      f.points.value = String(config.points ?? 1000);
      const q = config.question || {};
      const text = htmlText(q.text_html);
      state.chosen = config.question_id ? { id: config.question_id, type: q.type, text, name: "", category: "" } : null;
      draw();
    },
    reset() {
      state.chosen = null;
      draw();
    },
  };
}
