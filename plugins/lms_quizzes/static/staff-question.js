// The question editor: one form for every type of the qtypes shape (see qtypes.py), saved with
// POST / PUT /api/v1/quizzes/questions. The API's 422 errors[] land next to their fields
// (data-path="answers.2.fraction"...). After an edit, when finished attempts were graded on an
// older version, the regrade panel offers a dry run and then the real regrade.
import {
  api, h, t, categoryOptions, loadCategories, problemText, showErrors, clearErrors, status,
  pct, safeHtml,
} from "./staff-common.js";

const Q = "/api/v1/quizzes";
const body = document.body.dataset;
const canManage = body.canManage === "1";
const form = document.getElementById("q-form");
const box = document.getElementById("q-answers");
const legend = document.getElementById("answers-legend");
const errorsBox = document.getElementById("q-errors");
const statusEl = document.getElementById("q-status");
let questionId = body.questionId ? Number(body.questionId) : null;
let version = null;
let answers = [];
let options = {};

const CHOICE = ["single_choice", "multiple_response"];
const blank = (type) => {
  switch (type) {
    case "single_choice": return [{ text: "", fraction: 1, feedback: "" }, { text: "", fraction: 0, feedback: "" }, { text: "", fraction: 0, feedback: "" }];
    case "multiple_response": return [{ text: "", fraction: 0.5, feedback: "" }, { text: "", fraction: 0.5, feedback: "" }, { text: "", fraction: -1, feedback: "" }];
    case "true_false": return [{ id: 1, value: true, text: "Đúng", feedback: "" }, { id: 2, value: false, text: "Sai", feedback: "" }];
    case "short_answer": return [{ text: "", fraction: 1, feedback: "" }];
    case "numerical": return [{ kind: "tolerance", value: 0, tolerance: 0, fraction: 1, feedback: "" }];
    case "matching": return [{ text: "", match: "" }, { text: "", match: "" }, { text: "", match: "" }];
    case "ordering": return [{ text: "" }, { text: "" }, { text: "" }];
    default: return [];
  }
};
const DEFAULT_OPTIONS = {
  single_choice: { shuffle_answers: true }, multiple_response: { shuffle_answers: true },
  true_false: { correct: true }, short_answer: { case_sensitive: false, accent_sensitive: true },
  numerical: {}, matching: { shuffle_answers: true }, ordering: { grading: "absolute_position" },
  essay: { min_words: 0, max_words: 0, response_template: "" }, description: {},
};

// --- small field builders ---------------------------------------------------------------------

let uid = 0;
function field(labelText, control, hint) {
  const id = `f${++uid}`;
  control.id = id;
  const parts = [h("label", { for: id, text: labelText }), control];
  if (hint) {
    const hid = `${id}-hint`;
    control.setAttribute("aria-describedby", hid);
    parts.push(h("p.hint", { id: hid, text: hint }));
  }
  return h("div.qs-field", {}, parts);
}

function textInput(value, onInput, attrs = {}) {
  const tag = attrs.multiline ? "textarea" : "input";
  const el = h(tag, { maxlength: attrs.maxlength ?? 5000, ...(attrs.path ? { "data-path": attrs.path } : {}) });
  el.value = value ?? "";
  el.addEventListener("input", () => onInput(el.value));
  return el;
}

function numberInput(value, onInput, attrs = {}) {
  const el = h("input", { type: "number", step: attrs.step ?? "any", inputmode: "decimal", ...(attrs.path ? { "data-path": attrs.path } : {}) });
  if (attrs.min !== undefined) el.min = attrs.min;
  if (attrs.max !== undefined) el.max = attrs.max;
  el.value = value === null || value === undefined ? "" : String(value);
  el.addEventListener("input", () => onInput(el.value === "" ? null : Number(el.value)));
  return el;
}

/** The share of the mark as a percentage input; the API stores a fraction. */
function fractionInput(a, i, min) {
  const el = numberInput(a.fraction === undefined ? "" : +(a.fraction * 100).toFixed(5), (v) => { a.fraction = v === null ? 0 : v / 100; },
    { min, max: 100, path: `answers.${i}.fraction` });
  return field(t("Điểm (% của câu)", "Grade (% of the mark)"), el);
}

