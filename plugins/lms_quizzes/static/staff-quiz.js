// The quiz editor: GET/PUT /api/v1/quizzes/modules/{id}/settings. The form holds the settings,
// the review matrix (what × when) and the slot list (fixed questions found by searching the
// bank, random draws from a category), reordered with buttons so the keyboard is enough.
import { api, h, t, categoryOptions, loadCategories, problemText, showErrors, clearErrors, status, TYPE_LABELS } from "./staff-common.js";

const Q = "/api/v1/quizzes";
const moduleId = document.body.dataset.moduleId;
const form = document.getElementById("quiz-form");
const slotsEl = document.getElementById("slots");
const statusEl = document.getElementById("quiz-status");
const errorsBox = document.getElementById("quiz-errors");
const ITEMS = [
  ["responses", t("Câu trả lời của học viên", "The trainee's responses")],
  ["correctness", t("Đúng hay sai", "Whether correct")],
  ["marks", t("Điểm", "Marks")],
  ["feedback", t("Phản hồi theo lựa chọn", "Specific feedback")],
  ["general_feedback", t("Phản hồi chung", "General feedback")],
  ["correct_answers", t("Đáp án đúng", "Right answers")],
];
const MOMENTS = ["immediately", "later", "after_close"];
let slots = [];
let categories = [];

// --- time zone -----------------------------------------------------------------------------------
const offsetMinutes = (tz) => { const m = /^([+-])(\d\d):(\d\d)$/.exec(tz); return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0; };
function toLocalInput(iso, tz) {
  if (!iso) return "";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return "";
  return new Date(ms + offsetMinutes(tz) * 60000).toISOString().slice(0, 16);
}
const fromLocalInput = (value, tz) => (value ? `${value}:00${tz}` : null);

// --- review matrix -----------------------------------------------------------------------------
function renderReview(review) {
  const tbody = document.querySelector("#review-table tbody");
  tbody.replaceChildren(...ITEMS.map(([item, text]) => h("tr", {}, h("th", { scope: "row", text }),
    ...MOMENTS.map((moment) => h("td", {}, h("input", {
      type: "checkbox", name: `review-${moment}-${item}`, checked: (review?.[moment] || []).includes(item),
      "aria-label": `${text} — ${document.querySelector(`#review-table thead th:nth-child(${MOMENTS.indexOf(moment) + 2})`).textContent}`,
    }))))));
}
const readReview = () => Object.fromEntries(MOMENTS.map((m) => [m, ITEMS.map(([i]) => i).filter((i) => form[`review-${m}-${i}`].checked)]));

// --- slots -------------------------------------------------------------------------------------
const catName = (id) => categories.find((c) => c.id === id || String(c.name) === String(id))?.name ?? String(id);

function renderSlots() {
  const count = slots.reduce((n, s) => n + (s.kind === "random" ? s.count : 1), 0);
  document.getElementById("slot-total").textContent = t(`${count} câu`, `${count} question(s)`);
  if (!slots.length) {
    slotsEl.replaceChildren(h("li", { text: t("Chưa có câu hỏi nào. Thêm câu hỏi ở bên dưới.", "No questions yet. Add some below.") }));
    return;
  }
  slotsEl.replaceChildren(...slots.map((s, i) => {
    const what = s.kind === "fixed"
      ? h("span.what", {}, h("strong", { text: `${i + 1}. ` }), h("a", { href: `/quizzes/bank/questions/${s.question_id}`, text: s.question_name || `#${s.question_id}` }))
      : h("span.what", {}, h("strong", { text: `${i + 1}. ` }), t(`${s.count} câu ngẫu nhiên từ «${catName(s.category)}»`, `${s.count} random question(s) from “${catName(s.category)}”`),
        s.include_subcategories ? t(" (gồm nhóm con)", " (with subcategories)") : "", s.competency ? ` · ${t("năng lực", "competency")} ${s.competency}` : "");
    const mark = h("input", { type: "number", min: "0.01", max: "1000", step: "any", inputmode: "decimal", "data-path": `slots.${i}.mark` });
    mark.value = String(s.mark ?? 1);
    mark.addEventListener("input", () => { s.mark = mark.value === "" ? null : Number(mark.value); });
    const extra = [];
    if (s.kind === "random") {
      const count = h("input", { type: "number", min: "1", max: "500", step: "1", inputmode: "numeric", "data-path": `slots.${i}.count` });
      count.value = String(s.count);
      count.addEventListener("change", () => { s.count = Number(count.value) || 1; renderSlots(); });
      extra.push(h("label", {}, t("Số câu", "Count"), count));
    }
    const btn = (text, aria, fn, disabled) => h("button.small", { type: "button", text, "aria-label": aria, disabled, on: { click: fn } });
    return h("li", { "data-path": `slots.${i}` }, what, ...extra,
      h("label", {}, t("Điểm mỗi câu", "Mark each"), mark),
      btn("↑", t(`Đưa câu ${i + 1} lên`, `Move ${i + 1} up`), () => move(i, -1), i === 0),
      btn("↓", t(`Đưa câu ${i + 1} xuống`, `Move ${i + 1} down`), () => move(i, 1), i === slots.length - 1),
      h("button.small.danger", { type: "button", text: t("Bỏ", "Remove"), "aria-label": t(`Bỏ câu ${i + 1}`, `Remove ${i + 1}`), on: { click: () => { slots.splice(i, 1); renderSlots(); slotsEl.focus(); } } }));
  }));
}

function move(i, delta) {
  const j = i + delta;
  [slots[i], slots[j]] = [slots[j], slots[i]];
  renderSlots();
  slotsEl.children[j]?.querySelector(`button[aria-label*="${delta < 0 ? t("lên", "up") : t("xuống", "down")}"]`)?.focus();
}

