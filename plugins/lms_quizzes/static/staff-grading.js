// The grading queue: essays waiting for a mark, oldest first (GET /api/v1/quizzes/grading),
// one at a time: question, the trainee's answer, mark 0..max and comment, then the next one.
import { api, t, problemText, showErrors, clearErrors, status, when, num, safeHtml } from "./staff-common.js";

const Q = "/api/v1/quizzes";
const moduleId = document.body.dataset.moduleId;
const box = document.getElementById("g-item");
const form = document.getElementById("g-form");
const statusEl = document.getElementById("g-status");
const errorsBox = document.getElementById("g-errors");
let items = [];
let total = 0;
let index = 0;
const skipped = new Set();

async function load() {
  const p = new URLSearchParams({ limit: 50 });
  if (moduleId) p.set("module_id", moduleId);
  status(statusEl, t("Đang tải…", "Loading…"));
  const data = await api("GET", `${Q}/grading?${p}`);
  items = data.items.filter((it) => !skipped.has(`${it.attempt_id}/${it.slot}`));
  total = data.total;
  index = 0;
  show();
}

function show() {
  const item = items[index];
  if (!item) {
    box.hidden = true;
    status(statusEl, total && skipped.size
      ? t(`Còn ${skipped.size} bài bạn đã bỏ qua. Tải lại trang để chấm tiếp.`, `${skipped.size} skipped answer(s) left. Reload the page to grade them.`)
      : t("Không còn bài nào chờ chấm.", "No answer is waiting for a mark."), "ok");
    return;
  }
  status(statusEl, t(`${total} bài đang chờ chấm (cũ nhất trước).`, `${total} answer(s) waiting (oldest first).`));
  box.hidden = false;
  document.getElementById("g-h").textContent = `${item.trainee.name} — ${item.question.name}`;
  document.getElementById("g-meta").textContent = t(
    `${item.module.title} · lớp ${item.class_code || "—"} · nộp lúc ${when(item.submitted_at)} · lượt #${item.attempt_id}, câu ${item.slot}`,
    `${item.module.title} · class ${item.class_code || "—"} · submitted ${when(item.submitted_at)} · attempt #${item.attempt_id}, question ${item.slot}`);
  document.getElementById("g-question").replaceChildren(safeHtml("div", item.question.text_html));
  const response = document.getElementById("g-response");
  response.textContent = item.response_text || t("(Học viên không viết gì)", "(The trainee wrote nothing)");
  const words = (item.response_text || "").trim().split(/\s+/).filter(Boolean).length;
  document.getElementById("g-words").textContent = t(`${words} từ`, `${words} word(s)`);
  document.getElementById("g-mark-label").textContent = t(`Điểm (0 đến ${num(item.max_mark)})`, `Mark (0 to ${num(item.max_mark)})`);
  form.mark.max = String(item.max_mark);
  form.mark.value = "";
  form.comment.value = "";
  clearErrors(form);
  errorsBox.hidden = true;
  form.mark.focus();
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const item = items[index];
  const mark = form.mark.value === "" ? NaN : Number(form.mark.value);
  if (!(mark >= 0 && mark <= item.max_mark)) {
    showErrors(form, { problem: { detail: "", errors: [{ field: "mark", message_vi: `Điểm phải từ 0 đến ${num(item.max_mark)}.`, message: `The mark must be between 0 and ${num(item.max_mark)}.` }] } }, errorsBox);
    form.mark.focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api("POST", `${Q}/attempts/${item.attempt_id}/slots/${item.slot}/grade`, { mark, comment: form.comment.value });
    await load();
    status(statusEl, t(`Đã lưu điểm của ${item.trainee.name}. `, `Mark saved for ${item.trainee.name}. `) + statusEl.textContent, "ok");
  } catch (err) {
    showErrors(form, err, errorsBox);
  } finally {
    button.disabled = false;
  }
});

document.getElementById("g-skip").addEventListener("click", () => {
  const item = items[index];
  skipped.add(`${item.attempt_id}/${item.slot}`);
  index += 1;
  show();
});

load().catch((err) => status(statusEl, problemText(err), "error"));
