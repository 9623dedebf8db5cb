// The join page (templates/live_sessions/join.html): the code typed, or brought by the QR code's
// ?code=, goes to the REST join endpoint (api.py `join`), which checks who may come in; then the
// trainee's live page. Codes are forgiven lower case, spaces and dashes, as the server does.
import { api, messageOf, t } from "./live-common.js";

const form = document.getElementById("lv-join");
const input = document.getElementById("lv-code");
const msg = document.getElementById("lv-join-msg");
const ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789";

function clean(raw) {
  return raw.toUpperCase().replace(/[\s-]/g, "");
}

async function join(code) {
  msg.textContent = "";
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const data = await api("POST", "/api/v1/live/join", { code });
    msg.className = "lv-msg ok";
    msg.textContent = t("Đang vào lớp…", "Joining…");
    location.assign(`/live/sessions/${data.session.id}`);
  } catch (error) {
    msg.className = "lv-msg error";
    msg.textContent = messageOf(error);
    button.disabled = false;
    input.focus();
    input.select();
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const code = clean(input.value);
  if (code.length !== 6 || [...code].some((ch) => !ALPHABET.includes(ch))) {
    msg.className = "lv-msg error";
    msg.textContent = t("Mã tham gia gồm 6 ký tự in trên màn hình, ví dụ KX4M7Q.",
                        "The join code is the 6 characters on the screen, for example KX4M7Q.");
    input.focus();
    return;
  }
  input.value = code;
  join(code);
});

if (document.body.dataset.code) join(document.body.dataset.code); // arrived from the QR code
else input.focus();