async function searchFixed() {
  const q = document.getElementById("fixed-q").value.trim();
  const out = document.getElementById("fixed-results");
  out.replaceChildren(h("li", { text: t("Đang tìm…", "Searching…") }));
  try {
    const data = await api("GET", `${Q}/questions?limit=20&q=${encodeURIComponent(q)}`);
    if (!data.items.length) { out.replaceChildren(h("li", { text: t("Không tìm thấy câu hỏi.", "No question found.") })); return; }
    out.replaceChildren(...data.items.map((item) => {
      const used = slots.some((s) => s.kind === "fixed" && s.question_id === item.id);
      return h("li", {}, h("span", {}, h("span", { text: item.name }), " ", h("span.tag", { text: TYPE_LABELS[item.type] || item.type })),
        h("button.small", { type: "button", disabled: used, text: used ? t("Đã có", "Added") : t("Thêm", "Add"), "aria-label": t(`Thêm «${item.name}»`, `Add “${item.name}”`),
          on: { click: (ev) => { slots.push({ kind: "fixed", question_id: item.id, mark: 1, question_name: item.name }); ev.currentTarget.disabled = true; ev.currentTarget.textContent = t("Đã có", "Added"); renderSlots(); } } }));
    }));
  } catch (err) {
    out.replaceChildren(h("li.error", { text: problemText(err) }));
  }
}
document.getElementById("fixed-search").addEventListener("click", searchFixed);
document.getElementById("fixed-q").addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); searchFixed(); } });
document.getElementById("rand-add").addEventListener("click", () => {
  const cat = Number(document.getElementById("rand-cat").value);
  if (!cat) { status(statusEl, t("Hãy chọn nhóm câu hỏi để rút ngẫu nhiên.", "Choose a category to draw from."), "error"); document.getElementById("rand-cat").focus(); return; }
  const comp = document.getElementById("rand-comp").value.trim();
  slots.push({ kind: "random", category: cat, count: Math.max(1, Number(document.getElementById("rand-count").value) || 1),
    include_subcategories: document.getElementById("rand-sub").checked, competency: comp || null, mark: 1 });
  renderSlots();
  status(statusEl, t("Đã thêm câu ngẫu nhiên; nhớ bấm «Lưu bài kiểm tra».", "Random questions added; remember to save."));
});

// --- load and save -----------------------------------------------------------------------------
function fill(data) {
  const s = data.settings;
  form.kind.value = s.kind;
  form.time_limit.value = String(Math.round((s.time_limit_seconds || 0) / 60));
  form.attempts_allowed.value = String(s.attempts_allowed);
  form.grading_method.value = s.grading_method;
  form.pass_percent.value = String(+(s.pass_fraction * 100).toFixed(4));
  form.completion.value = s.completion;
  form.layout.value = s.layout;
  form.shuffle_questions.checked = s.shuffle_questions;
  form.shuffle_answers.checked = s.shuffle_answers;
  form.opens_at.value = toLocalInput(s.opens_at, form.tz.value);
  form.closes_at.value = toLocalInput(s.closes_at, form.tz.value);
  renderReview(s.review);
  slots = s.slots.map((x) => ({ ...x }));
  renderSlots();
  document.getElementById("quiz-meta").textContent = t(
    `Phiên bản ${data.version} · ${data.attempts} lượt làm bài. Lượt đã bắt đầu giữ cài đặt cũ; thay đổi áp dụng cho lượt bắt đầu sau khi lưu.`,
    `Version ${data.version} · ${data.attempts} attempt(s). Attempts already started keep their settings; changes apply to attempts started after saving.`);
}

let lastTz = "+07:00";
form.tz.addEventListener("change", () => {
  // Keep the same instant: re-express both times in the newly chosen zone.
  for (const name of ["opens_at", "closes_at"]) form[name].value = toLocalInput(fromLocalInput(form[name].value, lastTz), form.tz.value);
  lastTz = form.tz.value;
});

function payload() {
  const int = (v) => (v === "" ? 0 : Number(v));
  return {
    kind: form.kind.value, time_limit_seconds: Math.round(int(form.time_limit.value) * 60),
    attempts_allowed: int(form.attempts_allowed.value), grading_method: form.grading_method.value,
    pass_fraction: form.pass_percent.value === "" ? 0 : Number(form.pass_percent.value) / 100,
    completion: form.completion.value, layout: form.layout.value,
    shuffle_questions: form.shuffle_questions.checked, shuffle_answers: form.shuffle_answers.checked,
    opens_at: fromLocalInput(form.opens_at.value, form.tz.value),
    closes_at: fromLocalInput(form.closes_at.value, form.tz.value),
    review: readReview(),
    slots: slots.map(({ question_name, ...rest }) => rest),
  };
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const save = document.getElementById("quiz-save");
  save.disabled = true;
  clearErrors(form);
  errorsBox.hidden = true;
  status(statusEl, t("Đang lưu…", "Saving…"));
  try {
    const data = await api("PUT", `${Q}/modules/${moduleId}/settings`, payload());
    fill(data);
    status(statusEl, t(`Đã lưu (phiên bản ${data.version}).`, `Saved (version ${data.version}).`), "ok");
  } catch (err) {
    showErrors(form, err, errorsBox);
    status(statusEl, problemText(err), "error");
  } finally {
    save.disabled = false;
  }
});

(async () => {
  try {
    const [cats, data] = await Promise.all([loadCategories(), api("GET", `${Q}/modules/${moduleId}/settings`)]);
    categories = cats;
    categoryOptions(document.getElementById("rand-cat"), categories, "", { blank: t("Chọn nhóm câu hỏi", "Choose a category") });
    fill(data);
  } catch (err) {
    status(statusEl, problemText(err), "error");
  }
})();
