// The question bank page: category tree with counts (and a form to add one), a search with
// filters over GET /api/v1/quizzes/questions, pagination. Everything from data is set with
// textContent (h() never parses HTML).
import { api, h, t, TYPE_LABELS, categoryOptions, loadCategories, problemText, status, when, showErrors } from "./staff-common.js";

const PAGE = 20;
const canManage = document.body.dataset.canManage === "1";
const tree = document.getElementById("cat-tree");
const list = document.getElementById("qlist");
const pager = document.getElementById("pager");
const listStatus = document.getElementById("list-status");
const filters = document.getElementById("filters");
const params = new URLSearchParams(location.search);
const state = {
  category: params.get("category_id") || "", q: params.get("q") || "",
  type: params.get("type") || "", competency: params.get("competency") || "",
  offset: Number(params.get("offset") || 0) || 0,
};
let categories = [];

filters.q.value = state.q;
filters.type.value = state.type;
filters.competency.value = state.competency;

function renderTree() {
  const total = categories.filter((c) => c.depth === 0).reduce((n, c) => n + c.total_count, 0);
  const item = (id, name, count, depth) => h("li", {},
    h("button.cat", {
      type: "button", "aria-current": String(String(id) === String(state.category)),
      style: `padding-left:${0.4 + depth * 1.1}rem`,
      on: { click: () => { state.category = String(id); state.offset = 0; renderTree(); search(); } },
    }, h("span", { text: name }), h("span.count", { text: String(count), "aria-label": t(`${count} câu hỏi`, `${count} questions`) })));
  tree.replaceChildren(item("", t("Tất cả câu hỏi", "All questions"), total, 0),
    ...categories.map((c) => item(c.id, c.name, c.total_count, c.depth)));
  const current = categories.find((c) => String(c.id) === String(state.category));
  document.getElementById("list-title").textContent = current ? current.name : t("Tất cả câu hỏi", "All questions");
  const add = document.getElementById("new-question");
  if (add) add.href = `/quizzes/bank/new${current ? `?category_id=${current.id}` : ""}`;
  const parent = document.getElementById("cat-parent");
  if (parent) categoryOptions(parent, categories, state.category, { blank: t("(Nhóm gốc)", "(Top level)") });
}

function syncUrl() {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ category_id: state.category, q: state.q, type: state.type, competency: state.competency })) if (v) p.set(k, v);
  if (state.offset) p.set("offset", state.offset);
  history.replaceState(null, "", `${location.pathname}${p.size ? `?${p}` : ""}`);
}

async function search() {
  syncUrl();
  const p = new URLSearchParams({ limit: PAGE, offset: state.offset });
  if (state.q) p.set("q", state.q);
  if (state.category) p.set("category_id", state.category);
  if (state.type) p.set("type", state.type);
  if (state.competency) p.set("competency", state.competency);
  status(listStatus, t("Đang tải…", "Loading…"));
  list.setAttribute("aria-busy", "true");
  try {
    const data = await api("GET", `/api/v1/quizzes/questions?${p}`);
    const catName = Object.fromEntries(categories.map((c) => [c.id, c.name]));
    list.replaceChildren(...data.items.map((q) => h("li", {},
      h("a.qname", { href: `/quizzes/bank/questions/${q.id}`, text: q.name || t("(Không tên)", "(No name)") }),
      h("div.meta", {},
        h("span.tag", { text: TYPE_LABELS[q.type] || q.type }),
        h("span", { text: catName[q.category_id] || "" }),
        (q.competencies || []).length ? h("span", { text: `${t("Năng lực", "Competencies")}: ${q.competencies.join(", ")}` }) : null,
        h("span", { text: `${t("Phiên bản", "Version")} ${q.version} · ${when(q.updated_at)}` })))));
    const from = data.total ? state.offset + 1 : 0;
    const to = Math.min(state.offset + PAGE, data.total);
    status(listStatus, data.total
      ? t(`${from}–${to} trên ${data.total} câu hỏi`, `${from}–${to} of ${data.total} questions`)
      : t("Không có câu hỏi nào khớp.", "No question matches."));
    pager.replaceChildren(
      state.offset > 0 ? h("button", { type: "button", text: `← ${t("Trang trước", "Previous")}`, on: { click: () => { state.offset = Math.max(0, state.offset - PAGE); search(); } } }) : "",
      to < data.total ? h("button", { type: "button", text: `${t("Trang sau", "Next")} →`, on: { click: () => { state.offset += PAGE; search(); } } }) : "");
  } catch (err) {
    status(listStatus, problemText(err), "error");
    list.replaceChildren();
  } finally {
    list.removeAttribute("aria-busy");
  }
}

filters.addEventListener("submit", (ev) => {
  ev.preventDefault();
  if (!filters.competency.checkValidity()) { filters.competency.reportValidity(); return; }
  state.q = filters.q.value.trim();
  state.type = filters.type.value;
  state.competency = filters.competency.value.trim();
  state.offset = 0;
  search();
});
filters.type.addEventListener("change", () => filters.requestSubmit());

const catForm = document.getElementById("cat-form");
if (canManage && catForm) {
  catForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const msg = document.getElementById("cat-status");
    const name = catForm.name.value.trim();
    if (!name) { catForm.name.focus(); status(msg, t("Hãy nhập tên nhóm.", "Enter a name."), "error"); return; }
    const body = { name };
    if (catForm.parent_id.value) body.parent_id = Number(catForm.parent_id.value);
    try {
      const made = await api("POST", "/api/v1/quizzes/categories", body);
      catForm.name.value = "";
      categories = await loadCategories();
      state.category = String(made.id);
      state.offset = 0;
      renderTree();
      search();
      status(msg, t(`Đã thêm nhóm «${made.name}».`, `Category “${made.name}” added.`), "ok");
    } catch (err) {
      showErrors(catForm, err, h("div"));
      status(msg, problemText(err), "error");
    }
  });
}

(async () => {
  try {
    categories = await loadCategories();
  } catch (err) {
    status(listStatus, problemText(err), "error");
    return;
  }
  renderTree();
  search();
})();
