// Results and statistics of one quiz: GET .../results (per trainee) and .../statistics (Moodle's
// report). The histogram is an inline SVG bar chart with <title>/<desc>, and the same numbers
// in a table next to it, so nobody depends on the picture.
import { api, h, t, problemText, status, pct, pctUnits, num, when } from "./staff-common.js";

const Q = "/api/v1/quizzes";
const moduleId = document.body.dataset.moduleId;
const SVG = "http://www.w3.org/2000/svg";
const GRADING = { highest: t("điểm lần cao nhất", "highest grade"), average: t("điểm trung bình", "average grade"), first: t("lần đầu", "first attempt"), last: t("lần cuối", "last attempt") };

function table(caption, head, rows, cls = "") {
  return h(`table${cls ? `.${cls}` : ""}`, {}, h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, head.map((x) => h("th", { scope: "col", class: x.num ? "num" : null, text: x.text ?? x })))),
    h("tbody", {}, rows));
}
const n = (text) => ({ text, num: true });
const td = (text, isNum) => h(isNum ? "td.num" : "td", { text: text ?? "—" });

async function loadResults() {
  const el = document.getElementById("res-table");
  const st = document.getElementById("res-status");
  try {
    const data = await api("GET", `${Q}/modules/${moduleId}/results`);
    if (!data.trainees.length) { status(st, t("Chưa có học viên nào làm bài.", "No trainee has attempted the quiz yet.")); return; }
    status(st, t(`${data.trainees.length} học viên · điểm bài = ${GRADING[data.grading_method]} · điểm đạt ${pct(data.pass_fraction)}`,
      `${data.trainees.length} trainee(s) · quiz grade = ${GRADING[data.grading_method]} · pass mark ${pct(data.pass_fraction)}`));
    el.replaceChildren(table(t("Kết quả từng học viên", "Results per trainee"),
      [t("Học viên", "Trainee"), t("Các lượt làm bài", "Attempts"), n(t("Điểm bài", "Quiz grade")), t("Kết quả", "Result")],
      data.trainees.map((tr) => h("tr", {}, td(tr.user.name),
        h("td", {}, h("ul.qs-attempt-list", {}, tr.attempts.map((a) => h("li", { text:
          `${t("Lượt", "Attempt")} ${a.number}: ${a.state === "in_progress" ? t("đang làm", "in progress")
            : a.needs_grading ? t("chờ chấm tự luận", "waiting for essay marks")
              : `${num(a.sum_marks)}/${num(a.max_marks)} (${pct(a.fraction)})`} · ${when(a.finished_at || a.started_at)}` })))),
        td(pct(tr.grade), true),
        h("td", {}, h(`span.tag.${tr.passed ? "status-completed" : tr.passed === false ? "status-withdrawn" : "x"}`, { text: tr.passed === null ? "—" : tr.passed ? t("Đạt", "Passed") : t("Chưa đạt", "Not passed") }))))));
  } catch (err) {
    status(st, problemText(err), "error");
  }
}