function checkbox(labelText, checked, onChange, path) {
  const input = h("input", { type: "checkbox", checked: !!checked, "data-path": path });
  input.addEventListener("change", () => onChange(input.checked));
  return h("label.check", {}, input, labelText);
}

function rowTools(i, { movable = false } = {}) {
  const tools = [];
  if (movable) {
    tools.push(h("button.small", { type: "button", "aria-label": t(`Đưa mục ${i + 1} lên`, `Move item ${i + 1} up`), disabled: i === 0, text: "↑", on: { click: () => move(i, -1) } }));
    tools.push(h("button.small", { type: "button", "aria-label": t(`Đưa mục ${i + 1} xuống`, `Move item ${i + 1} down`), disabled: i === answers.length - 1, text: "↓", on: { click: () => move(i, 1) } }));
  }
  tools.push(h("button.small.danger", { type: "button", text: t("Xoá", "Remove"), "aria-label": t(`Xoá mục ${i + 1}`, `Remove item ${i + 1}`), on: { click: () => { answers.splice(i, 1); renderAnswers(); } } }));
  return h("span.toolbar", {}, tools);
}

function move(i, delta) {
  const j = i + delta;
  if (j < 0 || j >= answers.length) return;
  [answers[i], answers[j]] = [answers[j], answers[i]];
  renderAnswers();
  box.querySelectorAll(".qs-answer")[j]?.querySelector(`button[aria-label*="${delta < 0 ? "lên" : "xuống"}"], button[aria-label*="${delta < 0 ? "up" : "down"}"]`)?.focus();
}

function addButton(text, make) {
  return h("button", { type: "button", text, on: { click: () => { answers.push(make()); renderAnswers(); box.querySelectorAll(".qs-answer:last-of-type input, .qs-answer:last-of-type textarea")[0]?.focus(); } } });
}

function answerCard(i, title, content, tools) {
  return h("div.qs-answer", { "data-path": `answers.${i}`, role: "group", "aria-label": title },
    h("div.answer-head", {}, h("strong", { text: title }), tools || ""), content);
}

function feedbackField(a, i) {
  return field(t("Phản hồi cho lựa chọn này", "Feedback for this answer"), textInput(a.feedback, (v) => { a.feedback = v; }, { path: `answers.${i}.feedback`, maxlength: 20000 }));
}

// --- per-type editors -------------------------------------------------------------------------

function choiceEditor(type) {
  const multi = type === "multiple_response";
  const cards = answers.map((a, i) => answerCard(i, `${t("Lựa chọn", "Choice")} ${i + 1}`, h("div", {},
    field(t("Nội dung lựa chọn", "Choice text"), textInput(a.text, (v) => { a.text = v; }, { path: `answers.${i}.text`, multiline: true })),
    h("div.row", {}, fractionInput(a, i, -100), feedbackField(a, i))), rowTools(i)));
  return [
    h("p.hint", { text: multi
      ? t("Nhiều đáp án: các điểm dương cộng lại bằng 100%; điểm âm (đến −100%) trừ điểm khi chọn sai.", "Several answers: the positive grades add up to 100%; negative grades (down to −100%) take marks off a wrong choice.")
      : t("Một đáp án: đúng một lựa chọn được 100%; các lựa chọn khác từ −100% đến dưới 100%.", "One answer: exactly one choice is worth 100%; the others from −100% up to below 100%.") }),
    ...cards,
    addButton(t("Thêm lựa chọn", "Add a choice"), () => ({ text: "", fraction: 0, feedback: "" })),
    checkbox(t("Xáo trộn thứ tự lựa chọn", "Shuffle the choices"), options.shuffle_answers, (v) => { options.shuffle_answers = v; }, "options.shuffle_answers"),
  ];
}

function trueFalseEditor() {
  const name = `tf${++uid}`;
  const radio = (value, text) => {
    const input = h("input", { type: "radio", name, value: String(value), checked: options.correct === value, "data-path": "options.correct" });
    input.addEventListener("change", () => { if (input.checked) options.correct = value; });
    return h("label.check", {}, input, text);
  };
  return [
    h("fieldset", { "data-path": "options.correct" }, h("legend", { text: t("Đáp án đúng", "The correct answer") }),
      radio(true, t("Đúng", "True")), radio(false, t("Sai", "False"))),
    ...answers.map((a, i) => field(a.value ? t("Phản hồi khi học viên chọn «Đúng»", "Feedback when the trainee picks “True”") : t("Phản hồi khi học viên chọn «Sai»", "Feedback when the trainee picks “False”"),
      textInput(a.feedback, (v) => { a.feedback = v; }, { path: `answers.${i}.feedback`, maxlength: 20000 }))),
  ];
}

