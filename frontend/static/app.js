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
