// Shared helpers for the pages' ES modules: JSON calls that carry the CSRF token.
const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const error = new Error(data?.detail ?? response.statusText);
    error.problem = data;
    throw error;
  }
  return data;
}

// Confirm destructive buttons declared with data-confirm="message".
document.addEventListener("submit", (event) => {
  const message = event.submitter?.dataset.confirm ?? event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// A table wider than the screen scrolls sideways in its box; keyboard users must be able to
// scroll it too (WCAG 2.1.1), so such a box joins the tab order while it overflows. A box that
// is not itself a table becomes a named region (its table's caption, else the heading above).
const SCROLLERS = "table, .as-table, [data-scroll-x]";

function regionName(box) {
  const caption = box.querySelector("caption")?.textContent;
  let heading = null;
  for (let el = box; el && !heading; el = el.parentElement) {
    for (let prev = el.previousElementSibling; prev && !heading; prev = prev.previousElementSibling) {
      if (/^H[1-6]$/.test(prev.tagName)) heading = prev;
    }
  }
  return (caption || heading?.textContent || document.title).trim();
}

function markScrollers() {
  for (const box of document.querySelectorAll(SCROLLERS)) {
    const style = getComputedStyle(box);
    const overflows = /auto|scroll/.test(style.overflowX) && box.scrollWidth > box.clientWidth + 1;
    if (overflows && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      box.dataset.scrollFocus = "1";
      if (box.tagName !== "TABLE" && !box.hasAttribute("role")) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", regionName(box));
      }
    } else if (!overflows && box.dataset.scrollFocus) {
      box.removeAttribute("tabindex");
      delete box.dataset.scrollFocus;
    }
  }
}

let scrollersQueued = false;
const queueScrollers = () => {
  if (scrollersQueued) return;
  scrollersQueued = true;
  requestAnimationFrame(() => { scrollersQueued = false; markScrollers(); });
};
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", markScrollers);
else markScrollers();
window.addEventListener("resize", queueScrollers);
export { markScrollers };
