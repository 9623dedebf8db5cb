// Loaded on lesson pages through the lms_register_page_scripts hook: tracks attention while an
// enrolled trainee reads (the page's context is on <body data-*>, set by the core).
import { startEngagement } from "./engagement.js";

const data = document.body.dataset;
if (data.enrolled === "1" && data.moduleId) {
  startEngagement({ moduleId: Number(data.moduleId) });
}