function shortAnswerEditor() {
  return [
    h("p.hint", { text: t("Mỗi đáp án được chấp nhận là một mẫu: dấu * thay cho bất kỳ chuỗi ký tự nào (viết \\* cho dấu sao thật). Cần một đáp án được 100%.", "Each accepted answer is a pattern: * stands for any run of characters (write \\* for a real star). One answer must be worth 100%.") }),
    ...answers.map((a, i) => answerCard(i, `${t("Đáp án được chấp nhận", "Accepted answer")} ${i + 1}`, h("div.row", {},
      field(t("Mẫu câu trả lời", "Answer pattern"), textInput(a.text, (v) => { a.text = v; }, { path: `answers.${i}.text` })),
      fractionInput(a, i, 0), feedbackField(a, i)), rowTools(i))),
    addButton(t("Thêm đáp án", "Add an answer"), () => ({ text: "", fraction: 0, feedback: "" })),
    checkbox(t("Phân biệt chữ hoa, chữ thường", "Case sensitive"), options.case_sensitive, (v) => { options.case_sensitive = v; }, "options.case_sensitive"),
    checkbox(t("Phân biệt dấu tiếng Việt («Hà Nội» khác «Ha Noi»)", "Accent sensitive (“Hà Nội” differs from “Ha Noi”)"), options.accent_sensitive, (v) => { options.accent_sensitive = v; }, "options.accent_sensitive"),
  ];
}

function numericalEditor() {
  const cards = answers.map((a, i) => {
    const kind = h("select", { "data-path": `answers.${i}.kind` },
      h("option", { value: "tolerance", text: t("Giá trị ± sai số", "Value ± tolerance") }),
      h("option", { value: "range", text: t("Khoảng từ… đến…", "Range from… to…") }),
      h("option", { value: "any", text: t("Mọi số khác (chỉ ở cuối)", "Any other number (last only)") }));
    kind.value = a.kind || "tolerance";
    kind.addEventListener("change", () => {
      const { id, fraction, feedback } = a;
      const next = { id, kind: kind.value, fraction, feedback };
      if (kind.value === "tolerance") Object.assign(next, { value: 0, tolerance: 0 });
      if (kind.value === "range") Object.assign(next, { min: 0, max: 0 });
      answers[i] = next;
      renderAnswers();
      box.querySelector(`[data-path="answers.${i}.kind"]`)?.focus();
    });
    const values = [];
    if (a.kind === "tolerance" || !a.kind) {
      values.push(field(t("Giá trị đúng", "Correct value"), numberInput(a.value, (v) => { a.value = v; }, { path: `answers.${i}.value` })));
      values.push(field(t("Sai số cho phép (±)", "Accepted error (±)"), numberInput(a.tolerance, (v) => { a.tolerance = v ?? 0; }, { min: 0, path: `answers.${i}.tolerance` })));
    } else if (a.kind === "range") {
      values.push(field(t("Từ", "From"), numberInput(a.min, (v) => { a.min = v; }, { path: `answers.${i}.min` })));
      values.push(field(t("Đến", "To"), numberInput(a.max, (v) => { a.max = v; }, { path: `answers.${i}.max` })));
    }
    return answerCard(i, `${t("Đáp án", "Answer")} ${i + 1}`, h("div.row", {},
      field(t("Kiểu đáp án", "Kind of answer"), kind), ...values, fractionInput(a, i, 0), feedbackField(a, i)), rowTools(i));
  });
  return [
    h("p.hint", { text: t("Học viên có thể gõ dấu phẩy thập phân (3,14). Cần một đáp án được 100%.", "Trainees may type a decimal comma (3,14). One answer must be worth 100%.") }),
    ...cards,
    addButton(t("Thêm đáp án", "Add an answer"), () => ({ kind: "tolerance", value: 0, tolerance: 0, fraction: 0, feedback: "" })),
  ];
}

