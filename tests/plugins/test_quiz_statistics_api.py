"""The quiz statistics report through the API: several trainees take the quiz through the real
attempt endpoints, then a lecturer reads the figures as JSON, CSV and XLSX. Who may read it, and
which attempts count (finished ones of enrolled trainees, no previews, no running attempt)."""

from __future__ import annotations

import csv
import io
import statistics as st
from typing import Any

import pytest
from openpyxl import load_workbook
from tortoise import connections

from conftest import password_hash
from lms_core.models import CourseModule, Enrolment, EnrolmentStatus, Membership, User
from lms_core.services.users import user_fields
from lms_quizzes import qtypes
from lms_quizzes.models import Attempt, Question, QuestionCategory
from lms_quizzes.stats_api import load_attempts

from .quiz_setup import progress_recorded

Q = "/api/v1/quizzes"
SINGLE = {"type": "single_choice", "text": "Thủ đô của Việt Nam?", "name": "Thủ đô",
          "answers": [{"text": "Hà Nội", "fraction": 1}, {"text": "Huế", "fraction": 0}]}
TRUE_FALSE = {"type": "true_false", "name": "Mức 4",
              "text": "Dịch vụ công trực tuyến toàn trình là mức 4.",
              "options": {"correct": True}}
SHORT = {"type": "short_answer", "name": "Cổng quốc gia",
         "text": "Tên cổng dịch vụ công quốc gia?",
         "answers": [{"text": "Cổng Dịch vụ công quốc gia", "fraction": 1}],
         "options": {"accent_sensitive": False}}

RIGHT_SHORT = "cong dich vu cong quoc gia"
#: (login, answers to slots 1..3, marks expected); None leaves the slot unanswered. trainee_a
#: makes two attempts; the answers are in slot order (the quiz does not shuffle questions).
PLAN: list[tuple[str, list[Any], list[float]]] = [
    ("trainee_a", [{"choice": 2}, {"value": True}, {"text": RIGHT_SHORT}], [0, 1, 1]),
    ("trainee_a", [{"choice": 1}, {"value": True}, {"text": RIGHT_SHORT}], [1, 1, 1]),
    ("hocvien1_a", [{"choice": 1}, {"value": False}, None], [1, 0, 0]),
    ("hocvien2_a", [{"choice": 1}, {"value": True}, {"text": "Cổng Dịch vụ công quốc gia"}],
     [1, 1, 1]),
    ("hocvien3_a", [{"choice": 2}, {"value": False}, {"text": "=1+1"}], [0, 0, 0]),
]


async def _question(inst: int, category: int, body: dict[str, Any]) -> Question:
    q = qtypes.normalise(body)
    assert qtypes.validate(q) == [], qtypes.validate(q)
    return await Question.create(
        institution_id=inst, category_id=category, name=q["name"], type=q["type"],
        text=q["text"], text_format=q["text_format"], text_html=q["text"], answers=q["answers"],
        options=q["options"], general_feedback=q["general_feedback"])


@pytest.fixture
async def stats_world(world) -> dict[str, Any]:
    """A three-question quiz in institution A and three more trainees enrolled in its class
    (conftest enrols only trainee_a)."""
    inst = world.inst["a"]
    cat = await QuestionCategory.create(institution_id=inst, name="Chuyển đổi số")
    cat.path = f"/{cat.id}/"
    await cat.save()
    qs = [await _question(inst, cat.id, body) for body in (SINGLE, TRUE_FALSE, SHORT)]
    module = await CourseModule.create(
        course_id=world.courses["a"], key="kiem-tra", type="quiz", title="Kiểm tra cuối khoá",
        position=9, data={"slots": [{"kind": "fixed", "question_id": q.id} for q in qs],
                          "kind": "graded", "pass_fraction": 0.6})
    for i in (1, 2, 3):
        login = f"hocvien{i}_a"
        user = await User.create(login=login, email=f"{login}@example.vn",
                                 password_hash=password_hash(), unit_id=world.units["a-child"],
                                 **user_fields(f"Lê Thị Học Viên {i}"))
        await Membership.create(user=user, institution_id=inst, role="trainee")
        await Enrolment.create(user=user, klass_id=world.classes["a"],
                               status=EnrolmentStatus.ACTIVE)
        world.users[login] = user.id
    return {"module": module.id, "questions": qs}


async def _take(client, module: int, answers: list[Any], submit: bool = True) -> dict:
    r = await client.post(f"{Q}/modules/{module}/attempts")
    assert r.status_code == 201, r.text
    attempt = r.json()
    assert [s["question"]["type"] for s in attempt["slots"]] == [
        "single_choice", "true_false", "short_answer"]
    for slot, response in zip(attempt["slots"], answers):
        if response is not None:
            put = await client.put(f"{Q}/attempts/{attempt['id']}/slots/{slot['slot']}",
                                   json={"response": response})
            assert put.status_code == 200, put.text
    if submit:
        done = await client.post(f"{Q}/attempts/{attempt['id']}/submit")
        assert done.status_code == 200, done.text
    return attempt


