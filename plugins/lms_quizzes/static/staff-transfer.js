// Import / export page: a GIFT or Aiken file (read in the browser with FileReader as UTF-8, or
// pasted) is previewed with POST /import/{format} {preview: true}; "Nhập" is enabled only for a
// preview without errors of the very text shown. Export asks for JSON first (what was skipped,
// and why), then offers the file through ?download=true.
import { api, h, t, TYPE_LABELS, categoryOptions, loadCategories, problemText, status, safeHtml, errorMessage } from "./staff-common.js";

const Q = "/api/v1/quizzes";
const form = document.getElementById("imp-form");
const runButton = document.getElementById("imp-run");
const previewButton = document.getElementById("imp-preview");
const result = document.getElementById("imp-result");
const impStatus = document.getElementById("imp-status");
const progress = document.getElementById("imp-progress");
let previewed = null; // {text, format, category} of the last clean preview

function invalidate() {
  previewed = null;
  runButton.disabled = true;
}
form.text.addEventListener("input", invalidate);
form.format.addEventListener("change", invalidate);
form.category_id.addEventListener("change", invalidate);

form.file.addEventListener("change", () => {
  const file = form.file.files[0];
  if (!file) return;
  if (/\.aiken/i.test(file.name)) form.format.value = "aiken";
  const reader = new FileReader();
  reader.onload = () => { form.text.value = String(reader.result).replace(/^\uFEFF/, ""); invalidate(); status(impStatus, t(`Đã đọc tệp «${file.name}». Bấm «Xem trước».`, `Read “${file.name}”. Press “Preview”.`)); };
  reader.onerror = () => status(impStatus, t("Không đọc được tệp.", "Could not read the file."), "error");
  reader.readAsText(file, "utf-8");
});

function busy(on, text) {
  progress.hidden = !on;
  document.getElementById("imp-progress-text").textContent = on ? text : "";
  previewButton.disabled = on;
  if (on) runButton.disabled = true;
  form.setAttribute("aria-busy", String(on));
}

function table(caption, head, rows, cls) {
  return h(`table.${cls}`, {}, h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, head.map((x) => h("th", { scope: "col", text: x })))),
    h("tbody", {}, rows));
}

function errorsTable(errors) {
  return table(t(`${errors.length} lỗi — chưa câu hỏi nào được nhập`, `${errors.length} error(s) — nothing imported`),
    [t("Dòng", "Line"), t("Mã lỗi", "Code"), t("Lỗi", "Error")],
    errors.map((e) => h("tr", {}, h("td.num", { text: String(e.line ?? "") }), h("td", { text: e.code || "" }), h("td", { text: (document.documentElement.lang === "en" ? e.message_en : e.message) || errorMessage(e) }))), "qs-import-errors");
}

function previewTables(data, format) {
  const parts = [];
  if (data.errors.length) parts.push(errorsTable(data.errors));
  if (data.new_categories?.length) {
    parts.push(h("p", { text: t("Nhóm câu hỏi sẽ được tạo mới:", "Categories that will be created:") }),
      h("ul", {}, data.new_categories.map((p) => h("li", { text: p.join(" / ") }))));
  }
  const rows = data.questions.map((q, i) => {
    const question = q.question || q;
    const type = question.type || "single_choice";
    const text = q.text_html ? safeHtml("td.qs-qtext", q.text_html) : h("td.qs-qtext", { text: question.text || q.text || "" });
    return h("tr", {}, h("td.num", { text: String(i + 1) }), h("td.num", { text: String(q.line ?? "") }),
      h("td", { text: TYPE_LABELS[type] || type }), h("td", { text: (q.category || []).join?.(" / ") || "" }),
      h("td", { text: question.name || q.name || "" }), text);
  });
  parts.push(table(t(`${data.count} câu hỏi hợp lệ (${format.toUpperCase()})`, `${data.count} valid question(s) (${format.toUpperCase()})`),
    ["#", t("Dòng", "Line"), t("Loại", "Type"), t("Nhóm con", "Subcategory"), t("Tên", "Name"), t("Nội dung", "Text")], rows, "qs-import-preview"));
  return parts;
}

