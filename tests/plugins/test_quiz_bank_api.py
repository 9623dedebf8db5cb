"""The question bank through the API for every type: write, edit (versions), delete, GIFT
import with categories (preview, all or nothing), GIFT and Aiken export and re-import."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lms_quizzes import gift
from lms_quizzes.models import Question, QuestionCategory

Q = "/api/v1/quizzes"

EVERY_TYPE: list[dict[str, Any]] = [
    {"type": "single_choice", "text": "Thủ đô của Việt Nam?",
     "answers": [{"text": "Hà Nội", "fraction": 1, "feedback": "Đúng"},
                 {"text": "Huế", "fraction": 0}]},
    {"type": "multiple_response", "text": "Chọn các **cấp hành chính**:",
     "answers": [{"text": "Tỉnh", "fraction": 0.5}, {"text": "Xã", "fraction": 0.5},
                 {"text": "Khu phố", "fraction": -1}]},
    {"type": "true_false", "text": "Luật Giao dịch điện tử có hiệu lực từ 1/7/2024.",
     "options": {"correct": True}},
    {"type": "short_answer", "text": "Tên cổng dịch vụ công quốc gia?",
     "answers": [{"text": "Cổng Dịch vụ công*", "fraction": 1},
                 {"text": "DVC", "fraction": 0.5}],
     "options": {"accent_sensitive": False}},
    {"type": "numerical", "text": "Số tỉnh, thành phố sau sắp xếp năm 2025?",
     "answers": [{"kind": "tolerance", "value": 34, "tolerance": 0, "fraction": 1},
                 {"kind": "range", "min": 30, "max": 40, "fraction": 0.5}]},
    {"type": "matching", "text": "Ghép cơ quan với chức năng",
     "answers": [{"text": "Bộ Nội vụ", "match": "Tổ chức bộ máy"},
                 {"text": "Bộ Tài chính", "match": "Ngân sách"},
                 {"text": "", "match": "Quốc phòng"}]},
    {"type": "ordering", "text": "Sắp xếp các bước một cửa",
     "answers": [{"text": "Tiếp nhận"}, {"text": "Thẩm định"}, {"text": "Trả kết quả"}]},
    {"type": "essay", "text": "Nêu ba khó khăn khi chuyển đổi số ở cấp xã.",
     "options": {"min_words": 20, "max_words": 300}},
    {"type": "description", "text": "Phần II: Văn bản điện tử."},
]


async def _category(client, name: str, parent: int | None = None) -> int:
    r = await client.post(f"{Q}/categories", json={"name": name, "parent_id": parent})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_every_type_can_be_written_edited_and_deleted(client_for, world):
    lecturer = await client_for("lecturer_a")
    cat = await _category(lecturer, "Chuyển đổi số")
    ids = {}
    for body in EVERY_TYPE:
        r = await lecturer.post(f"{Q}/questions", json={"category_id": cat, **body,
                                                        "competencies": ["CDS.01"]})
        assert r.status_code == 201, (body["type"], r.text)
        assert r.json()["type"] == body["type"] and r.json()["version"] == 1
        ids[body["type"]] = r.json()["id"]
    one = (await lecturer.get(f"{Q}/questions/{ids['multiple_response']}")).json()
    assert "<strong>cấp hành chính</strong>" in one["text_html"]
    assert [a["id"] for a in one["answers"]] == [1, 2, 3]
    tf = (await lecturer.get(f"{Q}/questions/{ids['true_false']}")).json()
    assert tf["options"]["correct"] is True and [a["value"] for a in tf["answers"]] == [True,
                                                                                        False]
    # an edit keeps answer ids, bumps the version, refuses a stale editor
    edited = {**EVERY_TYPE[0], "category_id": cat, "base_version": 1,
              "answers": [{"id": 2, "text": "Huế", "fraction": 0},
                          {"id": 1, "text": "Hà Nội", "fraction": 1},
                          {"text": "Đà Nẵng", "fraction": 0}]}
    r = await lecturer.put(f"{Q}/questions/{ids['single_choice']}", json=edited)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    assert [(a["id"], a["text"]) for a in r.json()["answers"]] == [
        (2, "Huế"), (1, "Hà Nội"), (3, "Đà Nẵng")]
    assert r.json()["usage"]["stale_finished_slots"] == 0
    stale = await lecturer.put(f"{Q}/questions/{ids['single_choice']}", json=edited)
    assert stale.status_code == 409 and stale.json()["version"] == 2
    # delete
    r = await lecturer.delete(f"{Q}/questions/{ids['description']}")
    assert r.status_code == 204 and not await Question.filter(id=ids["description"]).exists()
    assert (await lecturer.delete(f"{Q}/questions/{ids['description']}")).status_code == 404


async def test_invalid_questions_of_each_type_list_every_reason(client_for, world):
    lecturer = await client_for("lecturer_a")
    cat = await _category(lecturer, "Lỗi")
    bad = [
        {"type": "short_answer", "text": "?", "answers": [{"text": "a", "fraction": 0.5}]},
        {"type": "numerical", "text": "?", "answers": [{"kind": "range", "min": 5, "max": 1,
                                                        "fraction": 1}]},
        {"type": "matching", "text": "?", "answers": [{"text": "a", "match": "b"}]},
        {"type": "ordering", "text": "?", "answers": [{"text": "một"}]},
        {"type": "essay", "text": "?", "options": {"min_words": 50, "max_words": 10}},
        {"type": "true_false", "text": "?", "options": {"colour": "đỏ"}},
        {"type": "description", "text": "?", "answers": [{"text": "x"}]},
    ]
    for body in bad:
        r = await lecturer.post(f"{Q}/questions", json={"category_id": cat, **body})
        assert r.status_code == 422, (body, r.text)
        problem = r.json()
        assert problem["detail_vi"] and problem["detail_en"] and problem["errors"]
        assert all(e["code"] and e["message_vi"] for e in problem["errors"])
    assert await Question.all().count() == 0


GIFT_FILE = """// Ngân hàng câu hỏi chương 1
$CATEGORY: Chương 1