@pytest.fixture
async def taken(stats_world, client_for) -> dict[str, Any]:
    """PLAN's attempts, plus a lecturer's preview and a running attempt, neither of which may
    count."""
    module = stats_world["module"]
    clients: dict[str, Any] = {}
    for login, answers, _ in PLAN:
        if login not in clients:
            clients[login] = await client_for(login)
        await _take(clients[login], module, answers)
    lecturer = await client_for("lecturer_a")
    await _take(lecturer, module, [{"choice": 1}, {"value": True}, {"text": RIGHT_SHORT}])
    await _take(clients["hocvien3_a"], module, [{"choice": 1}], submit=False)
    return {**stats_world, "lecturer": lecturer}


def _grades(rows: list[list[float]]) -> list[float]:
    return [100 * sum(r) / 3 for r in rows]


async def test_preview_and_running_attempts_are_not_loaded(taken, monkeypatch):
    assert await Attempt.filter(enrolment_id=None).count() == 1
    assert await Attempt.filter(state="in_progress").count() == 1
    quiz_id = (await Attempt.first()).quiz_id
    # the submits' progress jobs run in the background: let them finish, or their UPDATEs
    # land among the statements counted below
    for attempt_id in await Attempt.filter(progress_pending=True).values_list("id", flat=True):
        await progress_recorded(attempt_id)
    # Count the SQL sent (the real client still runs it): one query for the attempts, one for
    # every slot of them, however many attempts there are.
    client = type(connections.get("default"))
    sent: list[str] = []
    for name in ("execute_query", "execute_query_dict"):
        original = getattr(client, name)

        async def spy(self, query, *args, _original=original, **kwargs):
            sent.append(str(query))
            return await _original(self, query, *args, **kwargs)

        monkeypatch.setattr(client, name, spy)
    records = await load_attempts(quiz_id)
    monkeypatch.undo()
    assert len(sent) == 2, sent
    assert len(records) == len(PLAN)
    assert [[s.mark for s in r.slots] for r in records] == [
        pytest.approx(marks) for _, _, marks in PLAN]
    assert {r.user_name for r in records} >= {"Lê Thị Học Viên 1", "Lê Thị Học Viên 3"}
    first = records[0].slots[0]
    assert first.question_name == "Thủ đô" and first.question_type == "single_choice"
    assert [a["text"] for a in first.answers] == ["Hà Nội", "Huế"]
    assert records[2].slots[2].response is None  # left unanswered


async def test_statistics_json_matches_the_attempts_taken(taken):
    lecturer, module = taken["lecturer"], taken["module"]
    r = await lecturer.get(f"{Q}/modules/{module}/statistics", params={"which": "all"})
    assert r.status_code == 200, r.text
    body = r.json()
    marks = [m for _, _, m in PLAN]
    grades = _grades(marks)
    assert body["module"]["key"] == "kiem-tra" and body["which_attempts"] == "all"
    assert body["attempts_selected"] == body["attempts"] == 5
    assert body["excluded_ungraded"] == 0 and body["locale"] == "vi"
    assert body["mean"] == pytest.approx(st.mean(grades))
    assert body["median"] == pytest.approx(st.median(grades))
    assert body["standard_deviation"] == pytest.approx(st.stdev(grades))
    assert sum(b["count"] for b in body["histogram"]) == 5
    assert body["histogram"][-1] == {"low": 90.0, "high": 100.0, "count": 2}

    assert [q["question_type"] for q in body["questions"]] == [
        "single_choice", "true_false", "short_answer"]
    for i, q in enumerate(body["questions"]):
        item = [m[i] for m in marks]
        rest = [sum(m) - m[i] for m in marks]
        assert q["slot"] == i + 1 and q["responses"] == 5
        assert q["facility"] == pytest.approx(100 * st.mean(item))
        assert q["discrimination_index"] == pytest.approx(100 * st.correlation(item, rest))
    items = [[m[i] for m in marks] for i in range(3)]
    alpha = 1.5 * (1 - sum(st.variance(x) for x in items) / st.variance([sum(m) for m in marks]))
    assert body["cic"] == pytest.approx(100 * alpha)

    single = body["questions"][0]["answers"]
    assert [(a["label"], a["count"], a["fraction"]) for a in single] == [
        ("Hà Nội", 3, 1.0), ("Huế", 2, 0.0)]
    short = body["questions"][2]["answers"]
    assert [(a["kind"], a["label"], a["count"]) for a in short] == [
        ("text", RIGHT_SHORT, 2), ("text", "Cổng Dịch vụ công quốc gia", 1),
        ("text", "=1+1", 1), ("no_answer", "(Không trả lời)", 1)]


