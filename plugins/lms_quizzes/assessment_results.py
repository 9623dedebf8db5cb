"""The quizzes' answer to the assessment plugin's ``lms_assessment_quiz_results``: each
trainee's grade on a quiz module by the quiz's own grading method, and per competency the
share of the marks earned on the questions tagged with it (over the attempts the grade comes
from: the first, last or best one, or all of them for "average"). Only finished, fully graded
attempts count, the same ones course completion reads."""

from __future__ import annotations

from typing import Any

from lms_quizzes.attempts import FINISHED
from lms_quizzes.models import Attempt, AttemptSlot, Question, Quiz


def _graded(method: str, attempts: list[Attempt]) -> list[Attempt]:
    done = sorted((a for a in attempts if a.state == FINISHED and a.fraction is not None),
                  key=lambda a: a.number)
    if not done:
        return []
    if method == "first":
        return done[:1]
    if method == "last":
        return done[-1:]
    if method == "average":
        return done
    return [max(done, key=lambda a: (a.fraction, -a.number))]


async def results(institution_id: int, module_ids: list[int],
                  user_ids: list[int] | None) -> list[dict[str, Any]]:
    quizzes = await Quiz.filter(institution_id=institution_id, module_id__in=module_ids)
    if not quizzes:
        return []
    qs = Attempt.filter(quiz_id__in=[q.id for q in quizzes], state=FINISHED,
                        enrolment_id__isnull=False)
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    attempts = await qs
    by_key: dict[tuple[int, int], list[Attempt]] = {}
    for a in attempts:
        by_key.setdefault((a.quiz_id, a.user_id), []).append(a)
    chosen = {key: _graded(next(q.grading_method for q in quizzes if q.id == key[0]), rows)
              for key, rows in by_key.items()}
    attempt_ids = [a.id for rows in chosen.values() for a in rows]
    slots = await AttemptSlot.filter(attempt_id__in=attempt_ids).values(
        "attempt_id", "question_id", "mark", "max_mark") if attempt_ids else []
    tags = dict(await Question.filter(
        id__in={s["question_id"] for s in slots if s["question_id"]}).values_list(
        "id", "competencies")) if slots else {}
    per_attempt: dict[int, dict[str, list[float]]] = {}
    for s in slots:
        for code in tags.get(s["question_id"]) or []:
            earned = per_attempt.setdefault(s["attempt_id"], {}).setdefault(code, [0.0, 0.0])
            earned[0] += s["mark"] or 0.0
            earned[1] += s["max_mark"] or 0.0
    out = []
    module_of = {q.id: q.module_id for q in quizzes}
    kind_of = {q.id: q.kind for q in quizzes}
    for (quiz_id, user_id), rows in chosen.items():
        if not rows:
            continue
        competencies: dict[str, float] = {}
        for code in {c for a in rows for c in per_attempt.get(a.id, {})}:
            shares = [per_attempt[a.id][code][0] / per_attempt[a.id][code][1]
                      for a in rows if code in per_attempt.get(a.id, {})
                      and per_attempt[a.id][code][1] > 0]
            if shares:
                competencies[code] = round(sum(shares) / len(shares), 4)
        out.append({"module_id": module_of[quiz_id], "user_id": user_id,
                    "kind": kind_of[quiz_id],
                    "fraction": round(sum(a.fraction for a in rows) / len(rows), 4),
                    "finished_at": max(a.finished_at for a in rows if a.finished_at),
                    "competencies": competencies})
    return out