::Thủ đô::Thủ đô của Việt Nam là {=Hà Nội#Đúng ~Huế#Cố đô ~Đà Nẵng}

::Đúng sai::[markdown]Một cửa **liên thông** là mức cao nhất.{F#Chưa đúng#Đúng vậy}

$CATEGORY: Chương 1/Mục 1.1

::Số::Luật có bao nhiêu chương? {#12:1}

::Ghép::Ghép {=Hà Nội -> Thủ đô =Huế -> Cố đô = -> Thành phố biển}
"""


async def test_gift_preview_then_import_creates_the_category_tree(client_for, world):
    lecturer = await client_for("lecturer_a")
    root = await _category(lecturer, "Nhập GIFT")
    r = await lecturer.post(f"{Q}/import/gift", json={"category_id": root, "text": GIFT_FILE,
                                                       "preview": True})
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["preview"] and preview["count"] == 4 and preview["errors"] == []
    assert preview["new_categories"] == [["Chương 1"], ["Chương 1", "Mục 1.1"]]
    assert [q["type"] for q in preview["questions"]] == [
        "single_choice", "true_false", "numerical", "matching"]
    assert "<strong>liên thông</strong>" in preview["questions"][1]["text_html"]
    assert await Question.all().count() == 0
    r = await lecturer.post(f"{Q}/import/gift", json={"category_id": root, "text": GIFT_FILE})
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 4 and r.json()["categories_created"] == 2
    chuong = await QuestionCategory.get(name="Chương 1", parent_id=root)
    muc = await QuestionCategory.get(name="Mục 1.1", parent_id=chuong.id)
    assert await Question.filter(category_id=chuong.id).count() == 2
    assert await Question.filter(category_id=muc.id).count() == 2
    # importing again reuses the categories
    r = await lecturer.post(f"{Q}/import/gift", json={"category_id": root, "text": GIFT_FILE})
    assert r.json()["categories_created"] == 0
    assert await QuestionCategory.filter(name="Chương 1").count() == 1


async def test_a_gift_file_with_one_error_imports_nothing(client_for, world):
    lecturer = await client_for("lecturer_a")
    root = await _category(lecturer, "Lỗi GIFT")
    broken = GIFT_FILE + "\n::Hỏng::Câu này thiếu ngoặc {=Đúng ~Sai\n"
    r = await lecturer.post(f"{Q}/import/gift", json={"category_id": root, "text": broken})
    assert r.status_code == 422
    body = r.json()
    assert body["errors"][0]["line"] == 14 and body["errors"][0]["code"] == "unclosed_brace"
    assert "Dòng đầu tiên có lỗi: 14" in body["detail_vi"] and body["valid_questions"] == 4
    assert await Question.all().count() == 0
    assert await QuestionCategory.filter(name="Chương 1").count() == 0
    preview = (await lecturer.post(f"{Q}/import/gift", json={
        "category_id": root, "text": broken, "preview": True})).json()
    assert preview["count"] == 4 and preview["errors"][0]["line"] == 14


async def test_gift_export_reimports_to_the_same_questions(client_for, world):
    lecturer = await client_for("lecturer_a")
    source = await _category(lecturer, "Nguồn")
    for body in EVERY_TYPE:
        r = await lecturer.post(f"{Q}/questions", json={"category_id": source, **body})
        assert r.status_code == 201, r.text
    sub = await _category(lecturer, "Phụ: a/b", source)
    await lecturer.post(f"{Q}/questions", json={"category_id": sub, **EVERY_TYPE[0]})
    r = await lecturer.get(f"{Q}/export/gift", params={"category_id": source})
    assert r.status_code == 200, r.text
    out = r.json()
    assert [s["code"] for s in out["skipped"]] == ["no_gift_syntax"]  # ordering
    assert "$CATEGORY: Phụ: a//b" in out["text"]
    target = await _category(lecturer, "Đích")
    r = await lecturer.post(f"{Q}/import/gift", json={"category_id": target, "text": out["text"]})
    assert r.status_code == 200, r.text
    assert r.json()["count"] == len(EVERY_TYPE)  # 8 written + the sub-category's one

    def shape(rows):
        return sorted((q["type"], q["name"], q["text"], json.dumps(q["answers"], sort_keys=True),
                       json.dumps(q["options"], sort_keys=True)) for q in rows)

    from lms_quizzes.transfer import subtree_questions

    a = await subtree_questions(world.inst["a"], source)
    b = await subtree_questions(world.inst["a"], target)
    exported = [q for q in a if q["type"] != "ordering"]
    assert shape([g.question for g in gift.parse(gift.dump(exported)).questions]) == \
        shape([{k: v for k, v in q.items() if k not in ("id", "category")} for q in b])
    assert len(b) == len(exported)
    assert sorted(tuple(q["category"]) for q in b) == sorted(tuple(q["category"]) for q in
                                                             exported)
    download = await lecturer.get(f"{Q}/export/gift",
                                  params={"category_id": source, "download": "true"})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/plain")
    disposition = download.headers["content-disposition"]
    assert 'filename="nguon.gift.txt"' in disposition
    assert "filename*=UTF-8''Ngu%E1%BB%93n.gift.txt" in disposition
    assert download.text == out["text"]


async def test_aiken_export_writes_what_aiken_can_hold(client_for, world):
    lecturer = await client_for("lecturer_a")
    cat = await _category(lecturer, "Aiken")
    for body in EVERY_TYPE[:3]:
        await lecturer.post(f"{Q}/questions", json={"category_id": cat, **body})
    out = (await lecturer.get(f"{Q}/export/aiken", params={"category_id": cat})).json()
    assert out["text"] == "Thủ đô của Việt Nam?\nA. Hà Nội\nB. Huế\nANSWER: A\n"
    assert {s["code"] for s in out["skipped"]} == {"not_single_choice"}
    again = await lecturer.post(f"{Q}/import/aiken", json={"category_id": cat,
                                                            "text": out["text"]})
    assert again.status_code == 200 and again.json()["count"] == 1


async def test_other_institutions_and_trainees_are_kept_out(client_for, world):
    lecturer = await client_for("lecturer_a")
    cat = await _category(lecturer, "Riêng A")
    r = await lecturer.post(f"{Q}/questions", json={"category_id": cat, **EVERY_TYPE[0]})
    qid = r.json()["id"]
    other = await client_for("lecturer_b")
    body = {"category_id": cat, **EVERY_TYPE[0]}
    assert (await other.put(f"{Q}/questions/{qid}", json=body)).status_code == 404
    assert (await other.delete(f"{Q}/questions/{qid}")).status_code == 404
    assert (await other.get(f"{Q}/questions/{qid}/usage")).status_code == 404
    assert (await other.get(f"{Q}/export/gift", params={"category_id": cat})).status_code == 404
    r = await other.post(f"{Q}/import/gift", json={"category_id": cat, "text": GIFT_FILE})
    assert r.status_code == 404
    trainee = await client_for("trainee_a")
    assert (await trainee.get(f"{Q}/export/gift", params={"category_id": cat})).status_code \
        == 403
    assert (await trainee.post(f"{Q}/questions", json=body)).status_code == 403
    for params in ({}, {"category_id": "x"}, {"category_id": cat, "download": "có"}):
        assert (await lecturer.get(f"{Q}/export/gift", params=params)).status_code == 422


@pytest.mark.parametrize("text", ["", "   ", "{=a}"])
async def test_gift_without_questions_is_refused_with_a_line(client_for, world, text):
    lecturer = await client_for("lecturer_a")
    cat = await _category(lecturer, "Rỗng")
    r = await lecturer.post(f"{Q}/import/gift", json={"category_id": cat, "text": text})
    assert r.status_code == 422 and r.json()["errors"][0]["line"] >= 1
