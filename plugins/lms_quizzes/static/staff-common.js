// Shared helpers of the lecturer's quiz pages (staff-*.js): language, a DOM builder that only
// ever sets text with textContent, API error display next to the fields, number formats.
import { api } from "/static/core/app.js";

export { api };
export const en = document.documentElement.lang === "en";
/** The Vietnamese or the English text, by the page's language. */
export const t = (vi, english) => (en ? english : vi);

/**
 * h("tag.class", {attr: value, on: {click: fn}}, ...children): an element whose children are
 * nodes or strings (strings become text nodes, never HTML).
 */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "on") {
      for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "text") {
      el.textContent = value;
    } else if (key in el && typeof value !== "string") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Server-sanitised HTML (the API's *_html fields) into a fresh element. */
export function safeHtml(spec, html) {
  const el = h(spec);
  el.innerHTML = html || "";
  return el;
}

export const TYPE_LABELS = {
  single_choice: t("Trắc nghiệm một đáp án", "Multiple choice (one answer)"),
  multiple_response: t("Trắc nghiệm nhiều đáp án", "Multiple choice (several answers)"),
  true_false: t("Đúng/Sai", "True/False"),
  short_answer: t("Trả lời ngắn", "Short answer"),
  numerical: t("Số", "Numerical"),
  matching: t("Ghép đôi", "Matching"),
  ordering: t("Sắp xếp thứ tự", "Ordering"),
  essay: t("Tự luận", "Essay"),
  description: t("Mô tả (không tính điểm)", "Description (not graded)"),
};

/** The message of one API error entry in the user's language. */
export function errorMessage(e) {
  return (en ? e.message_en || e.message : e.message_vi || e.message) || "";
}

/** The problem document's main text, or the network error's. */
export function problemText(err) {
  const p = err?.problem;
  if (p) return (en ? p.detail_en : p.detail_vi) || p.detail || p.title || String(err.message);
  return t("Không kết nối được máy chủ. Hãy thử lại.", "Could not reach the server. Try again.");
}

/** Remove the error messages a previous showErrors put in ``root``. */
export function clearErrors(root) {
  root.querySelectorAll(".field-error").forEach((el) => el.remove());
  root.querySelectorAll("[aria-invalid]").forEach((el) => {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby");
  });
}

let errorSeq = 0;

/**
 * Put each of the problem's ``errors[]`` next to the element whose data-path (or data-field)
 * matches its ``path`` / ``field``, walking up the dotted path ("answers.2.fraction", then
 * "answers.2", then "answers"); what finds no place goes into ``summary``. Returns the count.
 */
export function showErrors(root, err, summary) {
  clearErrors(root);
  summary.replaceChildren();
  summary.hidden = true;
  const problem = err?.problem;
  const errors = problem?.errors ?? [];
  const loose = [];
  for (const e of errors) {
    const path = String(e.path ?? e.field ?? "");
    let target = null;
    const parts = path.split(".");
    while (parts.length && !target) {
      const key = parts.join(".");
      target = root.querySelector(`[data-path="${CSS.escape(key)}"]`)
        ?? root.querySelector(`[data-field="${CSS.escape(key)}"]`);
      parts.pop();
    }
    const message = errorMessage(e);
    if (!target) { loose.push(message); continue; }
    const id = `qs-err-${++errorSeq}`;
    const note = h("span.error.field-error", { id, role: "alert", text: message });
    const control = target.matches("input, select, textarea") ? target
      : target.querySelector("input, select, textarea");
    if (control) {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", id);
    }
    if (target.matches("input, select, textarea")) target.after(note);
    else target.append(note);
  }
  const head = problemText(err);
  summary.append(h("p", { text: errors.length
    ? t("Chưa lưu được. Hãy sửa các chỗ được đánh dấu.", "Not saved. Please fix the marked fields.")
    : head }));
  if (loose.length) summary.append(h("ul", {}, loose.map((m) => h("li", { text: m }))));
  summary.hidden = false;
  summary.focus?.();
  return errors.length;
}

const nf = new Intl.NumberFormat(en ? "en-GB" : "vi-VN", { maximumFractionDigits: 2 });
/** A number the way people read it in their language (decimal comma in Vietnamese). */
export const num = (v) => (v === null || v === undefined || Number.isNaN(v) ? "—" : nf.format(v));
/** A fraction 0..1 as a percentage. */
export const pct = (f) => (f === null || f === undefined ? "—" : `${nf.format(f * 100)}%`);
/** A figure already in % units (the statistics API's). */
export const pctUnits = (v) => (v === null || v === undefined ? "—" : `${nf.format(v)}%`);

const df = new Intl.DateTimeFormat(en ? "en-GB" : "vi-VN",
  { dateStyle: "short", timeStyle: "short", timeZone: "Asia/Ho_Chi_Minh" });
export const when = (iso) => (iso ? df.format(new Date(iso)) : "—");

/** A polite live region for "saving…", "saved" messages. */
export function status(el, text, kind = "") {
  el.textContent = text;
  el.className = `qs-status-msg ${kind}`;
}

/** The category tree (flat, in display order) as <option>s, indented by depth. */
export function categoryOptions(select, categories, selected, { blank } = {}) {
  select.replaceChildren();
  if (blank) select.append(h("option", { value: "", text: blank }));
  for (const c of categories) {
    select.append(h("option", {
      value: String(c.id), selected: String(c.id) === String(selected),
      text: `${"\u00a0\u00a0\u00a0".repeat(c.depth)}${c.depth ? "└ " : ""}${c.name} (${c.total_count ?? c.question_count ?? 0})`,
    }));
  }
}

export async function loadCategories() {
  return (await api("GET", "/api/v1/quizzes/categories")).items;
}