async function send(preview) {
  const format = form.format.value;
  const category = Number(form.category_id.value);
  const text = form.text.value;
  if (!category) { status(impStatus, t("Hãy chọn nhóm câu hỏi.", "Choose a category."), "error"); form.category_id.focus(); return; }
  if (!text.trim()) { status(impStatus, t("Hãy chọn tệp hoặc dán nội dung.", "Choose a file or paste its text."), "error"); form.text.focus(); return; }
  busy(true, preview ? t("Đang đọc tệp…", "Reading the file…") : t("Đang nhập câu hỏi…", "Importing…"));
  status(impStatus, "");
  try {
    const data = await api("POST", `${Q}/import/${format}`, { category_id: category, text, preview });
    if (preview) {
      result.replaceChildren(...previewTables(data, format));
      if (data.errors.length) {
        status(impStatus, t(`Tệp có ${data.errors.length} lỗi; hãy sửa rồi xem trước lại.`, `The file has ${data.errors.length} error(s); fix them and preview again.`), "error");
      } else if (!data.count) {
        status(impStatus, t("Tệp không có câu hỏi nào.", "The file has no question."), "error");
      } else {
        previewed = { text, format, category };
        status(impStatus, t(`${data.count} câu hỏi sẵn sàng để nhập vào «${data.category.name}».`, `${data.count} question(s) ready to import into “${data.category.name}”.`), "ok");
      }
    } else {
      invalidate();
      result.replaceChildren(h("p.notice", { role: "status" }, t(`Đã nhập ${data.count} câu hỏi vào «${data.category.name}». `, `${data.count} question(s) imported into “${data.category.name}”. `),
        h("a", { href: `/quizzes/bank?category_id=${data.category.id}`, text: t("Xem trong ngân hàng câu hỏi", "See them in the bank") })));
      status(impStatus, t("Nhập xong.", "Import done."), "ok");
      await refreshCategories();
    }
  } catch (err) {
    invalidate();
    const errors = err?.problem?.errors;
    result.replaceChildren(...(errors?.length && errors[0].line !== undefined ? [errorsTable(errors)] : []));
    status(impStatus, problemText(err), "error");
  } finally {
    busy(false);
    runButton.disabled = !(previewed && previewed.text === form.text.value && previewed.format === form.format.value && previewed.category === Number(form.category_id.value));
  }
}
previewButton.addEventListener("click", () => send(true));
runButton.addEventListener("click", () => send(false));

// --- export -------------------------------------------------------------------------------------
const exp = document.getElementById("exp-form");
const download = document.getElementById("exp-download");
const expStatus = document.getElementById("exp-status");
const expResult = document.getElementById("exp-result");
exp.addEventListener("change", () => { download.hidden = true; });
exp.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const category = exp.category_id.value;
  const format = exp.format.value;
  if (!category) { status(expStatus, t("Hãy chọn nhóm câu hỏi.", "Choose a category."), "error"); return; }
  status(expStatus, t("Đang chuẩn bị…", "Preparing…"));
  try {
    const data = await api("GET", `${Q}/export/${format}?category_id=${category}`);
    download.href = `${Q}/export/${format}?category_id=${category}&download=true`;
    download.setAttribute("download", data.filename);
    download.textContent = t(`Tải «${data.filename}» (${data.count} câu hỏi)`, `Download “${data.filename}” (${data.count} questions)`);
    download.hidden = false;
    status(expStatus, t(`${data.count} câu hỏi được xuất; ${data.skipped.length} câu bị bỏ qua.`, `${data.count} question(s) exported; ${data.skipped.length} skipped.`), "ok");
    expResult.replaceChildren(data.skipped.length ? table(t("Câu hỏi không xuất được", "Questions left out"), [t("Câu hỏi", "Question"), t("Lý do", "Reason")],
      data.skipped.map((s) => h("tr", {}, h("td", { text: s.name || `#${s.id ?? ""}` }), h("td", { text: (document.documentElement.lang === "en" ? s.message_en : s.message) || s.reason || s.code || "" }))), "qs-skipped") : "");
    download.focus();
  } catch (err) {
    status(expStatus, problemText(err), "error");
  }
});

async function refreshCategories() {
  const cats = await loadCategories();
  const keep = [form.category_id.value, exp.category_id.value];
  categoryOptions(form.category_id, cats, keep[0], { blank: t("Chọn nhóm câu hỏi", "Choose a category") });
  categoryOptions(exp.category_id, cats, keep[1], { blank: t("Chọn nhóm câu hỏi", "Choose a category") });
}
refreshCategories().catch((err) => status(impStatus, problemText(err), "error"));
