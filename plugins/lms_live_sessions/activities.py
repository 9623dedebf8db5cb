"""The rules of activities: what each kind's settings and answers may be, normalised once here
for the REST API and the socket alike, and how an activity is shown.

Kinds: ``poll`` (single or multiple choice over 2-20 options), ``rating`` (a scale such as
1-5 with optional labels), ``word_cloud`` (a few short words or phrases per trainee) and
``open_question`` (free text). Nothing here touches the database.
"""

from __future__ import annotations

import re
from typing import Any

from lms_core.http.problems import Problem

from lms_live_sessions.models import ActivityKind
from lms_live_sessions.results import clean_text, word_key

KINDS = tuple(k.value for k in ActivityKind)
MAX_OPTIONS = 20
MAX_OPTION_CHARS = 200
MAX_LABEL_CHARS = 60
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

ACTIVITY_FIELDS = ("id", "session_id", "kind", "state", "visibility", "prompt", "config",
                   "allow_change", "position", "opened_at", "closed_at", "created_at")


class LiveError(Problem):
    """A refusal with a machine-readable ``code``: an HTTP problem (the code goes in the body)
    for the REST API, an error frame with the same code on the socket."""

    def __init__(self, status: int, code: str, vi: str, en: str) -> None:
        super().__init__(status, vi, en, code=code)
        self.code = code