function matchingEditor() {
  return [
    h("p.hint", { text: t("Cần ít nhất 2 cặp. Để trống vế trái để thêm một vế phải gây nhiễu.", "At least 2 pairs. Leave the left side empty to add a distractor on the right.") }),
    ...answers.map((a, i) => answerCard(i, a.text ? `${t("Cặp", "Pair")} ${i + 1}` : `${t("Cặp", "Pair")} ${i + 1} · ${t("gây nhiễu", "distractor")}`, h("div.row", {},
      field(t("Vế trái (câu hỏi con)", "Left side (sub-question)"), textInput(a.text, (v) => { a.text = v; }, { path: `answers.${i}.text` })),
      field(t("Vế phải (đáp án ghép)", "Right side (the match)"), textInput(a.match, (v) => { a.match = v; }, { path: `answers.${i}.match` }))), rowTools(i))),
    addButton(t("Thêm cặp", "Add a pair"), () => ({ text: "", match: "" })),
    checkbox(t("Xáo trộn thứ tự", "Shuffle"), options.shuffle_answers, (v) => { options.shuffle_answers = v; }, "options.shuffle_answers"),
  ];
}

function orderingEditor() {
  const grading = h("select", { "data-path": "options.grading" },
    h("option", { value: "absolute_position", text: t("Cho điểm từng mục đúng vị trí", "Partial credit: each item in its place") }),
    h("option", { value: "relative_next", text: t("Cho điểm từng cặp liền kề đúng", "Partial credit: each correct next item") }),
    h("option", { value: "all_or_nothing", text: t("Đúng hết mới có điểm", "All or nothing") }));
  grading.value = options.grading || "absolute_position";
  grading.addEventListener("change", () => { options.grading = grading.value; });
  return [
    h("p.hint", { text: t("Nhập các mục theo đúng thứ tự; học viên sẽ thấy chúng bị xáo trộn.", "Enter the items in the correct order; trainees see them shuffled.") }),
    ...answers.map((a, i) => answerCard(i, `${t("Mục", "Item")} ${i + 1}`,
      field(t("Nội dung", "Text"), textInput(a.text, (v) => { a.text = v; }, { path: `answers.${i}.text` })), rowTools(i, { movable: true }))),
    addButton(t("Thêm mục", "Add an item"), () => ({ text: "" })),
    field(t("Cách chấm", "Grading"), grading),
  ];
}

function essayEditor() {
  return [
    h("div.row.form-grid", {},
      field(t("Số từ tối thiểu (0: không giới hạn)", "Minimum words (0: none)"), numberInput(options.min_words ?? 0, (v) => { options.min_words = v ?? 0; }, { min: 0, step: 1, path: "options.min_words" })),
      field(t("Số từ tối đa (0: không giới hạn)", "Maximum words (0: none)"), numberInput(options.max_words ?? 0, (v) => { options.max_words = v ?? 0; }, { min: 0, step: 1, path: "options.max_words" }))),
    field(t("Mẫu trả lời có sẵn trong ô trả lời", "Response template"), textInput(options.response_template, (v) => { options.response_template = v; }, { path: "options.response_template", multiline: true, maxlength: 20000 })),
    h("p.hint", { text: t("Bài tự luận được giảng viên chấm tay trong «Chấm bài tự luận».", "Essays are marked by hand in “Grade essays”.") }),
  ];
}

function renderAnswers() {
  const type = form.type.value;
  const editors = {
    single_choice: () => choiceEditor(type), multiple_response: () => choiceEditor(type),
    true_false: trueFalseEditor, short_answer: shortAnswerEditor, numerical: numericalEditor,
    matching: matchingEditor, ordering: orderingEditor, essay: essayEditor,
    description: () => [h("p.hint", { text: t("Đoạn mô tả không có đáp án và không tính điểm.", "A description has no answers and carries no mark.") })],
  };
  legend.textContent = ["essay", "description"].includes(type) ? t("Tuỳ chọn", "Options") : t("Đáp án", "Answers");
  box.replaceChildren(...editors[type]());
  if (!canManage) box.querySelectorAll("button").forEach((b) => { b.disabled = true; });
}

