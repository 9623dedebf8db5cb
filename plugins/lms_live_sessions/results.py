"""What an activity's answers add up to: counts per option, the average and distribution of a
rating, the top words of a word cloud, the latest open answers. Computed from the stored answers,
never from what one worker happened to see, so every worker and every reconnecting client get
the same figures.

Word-cloud entries count together when they are the same words: Unicode NFC (a phone may send
"Hà" decomposed), case folded, whitespace collapsed. The form shown is the one typed most often,
so Vietnamese diacritics stay as people wrote them ("Hà Nội" and "hà nội" are one entry).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any

from lms_live_sessions.models import Activity, ActivityKind, ActivityResponse, \
    ActivityState, ResultsVisibility

TOP_WORDS = 50
LATEST_ANSWERS = 50


def clean_text(text: str) -> str:
    """NFC, control characters dropped, runs of whitespace made one space, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text)
    return " ".join(text.split())


def word_key(text: str) -> str:
    """The key entries are counted under: case-folded clean text, NFC again because folding
    can decompose a character."""
    return unicodedata.normalize("NFC", clean_text(text).casefold())


def visible_to_trainees(visibility: str, state: str) -> bool:
    """The lecturer's choice: hidden, after closing, or live while it is open."""
    visibility, state = _plain(visibility), _plain(state)
    if visibility == ResultsVisibility.LIVE.value:
        return state in (ActivityState.OPEN.value, ActivityState.CLOSED.value)
    if visibility == ResultsVisibility.AFTER_CLOSE.value:
        return state == ActivityState.CLOSED.value
    return False


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


async def compute(activity: dict[str, Any], *, with_names: bool) -> dict[str, Any]:
    """The results of one activity (``activity`` as ``values()`` of id, kind, config). Names
    appear only ``with_names`` (runners): trainees and the projector never get them."""
    fields = ["answer", "updated_at"] + (["user_id", "user__full_name"] if with_names else [])
    kind = _plain(activity["kind"])
    if kind == ActivityKind.QUICK_QUIZ.value:
        fields += ["fraction", "score"]
    rows = await ActivityResponse.filter(activity_id=activity["id"]).order_by(
        "-updated_at", "-id").values(*fields)
    out = aggregate(activity, rows, with_names=with_names)
    if kind == ActivityKind.QUICK_QUIZ.value:
        from lms_live_sessions import quick_quiz

        key = None
        if _plain(activity.get("state")) == ActivityState.CLOSED.value:  # never before
            private = await Activity.filter(id=activity["id"]).values_list("private", flat=True)
            key = (private[0] or {}).get("key") if private else None
        out.update(quick_quiz.aggregate(activity, rows, key))
    return out


def aggregate(activity: dict[str, Any], rows: list[dict[str, Any]], *, with_names: bool
              ) -> dict[str, Any]:
    """Pure aggregation over answer rows (newest first), kept apart from the query so it can be
    reasoned about and tested on its own."""
    kind = _plain(activity["kind"])
    config = activity["config"] or {}
    out: dict[str, Any] = {"activity_id": activity["id"], "kind": kind, "responses": len(rows)}
    if kind == ActivityKind.POLL.value:
        counts = Counter(choice for r in rows for choice in r["answer"].get("choices", ()))
        out["options"] = [{"index": i, "label": label, "count": counts.get(i, 0)}
                          for i, label in enumerate(config.get("options", []))]
    elif kind == ActivityKind.RATING.value:
        values = [r["answer"]["value"] for r in rows if "value" in r["answer"]]
        counts = Counter(values)
        labels = config.get("labels", {})
        out["average"] = round(sum(values) / len(values), 2) if values else None
        out["distribution"] = [
            {"value": v, "label": labels.get(str(v), ""), "count": counts.get(v, 0)}
            for v in range(config.get("min", 1), config.get("max", 5) + 1)]
    elif kind == ActivityKind.WORD_CLOUD.value:
        counts: Counter[str] = Counter()
        shown: dict[str, Counter[str]] = {}
        for r in rows:
            for word in r["answer"].get("words", ()):
                key = word_key(word)
                counts[key] += 1
                shown.setdefault(key, Counter())[word] += 1
        out["words"] = [{"text": shown[key].most_common(1)[0][0], "count": n}
                        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                        [:TOP_WORDS]]
        out["distinct"] = len(counts)
    elif kind == ActivityKind.OPEN_QUESTION.value:
        answers = []
        for r in rows[:LATEST_ANSWERS]:
            item: dict[str, Any] = {"text": r["answer"].get("text", ""), "at": r["updated_at"]}
            if with_names:
                item["user"] = {"id": r["user_id"], "full_name": r["user__full_name"]}
            answers.append(item)
        out["answers"] = answers
    return out
