"""The quizzes' answer to the assessment plugin's ``lms_assessment_quiz_results``: each
trainee's grade on a quiz module by the quiz's own grading method, and per competency the
share of the marks earned on the questions tagged with it (over the attempts the grade comes
from: the first, last or best one, or all of them for "average"). Only finished, fully graded
attempts count, the same ones course completion reads."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from lms_core.sql import any_id, dialect, fetch

from lms_quizzes.attempts import FINISHED
from lms_quizzes.models import Quiz


#: Each slot's question competency codes, one row per code.
_CODES = {"postgres": "CROSS JOIN LATERAL jsonb_array_elements_text(q.competencies::jsonb) AS c(code)",
          "sqlite": "JOIN json_each(q.competencies) AS c"}
_CODE = {"postgres": "c.code", "sqlite": "c.value"}


def _dialect() -> str:
    return "sqlite" if dialect() == "sqlite" else "postgres"


async def _attempts(quiz_ids: list[int], user_ids: list[int] | None) -> list[dict[str, Any]]:
    quizzes, quiz_param = any_id("quiz_id", 1)
    sql = ("SELECT id, quiz_id, user_id, number, fraction, finished_at FROM quizzes_attempt "
           f"WHERE {quizzes} AND state = $2 "
           "AND enrolment_id IS NOT NULL AND fraction IS NOT NULL")
    args: list[Any] = [quiz_param(quiz_ids), FINISHED]
    if user_ids is not None:
        users, user_param = any_id("user_id", 3)
        sql += f" AND {users}"
        args.append(user_param(user_ids))
    return await fetch(sql, *args)


async def _marks_by_code(attempt_ids: list[int]) -> dict[int, dict[str, list[float]]]:
    """attempt -> competency code -> [marks earned, marks possible], summed in the database."""
    if not attempt_ids:
        return {}
    d = _dialect()
    attempts, param = any_id("s.attempt_id", 1)
    rows = await fetch(
        f"SELECT s.attempt_id, {_CODE[d]} AS code, SUM(COALESCE(s.mark, 0)) AS earned, "
        "SUM(COALESCE(s.max_mark, 0)) AS possible FROM quizzes_attempt_slot s "
        f"JOIN quizzes_question q ON q.id = s.question_id {_CODES[d]} "
        f"WHERE {attempts} GROUP BY s.attempt_id, {_CODE[d]}",
        param(attempt_ids))
    out: dict[int, dict[str, list[float]]] = {}
    for r in rows:
        out.setdefault(r["attempt_id"], {})[r["code"]] = [float(r["earned"] or 0),
                                                          float(r["possible"] or 0)]
    return out


def _graded(method: str, attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = sorted(attempts, key=lambda a: a["number"])
    if not done:
        return []
    if method == "first":
        return done[:1]
    if method == "last":
        return done[-1:]
    if method == "average":
        return done
    return [max(done, key=lambda a: (a["fraction"], -a["number"]))]


async def results(institution_id: int, module_ids: list[int],
                  user_ids: list[int] | None) -> list[dict[str, Any]]:
    quizzes = await Quiz.filter(institution_id=institution_id, module_id__in=module_ids)
    if not quizzes:
        return []
    method = {q.id: q.grading_method for q in quizzes}
    by_key: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for a in await _attempts([q.id for q in quizzes], user_ids):
        by_key.setdefault((a["quiz_id"], a["user_id"]), []).append(a)
    chosen = {key: _graded(method[key[0]], rows) for key, rows in by_key.items()}
    per_attempt = await _marks_by_code([a["id"] for rows in chosen.values() for a in rows])
    out = []
    module_of = {q.id: q.module_id for q in quizzes}
    kind_of = {q.id: q.kind for q in quizzes}
    for (quiz_id, user_id), rows in chosen.items():
        if not rows:
            continue
        competencies: dict[str, float] = {}
        for code in {c for a in rows for c in per_attempt.get(a["id"], {})}:
            shares = [per_attempt[a["id"]][code][0] / per_attempt[a["id"]][code][1]
                      for a in rows if code in per_attempt.get(a["id"], {})
                      and per_attempt[a["id"]][code][1] > 0]
            if shares:
                competencies[code] = round(sum(shares) / len(shares), 4)
        finished = [a["finished_at"] for a in rows if a["finished_at"]]
        out.append({"module_id": module_of[quiz_id], "user_id": user_id,
                    "kind": kind_of[quiz_id],
                    "fraction": round(sum(a["fraction"] for a in rows) / len(rows), 4),
                    "finished_at": _aware(max(finished)) if finished else None,
                    "competencies": competencies})
    return out


def _aware(value: Any) -> Any:
    """SQLite hands raw SQL's datetimes back as text; the ORM gave aware datetimes."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value
