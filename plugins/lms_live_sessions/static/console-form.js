// The console's activity form: create an activity (queued, or opened at once) and edit a
// prepared one (PATCH /activities/{id}: everything before it opens). One form for both, so an
// activity is edited with the same fields it was made with; the quick quiz's question is
// picked from the bank (console-quiz-pick.js).
import { api, attempt, say, t } from "./live-common.js";
import { mountQuizPick } from "./console-quiz-pick.js";

export function mountForm(sessionId) {
  const $ = (id) => document.getElementById(id);
  const form = $("lv-new");
  const kindSelect = $("lv-kind");
  const msg = $("lv-new-msg");
  const heading = $("new-h");
  const createText = heading.textContent;
  const f = form.elements;
  const quiz = mountQuizPick(sessionId, form);
  let editing = null; // the activity being edited

  function showKind() {
    const kind = kindSelect.value;
    for (const fs of form.querySelectorAll("fieldset[data-kind]")) fs.hidden = fs.dataset.kind !== kind;
    for (const hint of form.querySelectorAll("[data-kind-hint]")) hint.hidden = hint.dataset.kindHint !== kind;
    $("lv-allow-change").hidden = kind === "quick_quiz"; // one answer per trainee, always
    f.prompt.required = kind !== "quick_quiz";
    if (kind === "quick_quiz") quiz.shown();
  }
  kindSelect.addEventListener("change", showKind);
  const maxChoices = f.max_choices.closest("label");
  const showMax = () => { maxChoices.hidden = !f.multiple.checked; };
  f.multiple.addEventListener("change", showMax);

  function intOf(name) {
    const raw = f[name].value.trim();
    return raw === "" ? undefined : Number(raw);
  }

  function configOf(kind) {
    if (kind === "poll") {
      const config = { options: f.options.value.split("\n").map((s) => s.trim()).filter(Boolean),
                       multiple: f.multiple.checked };
      if (f.multiple.checked && intOf("max_choices") !== undefined) config.max_choices = intOf("max_choices");
      return config;
    }
    if (kind === "rating") {
      const min = Number(f.min.value);
      const max = intOf("max") ?? 5;
      const labels = {};
      if (f.label_low.value.trim()) labels[String(min)] = f.label_low.value.trim();
      if (f.label_high.value.trim()) labels[String(max)] = f.label_high.value.trim();
      return { min, max, labels };
    }
    if (kind === "word_cloud") return { max_words: intOf("max_words") ?? 3, max_length: intOf("word_length") ?? 40 };
    if (kind === "quick_quiz") return quiz.config();
    return { max_length: intOf("text_length") ?? 500 };
  }

  /** Fill the form with a prepared activity, to edit it. */
  function fill(a) {
    const cfg = a.config || {};
    kindSelect.value = a.kind;
    f.prompt.value = a.prompt;
    f.visibility.value = a.visibility;
    f.allow_change.checked = !!a.allow_change;
    if (a.kind === "poll") {
      f.options.value = (cfg.options || []).join("\n");
      f.multiple.checked = !!cfg.multiple;
      f.max_choices.value = cfg.max_choices ? String(cfg.max_choices) : "";
    } else if (a.kind === "rating") {
      f.min.value = String(cfg.min ?? 1);
      f.max.value = String(cfg.max ?? 5);
      f.label_low.value = cfg.labels?.[String(cfg.min ?? 1)] || "";
      f.label_high.value = cfg.labels?.[String(cfg.max ?? 5)] || "";
    } else if (a.kind === "word_cloud") {
      f.max_words.value = String(cfg.max_words ?? 3);
      f.word_length.value = String(cfg.max_length ?? 40);
    } else if (a.kind === "open_question") {
      f.text_length.value = String(cfg.max_length ?? 500);
    } else if (a.kind === "quick_quiz") {
      quiz.fill(cfg);
    }
  }

  function setMode(activity) {
    editing = activity;
    heading.textContent = activity ? heading.dataset.editText : createText;
    $("lv-queue-add").hidden = !!activity;
    $("lv-push").hidden = !!activity;
    $("lv-save").hidden = !activity;
    $("lv-cancel-edit").hidden = !activity;
    form.dataset.editing = activity ? String(activity.id) : "";
  }

  function clear() {
    f.prompt.value = "";
    f.options.value = "";
    quiz.reset();
    setMode(null);
    showKind();
    showMax();
  }

  $("lv-cancel-edit").addEventListener("click", () => { say(msg, ""); clear(); });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = kindSelect.value;
    let prompt = f.prompt.value.trim();
    if (kind === "quick_quiz") {
      const chosen = quiz.chosen();
      if (!chosen) {
        say(msg, t("Hãy tìm và chọn một câu hỏi trong ngân hàng câu hỏi.", "Search for and choose a question of the bank."));
        $("lv-quiz-search").focus();
        return;
      }
      if (!prompt) prompt = (chosen.text || chosen.name || t("Câu hỏi nhanh", "Quick quiz")).slice(0, 500);
    }
    if (!prompt) {
      say(msg, t("Hãy nhập câu hỏi.", "Type the question."));
      f.prompt.focus();
      return;
    }
    const body = { kind, prompt, config: configOf(kind), visibility: f.visibility.value };
    if (kind !== "quick_quiz") body.allow_change = f.allow_change.checked;
    const mode = event.submitter?.value || (editing ? "save" : "queue");
    if (editing) {
      const saved = await attempt(msg, () => api("PATCH", `/api/v1/live/activities/${editing.id}`, body));
      if (saved) {
        say(msg, t("Đã lưu thay đổi.", "Changes saved."), true);
        clear();
      }
      return;
    }
    const open = mode === "open";
    const made = await attempt(msg, () => api("POST", `/api/v1/live/sessions/${sessionId}/activities`,
                                              { ...body, open }));
    if (made) {
      say(msg, open ? t("Đã tạo và mở hoạt động.", "Created and opened.")
        : t("Đã thêm vào danh sách.", "Added to the list."), true);
      clear();
    }
  });

  showKind();
  showMax();

  return {
    /** The lecturer chose "Edit" on a prepared activity. */
    edit(activity) {
      say(msg, "");
      fill(activity);
      setMode(activity);
      showKind();
      showMax();
      $("lv-new-section").scrollIntoView({ behavior: "smooth", block: "start" });
      f.prompt.focus({ preventScroll: true });
    },
    /** The activity being edited opened or went away: editing it makes no sense any more. */
    forget(activities) {
      if (!editing) return;
      const now = activities.find((a) => a.id === editing.id);
      if (!now || !["draft", "queued"].includes(now.state)) {
        clear();
        say(msg, t("Hoạt động đang sửa đã được mở hoặc xoá.", "The activity you were editing was opened or deleted."));
      }
    },
  };
}