def invalid(vi: str, en: str) -> LiveError:
    return LiveError(422, "invalid", vi, en)


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def _int(value: Any, lo: int, hi: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise invalid(f"“{name}” phải là số nguyên từ {lo} đến {hi}.",
                      f"“{name}” must be a whole number from {lo} to {hi}.")
    return value


def check_config(kind: str, config: dict[str, Any] | None) -> dict[str, Any]:
    """The settings of a kind, with defaults filled in; unknown keys are refused so a typo
    ("multi" for "multiple") does not silently give a single-choice poll."""
    config = dict(config or {})
    if kind == "quick_quiz":
        from lms_live_sessions.quick_quiz import check_config as quiz_config

        return quiz_config(config)
    allowed = {"poll": {"options", "multiple", "max_choices"},
               "rating": {"min", "max", "labels"},
               "word_cloud": {"max_words", "max_length"},
               "open_question": {"max_length"}}.get(kind)
    if allowed is None:
        raise invalid("Loại hoạt động không hợp lệ.", "Unknown kind of activity.")
    unknown = sorted(set(config) - allowed)
    if unknown:
        raise invalid(f"Thiết lập không được hỗ trợ: {', '.join(unknown)[:100]}.",
                      f"Unsupported settings: {', '.join(unknown)[:100]}.")
    if kind == "poll":
        options = config.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
            raise invalid(f"Bình chọn cần từ 2 đến {MAX_OPTIONS} phương án.",
                          f"A poll needs 2 to {MAX_OPTIONS} options.")
        cleaned = []
        for option in options:
            text = clean_text(option) if isinstance(option, str) else ""
            if not text or len(text) > MAX_OPTION_CHARS:
                raise invalid(f"Mỗi phương án là một đoạn chữ từ 1 đến {MAX_OPTION_CHARS} "
                              "ký tự.", f"Each option is text of 1 to {MAX_OPTION_CHARS} "
                                         "characters.")
            cleaned.append(text)
        if len({word_key(t) for t in cleaned}) != len(cleaned):
            raise invalid("Các phương án không được trùng nhau.", "Options must differ.")
        multiple = config.get("multiple", False)
        if not isinstance(multiple, bool):
            raise invalid("“multiple” phải là true hoặc false.", "“multiple” must be a boolean.")
        out: dict[str, Any] = {"options": cleaned, "multiple": multiple}
        if multiple:
            out["max_choices"] = _int(config.get("max_choices", len(cleaned)), 1, len(cleaned),
                                      "max_choices")
        return out
    if kind == "rating":
        lo = _int(config.get("min", 1), 0, 1, "min")
        hi = _int(config.get("max", 5), 2, 10, "max")
        labels = config.get("labels", {})
        if not isinstance(labels, dict):
            raise invalid("“labels” phải là một bảng giá trị → nhãn.",
                          "“labels” must map values to labels.")
        out_labels = {}
        for key, label in labels.items():
            if not (str(key).isdigit() and lo <= int(key) <= hi) or not isinstance(label, str) \
                    or not clean_text(label) or len(clean_text(label)) > MAX_LABEL_CHARS:
                raise invalid(f"Nhãn phải gắn với một giá trị từ {lo} đến {hi} và dài tối đa "
                              f"{MAX_LABEL_CHARS} ký tự.",
                              f"Labels must belong to a value from {lo} to {hi} and have at "
                              f"most {MAX_LABEL_CHARS} characters.")
            out_labels[str(int(key))] = clean_text(label)
        return {"min": lo, "max": hi, "labels": out_labels}
    if kind == "word_cloud":
        return {"max_words": _int(config.get("max_words", 3), 1, 5, "max_words"),
                "max_length": _int(config.get("max_length", 40), 1, 60, "max_length")}
    return {"max_length": _int(config.get("max_length", 500), 1, 2000, "max_length")}


def _bad_answer(vi: str, en: str) -> LiveError:
    return LiveError(422, "invalid_answer", vi, en)


def check_answer(kind: str, config: dict[str, Any], answer: Any) -> dict[str, Any]:
    """The answer as stored: poll ``{"choices": [sorted indexes]}``, rating ``{"value": n}``,
    word cloud ``{"words": [clean text]}``, open question ``{"text": clean text}``."""
    kind = _plain(kind)
    if not isinstance(answer, dict):
        raise _bad_answer("Câu trả lời phải là một đối tượng JSON.",
                          "The answer must be a JSON object.")
    if kind == "quick_quiz":
        from lms_live_sessions.quick_quiz import check_response

        return check_response(config, answer)
    if kind == "poll":
        choices = answer.get("choices")
        if choices is None and "choice" in answer:
            choices = [answer["choice"]]
        n = len(config["options"])
        if not isinstance(choices, list) or not choices or any(
                isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < n
                for c in choices):
            raise _bad_answer(f"Hãy chọn phương án theo số thứ tự từ 0 đến {n - 1}.",
                              f"Choose options by their index, 0 to {n - 1}.")
        chosen = sorted(set(choices))
        limit = config.get("max_choices", n) if config.get("multiple") else 1
        if len(chosen) > limit:
            raise _bad_answer(f"Chỉ được chọn tối đa {limit} phương án.",
                              f"Choose at most {limit} option(s).")
        return {"choices": chosen}
    if kind == "rating":
        value = answer.get("value")
        lo, hi = config["min"], config["max"]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise _bad_answer(f"Hãy chọn một mức từ {lo} đến {hi}.",
                              f"Pick a value from {lo} to {hi}.")
        return {"value": value}
    if kind == "word_cloud":
        words = answer.get("words")
        if words is None and isinstance(answer.get("text"), str):
            words = [answer["text"]]
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise _bad_answer("Hãy gửi một danh sách từ hoặc cụm từ ngắn.",
                              "Send a list of short words or phrases.")
        cleaned, keys = [], set()
        for word in words:
            text = clean_text(word)
            if not text:
                continue
            if len(text) > config["max_length"]:
                raise _bad_answer(f"Mỗi từ hoặc cụm từ dài tối đa {config['max_length']} ký tự.",
                                  f"Each word or phrase has at most {config['max_length']} "
                                  "characters.")
            if word_key(text) not in keys:  # the same word twice counts once per person
                keys.add(word_key(text))
                cleaned.append(text)
        if not cleaned or len(cleaned) > config["max_words"]:
            raise _bad_answer(f"Hãy gửi từ 1 đến {config['max_words']} từ hoặc cụm từ.",
                              f"Send 1 to {config['max_words']} words or phrases.")
        return {"words": cleaned}
    text = answer.get("text")
    text = clean_text(text) if isinstance(text, str) else ""
    if not text or len(text) > config["max_length"]:
        raise _bad_answer(f"Câu trả lời là một đoạn chữ từ 1 đến {config['max_length']} ký tự.",
                          f"The answer is text of 1 to {config['max_length']} characters.")
    return {"text": text}


def check_client_id(value: Any) -> str:
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise LiveError(422, "bad_client_id",
                        "“client_id” phải là chuỗi 1–64 ký tự chữ, số hoặc - _ . :",
                        "“client_id” must be 1-64 letters, digits or - _ . :")
    return value


def activity_dict(row: Any) -> dict[str, Any]:
    """How an activity is shown to anyone in the session, runners and trainees alike: a quick
    quiz's key is in ``private``, which is not among these fields."""
    get = row.get if isinstance(row, dict) else (lambda k: getattr(row, k))
    return {k: _plain(get(k)) for k in ACTIVITY_FIELDS}