async def test_which_attempts_and_the_default_from_the_grading_method(taken):
    lecturer, module = taken["lecturer"], taken["module"]
    marks = {login: [] for login, _, _ in PLAN}
    for login, _, m in PLAN:
        marks[login].append(m)
    expected = {
        "first": [v[0] for v in marks.values()],
        "last": [v[-1] for v in marks.values()],
        "highest": [max(v, key=sum) for v in marks.values()],
    }
    for which, rows in expected.items():
        body = (await lecturer.get(f"{Q}/modules/{module}/statistics?which={which}")).json()
        assert body["which_attempts"] == which and body["attempts"] == 4
        assert body["mean"] == pytest.approx(st.mean(_grades(rows))), which
    default = (await lecturer.get(f"{Q}/modules/{module}/statistics")).json()
    assert default["grading_method"] == "highest" and default["which_attempts"] == "highest"


async def test_labels_follow_the_callers_locale(taken, client_for, world):
    await User.filter(id=world.users["admin_a"]).update(locale="en")
    admin = await client_for("admin_a")
    body = (await admin.get(f"{Q}/modules/{taken['module']}/statistics?which=all")).json()
    assert body["locale"] == "en"
    short = body["questions"][2]["answers"]
    assert short[-1]["label"] == "(No answer)"
    assert body["questions"][0]["answers"][0]["label"] == "Hà Nội"  # what the trainee saw
    csv_en = await admin.get(f"{Q}/modules/{taken['module']}/statistics.csv?which=all")
    assert "Average grade (%),60" in csv_en.content.decode("utf-8-sig")


async def test_csv_download(taken):
    r = await taken["lecturer"].get(f"{Q}/modules/{taken['module']}/statistics.csv",
                                    params={"which": "all"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="thong-ke-kiem-tra-all.csv"' in disposition
    assert r.headers["cache-control"] == "private, no-store"
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    overview = {row[0]: row[1] for row in rows if len(row) == 2}
    assert overview["Số lượt được tính"] == "5" and overview["Điểm trung bình (%)"] == "60"
    cells = [c for row in rows for c in row]
    assert "Thủ đô" in cells and "Cổng Dịch vụ công quốc gia" in cells
    assert "'=1+1" in cells and "=1+1" not in cells


async def test_xlsx_download(taken):
    r = await taken["lecturer"].get(f"{Q}/modules/{taken['module']}/statistics.xlsx")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="thong-ke-kiem-tra-highest.xlsx"' in r.headers["content-disposition"]
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["Tổng quan", "Câu hỏi", "Phương án"]
    overview = {row[0].value: row[1].value for row in book["Tổng quan"].iter_rows(min_row=2)}
    assert overview["Số lượt được tính"] == 4
    assert overview["Điểm trung bình (%)"] == pytest.approx(st.mean(
        _grades([[1, 1, 1], [1, 0, 0], [1, 1, 1], [0, 0, 0]])) / 100)
    names = [row[2].value for row in book["Câu hỏi"].iter_rows(min_row=2)]
    assert names == ["Thủ đô", "Mức 4", "Cổng quốc gia"]
    answers = [c for row in book["Phương án"].iter_rows(min_row=2) for c in row]
    assert "'=1+1" in {c.value for c in answers} and all(c.data_type != "f" for c in answers)


async def test_only_staff_of_the_institution_may_read_the_report(stats_world, client_for, anon,
                                                                 world):
    module = stats_world["module"]
    paths = [f"{Q}/modules/{module}/statistics", f"{Q}/modules/{module}/statistics.csv",
             f"{Q}/modules/{module}/statistics.xlsx"]
    for login, status in (("trainee_a", 403), ("supervisor_a", 403), ("lecturer_b", 404),
                          ("admin_b", 404), ("admin_a", 200)):
        client = await client_for(login)
        for path in paths:
            r = await client.get(path)
            assert r.status_code == status, (login, path, r.text)
            if status != 200:
                assert r.headers["content-type"] == "application/problem+json"
                assert r.json()["detail_vi"] and r.json()["detail_en"]
    for path in paths:
        assert (await anon.get(path)).status_code == 401
    # A lesson module is not a quiz, and an empty report is still a report.
    lecturer = await client_for("lecturer_a")
    lesson = await CourseModule.get(course_id=world.courses["a"], key="bai-1")
    assert (await lecturer.get(f"{Q}/modules/{lesson.id}/statistics")).status_code == 404
    empty = (await lecturer.get(paths[0])).json()
    assert empty["attempts"] == 0 and empty["mean"] is None and len(empty["questions"]) == 0


async def test_a_bad_which_is_a_readable_422(stats_world, client_for):
    lecturer = await client_for("lecturer_a")
    base = f"{Q}/modules/{stats_world['module']}/statistics"
    for suffix in ("", ".csv", ".xlsx"):
        for query in ("which=average", "which=", "which=ALL", "wich=all"):
            r = await lecturer.get(f"{base}{suffix}?{query}")
            assert r.status_code == 422, (suffix, query, r.text)
            body = r.json()
            assert "which" in body["detail_vi"] or "wich" in body["detail_vi"]
            assert body["errors"] and body["errors"][0]["location"] == "query"
    r = await lecturer.get(f"{base}?which=average")
    assert "'first', 'highest', 'last' or 'all'" in r.json()["errors"][0]["message"]