form.type.addEventListener("change", () => {
  const type = form.type.value;
  const wasChoice = answers.length && answers.every((a) => "fraction" in a && !("kind" in a) && !("value" in a));
  if (!(CHOICE.includes(type) && wasChoice)) answers = blank(type);
  options = { ...DEFAULT_OPTIONS[type], ...(CHOICE.includes(type) && "shuffle_answers" in options ? { shuffle_answers: options.shuffle_answers } : {}) };
  renderAnswers();
});

// --- load, save, delete -------------------------------------------------------------------------

function fill(q) {
  version = q.version;
  form.category_id.value = String(q.category_id);
  form.type.value = q.type;
  form.name.value = q.name || "";
  form.text.value = q.text || "";
  form.text_format.value = q.text_format || "markdown";
  form.competencies.value = (q.competencies || []).join(", ");
  form.general_feedback.value = q.general_feedback || "";
  answers = structuredClone(q.answers || []);
  options = { ...DEFAULT_OPTIONS[q.type], ...(q.options || {}) };
  renderAnswers();
  const preview = document.getElementById("q-preview");
  if (preview) preview.replaceChildren(safeHtml("div.qs-qtext", q.text_html));
  const v = document.getElementById("q-version");
  if (v) v.textContent = String(q.version);
  document.getElementById("q-title").textContent = q.name;
}

function payload() {
  const type = form.type.value;
  const out = {
    category_id: Number(form.category_id.value) || null, type, name: form.name.value.trim(),
    text: form.text.value, text_format: form.text_format.value,
    general_feedback: form.general_feedback.value,
    competencies: form.competencies.value.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean),
    options: { ...options },
    answers: ["essay", "description"].includes(type) ? [] : answers.map((a) => ({ ...a })),
  };
  if (type === "true_false") out.answers = out.answers.map(({ id, value, text, feedback }) => ({ id, value, text, feedback }));
  if (questionId) out.base_version = version;
  return out;
}

async function showUsage() {
  const el = document.getElementById("q-usage");
  if (!el || !questionId) return null;
  const usage = await api("GET", `${Q}/questions/${questionId}/usage`);
  el.textContent = t(
    `Dùng cố định trong ${usage.fixed_in.length} bài kiểm tra; đã xuất hiện trong ${usage.attempt_slots} lượt làm bài.`,
    `Fixed in ${usage.fixed_in.length} quiz(zes); appeared in ${usage.attempt_slots} attempt(s).`);
  return usage;
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!canManage) return;
  const save = document.getElementById("q-save");
  save.disabled = true;
  clearErrors(form);
  errorsBox.hidden = true;
  status(statusEl, t("Đang lưu…", "Saving…"));
  try {
    const data = payload();
    const saved = questionId
      ? await api("PUT", `${Q}/questions/${questionId}`, data)
      : await api("POST", `${Q}/questions`, data);
    if (!questionId) {
      location.assign(`/quizzes/bank/questions/${saved.id}?created=1`);
      return;
    }
    fill(saved);
    status(statusEl, t(`Đã lưu phiên bản ${saved.version}.`, `Version ${saved.version} saved.`), "ok");
    await showUsage();
    offerRegrade(saved.usage);
  } catch (err) {
    showErrors(form, err, errorsBox);
    status(statusEl, problemText(err), "error");
  } finally {
    save.disabled = false;
  }
});

document.getElementById("q-delete")?.addEventListener("click", async () => {
  if (!window.confirm(t("Xoá câu hỏi này khỏi ngân hàng? Các bài đã làm vẫn giữ bản sao của câu hỏi.", "Delete this question from the bank? Past attempts keep their copy."))) return;
  try {
    await api("DELETE", `${Q}/questions/${questionId}`);
    location.assign(`/quizzes/bank?category_id=${form.category_id.value}`);
  } catch (err) {
    status(statusEl, problemText(err), "error");
  }
});

// --- regrade ----------------------------------------------------------------------------------

const regrade = document.getElementById("regrade");
const regradeResult = document.getElementById("regrade-result");

function offerRegrade(usage) {
  if (!usage || !(usage.stale_finished_slots > 0)) { regrade.hidden = true; return; }
  regrade.hidden = false;
  regradeResult.replaceChildren();
  document.getElementById("regrade-intro").textContent = t(
    `${usage.stale_finished_slots} câu trả lời trong các bài đã nộp được chấm theo phiên bản cũ của câu hỏi. Chấm lại để áp dụng phiên bản mới (điểm chấm tay được giữ nguyên).`,
    `${usage.stale_finished_slots} answer(s) in submitted attempts were graded on an older version of this question. Regrade to apply the new version (marks set by hand are kept).`);
}

