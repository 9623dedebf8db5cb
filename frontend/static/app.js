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

const english = () => document.documentElement.lang === "en";
const say = (vi, en) => (english() ? en : vi);

// A status line next to what started a long operation, read out by screen readers.
function statusAfter(element, text, kind = "busy") {
  let status = element.nextElementSibling?.classList?.contains("op-status")
    ? element.nextElementSibling : null;
  if (!status) {
    status = document.createElement("span");
    status.className = "op-status";
    status.setAttribute("role", kind === "error" ? "alert" : "status");
    element.after(status);
  }
  status.dataset.kind = kind;
  status.textContent = text;
  return status;
}

// Confirm destructive buttons declared with data-confirm="message"; then, for uploads (and
// forms marked data-busy="message"), show that the server is working and keep the button
// from being pressed twice while the file is sent and checked.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = event.submitter?.dataset.confirm ?? form.dataset.confirm;
  if (message && !window.confirm(message)) { event.preventDefault(); return; }
  if (event.defaultPrevented) return;
  const busy = form.dataset.busy ?? (form.enctype === "multipart/form-data"
    ? say("Đang gửi tệp và kiểm tra, xin chờ…", "Sending and checking the file, please wait…")
    : null);
  if (!busy) return;
  form.setAttribute("aria-busy", "true");
  const button = event.submitter ?? form.querySelector("button[type=submit], button:not([type])");
  if (button) {
    statusAfter(button, busy);
    // after this tick, so that the pressed button's name and value are still sent
    setTimeout(() => { button.disabled = true; }, 0);
  }
});

// Exports (links with a download attribute on this site): fetched here so the page can say
// the file is being made, count what has arrived, and show the server's message if it fails,
// instead of a silent wait and a broken file.
function filenameOf(response, fallback) {
  const header = response.headers.get("content-disposition") ?? "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) { try { return decodeURIComponent(star[1]); } catch { /* plain name below */ } }
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : fallback;
}

const kib = (bytes) => `${Math.max(1, Math.round(bytes / 1024)).toLocaleString(english() ? "en" : "vi")} KB`;

async function download(link) {
  const status = statusAfter(link, say("Đang tạo tệp…", "Making the file…"));
  link.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(link.href, { credentials: "same-origin" });
    if (!response.ok) {
      const problem = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
      throw new Error(problem?.detail ?? `${response.status} ${response.statusText}`);
    }
    const total = Number(response.headers.get("content-length")) || 0;
    const chunks = [];
    let received = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      status.textContent = total
        ? say(`Đang tải tệp… ${Math.round((received / total) * 100)}%`, `Downloading… ${Math.round((received / total) * 100)}%`)
        : say(`Đang tải tệp… ${kib(received)}`, `Downloading… ${kib(received)}`);
    }
    const blob = new Blob(chunks, { type: response.headers.get("content-type") ?? "application/octet-stream" });
    const url = URL.createObjectURL(blob);
    const save = document.createElement("a");
    save.dataset.native = "";  // the browser saves this one: not ours to intercept again
    save.href = url;
    save.download = filenameOf(response, link.getAttribute("download") || "download");
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    statusAfter(link, say(`Đã tải xong (${kib(received)}).`, `Downloaded (${kib(received)}).`), "done");
  } catch (error) {
    statusAfter(link, say(`Không tải được tệp: ${error.message}`, `The file could not be downloaded: ${error.message}`), "error");
  } finally {
    link.removeAttribute("aria-busy");
  }
}

document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[download]");
  if (!link || "native" in link.dataset || link.protocol === "blob:" || link.origin !== location.origin
      || event.defaultPrevented || event.button !== 0
      || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (link.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
  if (!window.ReadableStream || !window.fetch) return;  // the browser's own download then
  event.preventDefault();
  download(link);
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