function histogramSvg(bins) {
  const W = 640, H = 260, left = 40, bottom = 40, top = 16, right = 8;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const bw = (W - left - right) / bins.length;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("class", "qs-chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-labelledby", "hist-title hist-desc");
  const el = (tag, attrs, text) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  el("title", { id: "hist-title" }, t("Số lượt làm bài theo khoảng điểm", "Attempts per grade band"));
  el("desc", { id: "hist-desc" }, bins.map((b) => `${num(b.low)}–${num(b.high)}%: ${b.count}`).join("; "));
  const plotH = H - top - bottom;
  el("line", { x1: left, y1: top + plotH, x2: W - right, y2: top + plotH, class: "axis" });
  el("line", { x1: left, y1: top, x2: left, y2: top + plotH, class: "axis" });
  for (const tick of [0, Math.ceil(max / 2), max]) {
    const y = top + plotH - (tick / max) * plotH;
    el("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, String(tick));
  }
  bins.forEach((b, i) => {
    const bh = (b.count / max) * plotH;
    const x = left + i * bw + 3;
    el("rect", { x, y: top + plotH - bh, width: Math.max(1, bw - 6), height: bh, class: "bar" });
    if (b.count) el("text", { x: x + (bw - 6) / 2, y: top + plotH - bh - 4, "text-anchor": "middle" }, String(b.count));
    el("text", { x: x + (bw - 6) / 2, y: top + plotH + 16, "text-anchor": "middle" }, `${num(b.low)}`);
  });
  el("text", { x: (W + left) / 2, y: H - 6, "text-anchor": "middle" }, t("Điểm (%)", "Grade (%)"));
  return svg;
}

const FIGURES = [
  ["attempts", t("Số lượt được tính", "Attempts counted"), (v) => String(v)],
  ["mean", t("Điểm trung bình", "Average grade"), pctUnits], ["median", t("Trung vị", "Median grade"), pctUnits],
  ["standard_deviation", t("Độ lệch chuẩn", "Standard deviation"), pctUnits],
  ["minimum", t("Thấp nhất", "Lowest"), pctUnits], ["maximum", t("Cao nhất", "Highest"), pctUnits],
  ["skewness", t("Độ lệch (skewness)", "Skewness"), num], ["kurtosis", t("Độ nhọn (kurtosis)", "Kurtosis"), num],
  ["cic", t("Hệ số nhất quán nội tại (CIC)", "Coefficient of internal consistency"), pctUnits],
  ["error_ratio", t("Tỉ lệ sai số", "Error ratio"), pctUnits], ["standard_error", t("Sai số chuẩn", "Standard error"), pctUnits],
  ["excluded_ungraded", t("Lượt chờ chấm (không tính)", "Waiting for marks (left out)"), (v) => String(v)],
];

async function loadStats() {
  const which = document.querySelector("#st-form [name=which]").value;
  const qs = which ? `?which=${which}` : "";
  document.getElementById("st-csv").href = `${Q}/modules/${moduleId}/statistics.csv${qs}`;
  document.getElementById("st-xlsx").href = `${Q}/modules/${moduleId}/statistics.xlsx${qs}`;
  const st = document.getElementById("st-status");
  status(st, t("Đang tính…", "Computing…"));
  try {
    const s = await api("GET", `${Q}/modules/${moduleId}/statistics${qs}`);
    status(st, s.attempts ? "" : t("Chưa có lượt làm bài nào đã nộp để thống kê.", "No submitted attempt to analyse yet."));
    document.getElementById("st-quiz").replaceChildren(h("dl.qs-figures", {}, FIGURES.map(([key, label, fmt]) => h("div", {}, h("dt", { text: label }), h("dd", { text: fmt(s[key]) })))));
    document.getElementById("st-histogram").replaceChildren(histogramSvg(s.histogram),
      table(t("Số lượt theo khoảng điểm", "Attempts per grade band"), [t("Khoảng điểm", "Grade band"), n(t("Số lượt", "Attempts"))],
        s.histogram.map((b) => h("tr", {}, td(`${num(b.low)}% – ${num(b.high)}%`), td(String(b.count), true))), "qs-hist-table"));
    document.getElementById("st-questions").replaceChildren(table(t("Các câu hỏi", "Questions"),
      ["#", t("Câu hỏi", "Question"), n(t("Số lượt", "Attempts")), n(t("Độ dễ", "Facility")), n(t("Độ lệch chuẩn", "Standard deviation")),
        n(t("Điểm đoán ngẫu nhiên", "Random guess score")), n(t("Chỉ số phân biệt", "Discrimination index")), n(t("Hiệu quả phân biệt", "Discriminative efficiency"))],
      s.questions.map((q) => h("tr", {}, td(String(q.slot), true), td(q.question_name), td(String(q.attempts), true), td(pctUnits(q.facility), true),
        td(pctUnits(q.standard_deviation), true), td(pctUnits(q.random_guess_score), true),
        h(`td.num${q.discrimination_index !== null && q.discrimination_index < 20 ? ".qs-warn-cell" : ""}`, { text: pctUnits(q.discrimination_index) }),
        td(pctUnits(q.discriminative_efficiency), true))), "qs-question-stats"));
    document.getElementById("st-answers").replaceChildren(...s.questions.map((q) => h("details.qs-answers", {},
      h("summary", { text: `${q.slot}. ${q.question_name}` }),
      table(t("Tần suất câu trả lời", "Answer frequencies"), [t("Câu trả lời", "Response"), n(t("Điểm", "Credit")), n(t("Số lượt", "Count")), n(t("Tỉ lệ", "Share"))],
        q.answers.map((a) => h("tr", {}, td(a.label), td(a.fraction === null || a.fraction === undefined ? "—" : pct(a.fraction), true), td(String(a.count), true), td(pctUnits(a.percent), true)))))));
  } catch (err) {
    status(st, problemText(err), "error");
  }
}

document.querySelector("#st-form [name=which]").addEventListener("change", loadStats);
document.getElementById("st-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadStats(); });
loadResults();
loadStats();