const passText = (p) => (p === null || p === undefined ? "—" : p ? t("Đạt", "Passed") : t("Chưa đạt", "Not passed"));

function changesTable(result) {
  if (!result.changed.length) return h("p", { text: t("Không có điểm nào thay đổi.", "No grade changes.") });
  return h("table.qs-regrade-table", {},
    h("caption", { text: t(`${result.changed.length} lượt làm bài thay đổi điểm`, `${result.changed.length} attempt(s) change grade`) }),
    h("thead", {}, h("tr", {}, [t("Học viên", "Trainee"), t("Lượt", "Attempt"), t("Điểm cũ → mới", "Old → new grade"), t("Kết quả cũ → mới", "Old → new result")].map((x) => h("th", { scope: "col", text: x })))),
    h("tbody", {}, result.changed.map((c) => h("tr", {},
      h("td", { text: `${c.user_name}${c.preview ? ` (${t("làm thử", "preview")})` : ""}` }),
      h("td.num", { text: String(c.attempt_number) }),
      h("td.num", { text: `${pct(c.old_fraction)} → ${pct(c.new_fraction)}` }),
      h("td", { text: `${passText(c.old_passed)} → ${passText(c.new_passed)}` })))));
}

document.getElementById("regrade-dry").addEventListener("click", async (ev) => {
  const button = ev.currentTarget;
  button.disabled = true;
  regradeResult.replaceChildren(h("p", { role: "status", text: t("Đang chạy thử…", "Running the dry run…") }));
  try {
    const dry = await api("POST", `${Q}/questions/${questionId}/regrade`, { dry_run: true });
    const confirm = h("button.primary", { type: "button", text: t("Chấm lại thật", "Regrade for real") });
    confirm.addEventListener("click", async () => {
      confirm.disabled = true;
      try {
        const done = await api("POST", `${Q}/questions/${questionId}/regrade`, { dry_run: false });
        regradeResult.replaceChildren(h("p.ok", { role: "status", text: t(`Đã chấm lại ${done.attempts_checked} lượt làm bài; ${done.changed.length} lượt thay đổi điểm.`, `${done.attempts_checked} attempt(s) regraded; ${done.changed.length} changed grade.`) }), changesTable(done));
        const usage = await showUsage();
        if (usage && usage.stale_finished_slots === 0) document.getElementById("regrade-intro").textContent = t("Mọi bài đã nộp đã được chấm theo phiên bản hiện tại.", "Every submitted attempt is graded on the current version.");
      } catch (err) {
        confirm.disabled = false;
        regradeResult.append(h("p.error", { role: "alert", text: problemText(err) }));
      }
    });
    regradeResult.replaceChildren(
      h("p", { text: t(`Chạy thử trên ${dry.attempts_checked} lượt đã nộp (${dry.attempts_running} lượt đang làm sẽ nhận phiên bản mới). Chưa có gì được ghi.`, `Dry run over ${dry.attempts_checked} submitted attempt(s) (${dry.attempts_running} running attempt(s) will get the new version). Nothing was written.`) }),
      changesTable(dry), h("div.toolbar", {}, confirm));
    confirm.focus();
  } catch (err) {
    regradeResult.replaceChildren(h("p.error", { role: "alert", text: problemText(err) }));
  } finally {
    button.disabled = false;
  }
});

// --- start --------------------------------------------------------------------------------------

(async () => {
  try {
    const categories = await loadCategories();
    categoryOptions(form.category_id, categories, body.categoryId || "", { blank: t("Chọn nhóm câu hỏi", "Choose a category") });
    if (questionId) {
      fill(await api("GET", `${Q}/questions/${questionId}`));
      const usage = await showUsage();
      if (canManage) offerRegrade(usage);
      if (new URLSearchParams(location.search).has("created")) status(statusEl, t("Đã thêm câu hỏi.", "Question added."), "ok");
    } else {
      form.type.value = "single_choice";
      answers = blank("single_choice");
      options = { ...DEFAULT_OPTIONS.single_choice };
      renderAnswers();
    }
  } catch (err) {
    status(statusEl, problemText(err), "error");
  }
})();

