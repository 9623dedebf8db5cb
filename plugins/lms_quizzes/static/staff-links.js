// On a quiz's module page, for staff only: links to the quiz editor, its results and
// statistics, and its grading queue, under the quiz (where a Moodle user looks for them).
// The module page is the trainee's; this script only appends a <nav> after #quiz-app, and only
// when /api/v1/me says the user holds the permission each page requires.
const app = document.getElementById("quiz-app");
const moduleId = app?.dataset.moduleId;
if (app && moduleId && /^\d+$/.test(moduleId)) {
  const en = document.documentElement.lang === "en";
  fetch("/api/v1/me", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : null))
    .then((me) => {
      const can = new Set(me?.permissions ?? []);
      const links = [];
      if (can.has("quiz.manage")) {
        links.push([en ? "Edit quiz" : "Soạn bài kiểm tra", `/quizzes/modules/${moduleId}/edit`]);
        links.push([en ? "Results and statistics" : "Kết quả và thống kê", `/quizzes/modules/${moduleId}/results`]);
      }
      if (can.has("quiz.grade")) links.push([en ? "Grade essays" : "Chấm bài tự luận", `/quizzes/grading?module_id=${moduleId}`]);
      if (!links.length) return;
      const title = en ? "Lecturer tools" : "Dành cho giảng viên";
      const nav = document.createElement("nav");
      nav.className = "qs-staff-links";
      nav.setAttribute("aria-label", title);
      nav.style.cssText = "display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:1rem 0;padding:.6rem .8rem;border:1px dashed #dde3ea;border-radius:8px";
      const strong = document.createElement("strong");
      strong.textContent = `${title}:`;
      nav.append(strong);
      for (const [text, href] of links) {
        const a = document.createElement("a");
        a.className = "button";
        a.href = href;
        a.textContent = text;
        nav.append(a);
      }
      app.after(nav);
    })
    .catch(() => {});
}
