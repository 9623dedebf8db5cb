// A class's live sessions for its lecturers and administrators (templates/live_sessions/
// schedule.html): the list, a form to schedule one or edit one that has not started, and
// cancelling it (GET/POST /classes/{id}/sessions, PATCH/DELETE /sessions/{id}). Times are typed
// and shown in Vietnam time whatever the device's time zone: a datetime-local value goes to the
// server without an offset, which the API reads as Vietnamese wall-clock time.
import { api, attempt, h, problemText, say, setStatus, t } from "./live-common.js";

const classId = Number(document.body.dataset.classId);
const $ = (id) => document.getElementById(id);
const form = $("lv-sched-form");
const f = form.elements;
const msg = $("lv-sched-msg");
const listMsg = $("lv-sched-list-msg");
const list = $("lv-sessions");
const heading = $("sched-form-h");
const submit = $("lv-sched-submit");
const texts = { heading: heading.textContent, submit: submit.textContent };
const VN_MS = 7 * 3600 * 1000;
const MODES = { in_room: t("Tại phòng học", "In the room"), online: t("Trực tuyến", "Online"),
                both: t("Kết hợp", "Both") };
const dateFmt = new Intl.DateTimeFormat(t("vi-VN", "en-GB"), {
  weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", timeZone: "Asia/Ho_Chi_Minh" });
const hourFmt = new Intl.DateTimeFormat(t("vi-VN", "en-GB"), {
  hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" });
let editing = null;
let sessions = [];

/** "2026-11-20T08:00" in Vietnam, for a datetime-local field. */
const toField = (iso) => new Date(Date.parse(iso) + VN_MS).toISOString().slice(0, 16);

function when(s) {
  const start = new Date(s.starts_at);
  const end = new Date(s.ends_at);
  const sameDay = dateFmt.format(start) === dateFmt.format(end);
  return sameDay ? `${hourFmt.format(start)}–${hourFmt.format(end)}, ${dateFmt.format(start)}`
    : `${hourFmt.format(start)} ${dateFmt.format(start)} – ${hourFmt.format(end)} ${dateFmt.format(end)}`;
}

function showMode() {
  const mode = f.mode.value;
  form.querySelector('[data-mode="room"]').hidden = mode === "online";
  form.querySelector('[data-mode="online"]').hidden = mode === "in_room";
}
f.mode.addEventListener("change", showMode);

function defaults() {
  const next = new Date(Math.ceil((Date.now() + VN_MS) / 3600000) * 3600000 - VN_MS); // the next full hour
  f.starts_at.value = toField(next.toISOString());
  f.ends_at.value = toField(new Date(next.getTime() + 90 * 60000).toISOString());
}

function setEditing(session) {
  editing = session;
  heading.textContent = session ? heading.dataset.editText : texts.heading;
  submit.textContent = session ? submit.dataset.editText : texts.submit;
  $("lv-sched-cancel-edit").hidden = !session;
  form.dataset.editing = session ? String(session.id) : "";
  if (session) {
    f.title.value = session.title;
    f.starts_at.value = toField(session.starts_at);
    f.ends_at.value = toField(session.ends_at);
    f.mode.value = session.mode;
    f.room.value = session.room || "";
    f.meeting_url.value = session.meeting_url || "";
    f.allow_guests.checked = !!session.allow_guests;
  } else {
    form.reset();
    defaults();
  }
  showMode();
}

function item(s) {
  const scheduled = s.status === "scheduled";
  const badge = h("span.lv-badge");
  setStatus(badge, s.status);
  const where = [];
  if (s.mode !== "online" && s.room) where.push(h("span", {}, t("Phòng: ", "Room: "), s.room));
  if (s.mode !== "in_room" && s.meeting_url) {
    where.push(h("a", { href: s.meeting_url, target: "_blank", rel: "noopener noreferrer" }, t("Liên kết trực tuyến", "Meeting link")));
  }
  const actions = h("div.lv-toolbar", {},
    h("a.button.primary", { href: `/live/sessions/${s.id}/console` }, t("Điều khiển", "Console")));
  if (scheduled) {
    actions.append(
      h("button", { type: "button", dataset: { act: "edit" }, "aria-label": `${t("Sửa", "Edit")}: ${s.title}`,
        on: { click: () => { setEditing(s); say(msg, ""); $("lv-sched-form-section").scrollIntoView({ block: "start" }); f.title.focus(); } } },
      t("Sửa", "Edit")),
      h("button.danger", { type: "button", dataset: { act: "cancel" }, "aria-label": `${t("Huỷ phiên học", "Cancel the session")}: ${s.title}`,
        on: { click: () => cancel(s) } }, t("Huỷ phiên học", "Cancel the session")));
  }
  return h("li.lv-item.lv-session", { dataset: { sessionId: String(s.id), status: s.status } },
    h("p.lv-kind", {}, badge, " ", MODES[s.mode] || s.mode, s.allow_guests ? ` · ${t("cho khách tham gia", "guests allowed")}` : ""),
    h("p.lv-item-prompt", {}, s.title),
    h("p.lv-session-when", {}, h("time", { datetime: s.starts_at }, when(s))),
    where.length ? h("p.lv-session-where", {}, ...where.flatMap((w, i) => (i ? [" · ", w] : [w]))) : null,
    s.join_code && s.status !== "ended" ? h("p.muted", {}, t("Mã tham gia: ", "Join code: "), h("strong.lv-session-code", {}, s.join_code)) : null,
    actions);
}

function draw() {
  list.replaceChildren(...sessions.map(item));
  say(listMsg, sessions.length ? "" : t("Lớp chưa có phiên học trực tiếp nào.", "The class has no live session yet."), true);
  listMsg.classList.remove("ok");
}

async function load() {
  list.setAttribute("aria-busy", "true");
  try {
    sessions = (await api("GET", `/api/v1/live/classes/${classId}/sessions?limit=500`)).items;
    draw();
  } catch (error) {
    say(listMsg, problemText(error));
  } finally {
    list.removeAttribute("aria-busy");
  }
}

async function cancel(s) {
  if (!window.confirm(t(`Huỷ phiên học “${s.title}”? Các hoạt động đã chuẩn bị cho phiên này cũng bị xoá.`,
                        `Cancel “${s.title}”? The activities prepared for it are deleted too.`))) return;
  const done = await attempt(msg, () => api("DELETE", `/api/v1/live/sessions/${s.id}`));
  if (done) {
    if (editing?.id === s.id) setEditing(null);
    say(msg, t(`Đã huỷ phiên học “${s.title}”.`, `“${s.title}” was cancelled.`), true);
    await load();
  }
}

$("lv-sched-cancel-edit").addEventListener("click", () => { setEditing(null); say(msg, ""); });

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const title = f.title.value.trim();
  if (!title) {
    say(msg, t("Hãy nhập tên phiên học.", "Type the session's title."));
    f.title.focus();
    return;
  }
  if (!f.starts_at.value || !f.ends_at.value) {
    say(msg, t("Hãy chọn giờ bắt đầu và giờ kết thúc.", "Choose when it starts and ends."));
    (f.starts_at.value ? f.ends_at : f.starts_at).focus();
    return;
  }
  if (f.ends_at.value <= f.starts_at.value) {
    say(msg, t("Giờ kết thúc phải sau giờ bắt đầu.", "The end must be after the start."));
    f.ends_at.focus();
    return;
  }
  const mode = f.mode.value;
  const payload = { title, starts_at: f.starts_at.value, ends_at: f.ends_at.value, mode,
                    room: mode === "online" ? "" : f.room.value.trim(),
                    meeting_url: mode === "in_room" ? "" : f.meeting_url.value.trim(),
                    allow_guests: f.allow_guests.checked };
  submit.disabled = true;
  const saved = await attempt(msg, () => (editing
    ? api("PATCH", `/api/v1/live/sessions/${editing.id}`, payload)
    : api("POST", `/api/v1/live/classes/${classId}/sessions`, payload)));
  submit.disabled = false;
  if (!saved) return;
  say(msg, editing ? t("Đã lưu thay đổi.", "Changes saved.")
    : t(`Đã lên lịch “${saved.title}”. Mã tham gia: ${saved.join_code}.`, `“${saved.title}” is scheduled. Join code: ${saved.join_code}.`), true);
  setEditing(null);
  await load();
});

setEditing(null);
load();
