// Loaded on every module page through lms_register_page_scripts; the quiz code itself is
// fetched only where a quiz's front page (#quiz-app, rendered by module_type.py) is.
const root = document.getElementById("quiz-app");
if (root) {
  import("./quiz.js").then((quiz) => quiz.mount(root));
}
