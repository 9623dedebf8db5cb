"""Overlap between courses: which share competencies or content, and by how much, so planners
do not fund the same training twice under two names.

* **competencies**: the Jaccard index of the two courses' competency codes (shared / either);
* **content**: the Jaccard index of their lesson text as sets of five-word shingles (HTML
  stripped, Unicode NFC, lower case), so a lesson copied into another course counts however it
  was re-titled; ``shared_modules`` names module pairs whose own text overlaps by half or more.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import combinations
from typing import Any

from lms_core.models import Course, CourseModule

SHINGLE = 5
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(html: str) -> set[int]:
    text = unicodedata.normalize("NFC", _TAG.sub(" ", html or "")).lower()
    words = _WORD.findall(text)
    return {hash(tuple(words[i:i + SHINGLE])) for i in range(max(0, len(words) - SHINGLE + 1))}


def jaccard(a: set[Any], b: set[Any]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


async def report(institution_id: int, minimum: float = 0.05) -> list[dict[str, Any]]:
    courses = await Course.filter(institution_id=institution_id).values(
        "id", "code", "title", "competencies")
    codes = {c["id"]: {i.get("code") if isinstance(i, dict) else i
                       for i in (c["competencies"] or []) if i} for c in courses}
    modules: dict[int, list[tuple[str, set[int]]]] = {}
    for course_id, title, body in await CourseModule.filter(
            course__institution_id=institution_id, is_active=True).values_list(
            "course_id", "title", "body_html"):
        grams = shingles(body)
        if grams:
            modules.setdefault(course_id, []).append((title, grams))
    text = {cid: set().union(*(g for _t, g in mods)) for cid, mods in modules.items()}
    out = []
    for a, b in combinations(courses, 2):
        comp = jaccard(codes[a["id"]], codes[b["id"]])
        content = jaccard(text.get(a["id"], set()), text.get(b["id"], set()))
        if max(comp, content) < minimum:
            continue
        pairs = [{"module_a": ta, "module_b": tb, "overlap": round(jaccard(ga, gb), 3)}
                 for ta, ga in modules.get(a["id"], []) for tb, gb in modules.get(b["id"], [])
                 if jaccard(ga, gb) >= 0.5]
        out.append({"course_a": {k: a[k] for k in ("id", "code", "title")},
                    "course_b": {k: b[k] for k in ("id", "code", "title")},
                    "shared_competencies": sorted(codes[a["id"]] & codes[b["id"]]),
                    "competency_overlap": round(comp, 3), "content_overlap": round(content, 3),
                    "shared_modules": pairs})
    out.sort(key=lambda r: (-max(r["competency_overlap"], r["content_overlap"]),
                            r["course_a"]["id"], r["course_b"]["id"]))
    return out
