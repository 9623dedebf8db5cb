"""The `quizzes` plugin: the Aiken parser (pure), the question-bank API (scoped to the caller's
institution), and the `quiz` module type."""

from __future__ import annotations

import string
import unicodedata
from types import SimpleNamespace
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from lms_quizzes import bank
from lms_quizzes.aiken import (
    ANSWER_RE, OPTION_RE, AikenOption, AikenQuestion, ErrorCode, parse_aiken, representable,
    to_aiken,
)
from lms_quizzes.models import QUESTION_TYPES, Question, QuestionCategory
from lms_quizzes.module_type import render_quiz, validate_quiz
from lms_quizzes.questions import CHOICE_TYPES, answer_problems, question_name
from lms_quizzes.schemas import ChoiceType, QuestionType

Q = "/api/v1/quizzes"


def codes(result) -> list[tuple[int, str]]:
    return [(e.line, e.code.value) for e in result.errors]


# --- the Aiken parser ----------------------------------------------------------------------


def test_parses_both_option_styles_and_keeps_vietnamese():
    r = parse_aiken("Thủ đô của Việt Nam là thành phố nào?\nA. Hà Nội\nB) Huế\nC. Đà Nẵng\n"
                    "ANSWER: A\n")
    assert r.ok and len(r.questions) == 1
    q = r.questions[0]
    assert (q.line, q.text, q.answer) == (1, "Thủ đô của Việt Nam là thành phố nào?", "A")
    assert [(o.letter, o.text, o.line) for o in q.options] == [
        ("A", "Hà Nội", 2), ("B", "Huế", 3), ("C", "Đà Nẵng", 4)]
    assert q.correct_index == 0


def test_decomposed_input_comes_out_nfc():
    text = "Thủ đô của Việt Nam?\nA. Hà Nội\nB. Huế\nANSWER: B\n"
    r = parse_aiken(unicodedata.normalize("NFD", text))
    q = r.questions[0]
    assert q.text == "Thủ đô của Việt Nam?" and unicodedata.is_normalized("NFC", q.text)
    assert [o.text for o in q.options] == ["Hà Nội", "Huế"]
    assert q.text != unicodedata.normalize("NFD", q.text)  # the diacritics are still there


@pytest.mark.parametrize("encode", [
    lambda t: t,
    lambda t: "\ufeff" + t,
    lambda t: t.replace("\n", "\r\n"),
    lambda t: t.replace("\n", "\r"),
    lambda t: t.encode("utf-8"),
    lambda t: t.encode("utf-8-sig").replace(b"\n", b"\r\n"),
], ids=["lf", "bom-str", "crlf", "cr", "bytes", "bytes-bom-crlf"])
def test_bom_and_line_endings_do_not_matter(encode):
    text = "Câu một\ndòng hai?\nA. Có\nB. Không\nANSWER: A\n\n\n\nCâu hai?\nA) x\nB) y\nANSWER: B"
    r = parse_aiken(encode(text))
    assert r.ok, r.errors
    assert [(q.line, q.text, q.answer) for q in r.questions] == [
        (1, "Câu một\ndòng hai?", "A"), (9, "Câu hai?", "B")]


def test_questions_need_no_blank_line_after_answer_and_text_keeps_paragraphs():
    r = parse_aiken("Đoạn một.\n\nĐoạn hai?\nA. a\nB. b\nANSWER: b\nCâu tiếp?\nA. c\n\nB. d\n"
                    "đáp án: A\n")
    assert r.ok, r.errors
    assert [(q.text, q.answer) for q in r.questions] == [
        ("Đoạn một.\n\nĐoạn hai?", "B"), ("Câu tiếp?", "A")]


def test_invalid_utf8_is_reported_with_its_line():
    r = parse_aiken("Câu?\nA. x\n".encode() + b"B. \xff\xfe\nANSWER: A\n")
    assert codes(r) == [(3, "encoding")] and r.questions == ()
    assert "UTF-8" in r.errors[0].message and "UTF-8" in r.errors[0].message_en


ERROR_CASES = [
    # missing ANSWER: a blank line then new text starts the next question
    ("Câu 1?\nA. x\nB. y\n\nCâu 2?\nA. x\nB. y\nANSWER: A\n", [(3, "missing_answer")]),
    # missing ANSWER at the end of the file
    ("Câu 1?\nA. x\nB. y\nC. z\n", [(4, "missing_answer")]),
    ("Câu 1?\nA. x\nB. y\nANSWER: E\n", [(4, "unknown_answer_letter")]),
    ("Câu 1?\nA. x\nANSWER: A\n", [(1, "too_few_options")]),
    ("Câu 1?\nANSWER: A\n", [(1, "too_few_options")]),
    ("Câu 1?\nA. x\nB. y\nA. z\nANSWER: A\n", [(4, "duplicate_letter")]),
    ("A. x\nB. y\nANSWER: A\n", [(1, "missing_question_text")]),
    ("Câu 1?\nA. x\nB.\nANSWER: A\n", [(3, "empty_option")]),
    ("Câu 1?\nA. x\nB- y\nANSWER: A\n", [(3, "unexpected_line")]),
    ("Câu 1?\nA. x\nB. y\nANSWER: A hoặc B\n", [(4, "bad_answer")]),
    ("Câu 1?\nA. x\nB. y\nANSWER:\n", [(4, "bad_answer")]),
    ("Câu 1?\nA. x\nB. y\nANSWER: A\nANSWER: B\n", [(5, "answer_without_question")]),
    ("Câu 1?\nA. x\nB. y\nANSWER: A\n\nCâu 2 chưa xong\nvẫn chưa\n\n", [(7, "missing_options")]),
    ("", [(1, "no_questions")]),
    ("\n  \n\n", [(1, "no_questions")]),
    ("Câu 1?\nA. x\x00\nB. y\nANSWER: A\n", [(2, "encoding")]),
]


@pytest.mark.parametrize("text, expected", [
    pytest.param(t, e, id=f"{e[0][1]}-{i}") for i, (t, e) in enumerate(ERROR_CASES)])
def test_each_error_kind_with_its_line(text, expected):
    r = parse_aiken(text)
    assert codes(r) == expected
    for e in r.errors:  # both languages, each saying what was expected
        assert e.message.startswith(f"Dòng {e.line}") or e.code == ErrorCode.NO_QUESTIONS
        assert "cần" in e.message and "expected" in e.message_en
        assert e.as_dict()["code"] == e.code.value


def test_every_error_kind_is_covered_above():
    kinds = {c.value for c in ErrorCode}
    covered = {"missing_answer", "unknown_answer_letter", "too_few_options", "duplicate_letter",
               "missing_question_text", "empty_option", "unexpected_line", "bad_answer",
               "answer_without_question", "missing_options", "no_questions", "encoding"}
    assert kinds == covered


def test_reports_all_errors_at_once_and_keeps_the_good_questions():
    text = "\n".join([
        "Câu tốt 1?",        # 1
        "A. một",            # 2
        "B. hai",            # 3
        "ANSWER: B",         # 4
        "",                  # 5
        "Câu lỗi chữ cái?",  # 6
        "A. một",            # 7
        "B. hai",            # 8
        "ANSWER: D",         # 9  unknown letter
        "Câu trùng?",        # 10
        "A. một",            # 11
        "A. hai",            # 12 duplicate
        "ANSWER: A",         # 13
        "Câu thiếu đáp án?",  # 14
        "A. một",            # 15
        "B. hai",            # 16 missing ANSWER
        "",                  # 17
        "Câu tốt 2?",        # 18
        "A) ba",             # 19
        "B) bốn",            # 20
        "ANSWER: A",         # 21
        "Câu một phương án?",  # 22
        "A. chỉ một",        # 23
        "ANSWER: A",         # 24 too few options (reported on the question's line)
    ])
    r = parse_aiken(text)
    assert codes(r) == [(9, "unknown_answer_letter"), (12, "duplicate_letter"),
                        (16, "missing_answer"), (22, "too_few_options")]
    assert [q.text for q in r.questions] == ["Câu tốt 1?", "Câu tốt 2?"]
    assert "D" in r.errors[0].message and "A, B" in r.errors[0].message_en


def test_unrepresentable_questions_are_refused_by_the_writer():
    good = AikenQuestion(1, "Câu?", (AikenOption("A", "x", 2), AikenOption("B", "y", 3)), "A")
    assert representable(good)
    assert parse_aiken(to_aiken([good])).questions[0].text == "Câu?"
    for bad in (
        AikenQuestion(1, "Câu?\nA. giống phương án", good.options, "A"),
        AikenQuestion(1, "ANSWER: A", good.options, "A"),
        AikenQuestion(1, "Câu?", good.options, "C"),
        AikenQuestion(1, "Câu?", (AikenOption("A", "x\ny", 2), AikenOption("B", "y", 3)), "A"),
    ):
        assert not representable(bad)
        with pytest.raises(ValueError):
            to_aiken([bad])


VIETNAMESE = ("aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụ"
              "ưừửữứựvxyỳỷỹýỵ")
ALPHABET = (VIETNAMESE + VIETNAMESE.upper() + string.ascii_letters + string.digits
            + " .,?!:;()-–«»\"'%/")


def _line() -> st.SearchStrategy[str]:
    chars = st.one_of(st.sampled_from(ALPHABET),
                      st.characters(categories=("Lu", "Ll", "Nd", "Po", "Zs"),
                                    max_codepoint=0x2FFF))
    return (st.text(chars, min_size=1, max_size=50)
            .map(lambda s: unicodedata.normalize("NFC", s).strip())
            .filter(lambda s: bool(s) and not OPTION_RE.match(s) and not ANSWER_RE.match(s)))


@st.composite
def aiken_questions(draw) -> AikenQuestion:
    lines = draw(st.lists(_line(), min_size=1, max_size=4))
    if len(lines) > 1 and draw(st.booleans()):  # a paragraph break inside the text
        lines.insert(draw(st.integers(1, len(lines) - 1)), "")
    letters = draw(st.lists(st.sampled_from(string.ascii_uppercase), min_size=2, max_size=7,
                            unique=True))
    options = tuple(AikenOption(letter, draw(_line()), 0) for letter in letters)
    return AikenQuestion(0, "\n".join(lines), options, draw(st.sampled_from(letters)))


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questions=st.lists(aiken_questions(), min_size=1, max_size=6),
       rnd=st.randoms(use_true_random=False))
def test_well_formed_aiken_round_trips(questions, rnd):
    """Write the questions in any of the accepted spellings; reading gives them back."""
    eol = rnd.choice(["\n", "\r\n", "\r"])

    def pad() -> str:
        return rnd.choice(["", "", " ", "\t", "  "])

    out: list[str] = []
    for q in questions:
        out.extend(pad() + ln + pad() for ln in q.text.split("\n"))
        for o in q.options:
            sep = rnd.choice([". ", ") ", ".\t", ")  "])
            out.append(f"{pad()}{o.letter}{sep}{o.text}{pad()}")
        answer = rnd.choice(["ANSWER: {}", "ANSWER:{}", "answer: {}", "ĐÁP ÁN: {}",
                             "ANSWER: {}."])
        out.append(pad() + answer.format(rnd.choice([q.answer, q.answer.lower()])) + pad())
        out.extend([""] * rnd.randint(0, 3))
    document = eol.join(out)
    if rnd.random() < 0.5:
        document = "\ufeff" + document
    source: str | bytes = document.encode() if rnd.random() < 0.5 else document
    result = parse_aiken(source)
    assert result.ok, result.errors
    expected = [(q.text, [(o.letter, o.text) for o in q.options], q.answer) for q in questions]
    assert [(q.text, [(o.letter, o.text) for o in q.options], q.answer)
            for q in result.questions] == expected
    again = parse_aiken(to_aiken(result.questions))  # and the writer agrees with the reader
    assert [(q.text, [(o.letter, o.text) for o in q.options], q.answer)
            for q in again.questions] == expected


# --- pure question rules -------------------------------------------------------------------


def test_type_lists_agree():
    assert set(get_args(ChoiceType)) == set(CHOICE_TYPES)
    assert set(get_args(QuestionType)) == set(QUESTION_TYPES)


def test_answer_rules():
    def a(*fractions: float) -> list[dict[str, Any]]:
        return [{"text": f"p{i}", "fraction": f} for i, f in enumerate(fractions)]

    assert answer_problems("single_choice", a(1, 0, 0)) == []
    assert answer_problems("single_choice", a(1, 0.5, -0.25)) == []
    assert answer_problems("single_choice", a(1, 1))  # two full marks
    assert answer_problems("single_choice", a(0.5, 0))  # none worth 100%
    assert answer_problems("single_choice", a(0, 0))  # nothing correct
    assert answer_problems("single_choice", a(1, 1.5))  # out of range
    assert answer_problems("single_choice", a(1, float("nan")))
    assert answer_problems("true_false", a(1, 0)) == []
    assert answer_problems("true_false", a(1, 0, 0))
    assert answer_problems("true_false", a(1, -1))
    assert answer_problems("multiple_response", a(0.5, 0.5, -1)) == []
    assert answer_problems("multiple_response", a(1 / 3, 1 / 3, 1 / 3)) == []
    assert answer_problems("multiple_response", a(0.5, 0))  # positives add up to 50%
    assert answer_problems("multiple_response", a(-1, 0))
    assert answer_problems("single_choice", [{"text": " ", "fraction": 1}, {"text": "x",
                                                                              "fraction": 0}])


def test_question_name_is_the_first_line_cut_at_a_word():
    assert question_name("\n  Thủ   đô?\nA") == "Thủ đô?"
    long = "Nghị quyết " * 30
    name = question_name(long)
    assert len(name) <= 100 and name.endswith("…") and name.startswith("Nghị quyết Nghị")


# --- the quiz module type ------------------------------------------------------------------


def test_validate_quiz_data():
    assert validate_quiz({"category": "Chuyển đổi số", "count": 10}) == []
    assert validate_quiz({"category": 7, "count": 1}) == []
    for bad in ({}, {"category": "x"}, {"count": 3}, {"category": "x", "count": 0},
                {"category": "x", "count": -2}, {"category": "x", "count": "10"},
                {"category": "x", "count": 2.5}, {"category": "x", "count": True},
                {"category": "x", "count": 10_000}, {"category": "", "count": 1},
                {"category": ["x"], "count": 1}, {"category": 0, "count": 1},
                {"category": "x", "count": 1, "cout": 2}):
        errors = validate_quiz(bad)
        assert errors, bad
        assert all("(" in e and ")" in e for e in errors)  # Vietnamese (English)
    assert validate_quiz([1, 2]) != []  # type: ignore[arg-type]


async def test_render_quiz_escapes_everything():
    module = SimpleNamespace(title="<script>alert(1)</script> Kiểm tra", title_en="",
                             data={"category": "<b>Nhóm</b> & Co", "count": 12})
    html = await render_quiz(None, module)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Kiểm tra" in html
    assert "&lt;b&gt;Nhóm&lt;/b&gt; &amp; Co" in html and "<strong>12</strong>" in html
    module.data = {"category": "x", "count": "<img src=x>"}
    html = await render_quiz(None, module)
    assert "<img" not in html and "chưa được cấu hình đúng" in html


# --- the API -------------------------------------------------------------------------------

GOOD = ("Thủ đô của Việt Nam là thành phố nào?\nA. Hà Nội\nB. Huế\nC. Đà Nẵng\nANSWER: A\n\n"
        "Nghị quyết nào nói về chuyển đổi số?\nA) Nghị quyết 52\nB) Nghị quyết 18\nANSWER: A\n")


async def new_category(client, name: str, parent_id: int | None = None) -> int:
    r = await client.post(f"{Q}/categories", json={"name": name, "parent_id": parent_id})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def choice(text: str, category_id: int, **extra: Any) -> dict[str, Any]:
    body = {"category_id": category_id, "type": "single_choice", "text": text,
            "answers": [{"text": "Đúng là vậy", "fraction": 1.0},
                        {"text": "Không phải", "fraction": 0.0}]}
    body.update(extra)
    return body


async def test_who_may_use_the_bank(client_for, anon, world):
    lecturer, admin = await client_for("lecturer_a"), await client_for("admin_a")
    cat = await new_category(lecturer, "Chương 1")
    assert (await admin.get(f"{Q}/categories")).status_code == 200
    for login in ("trainee_a", "supervisor_a", "planner_a"):
        c = await client_for(login)
        for method, url, body in (
            ("GET", f"{Q}/categories", None),
            ("POST", f"{Q}/categories", {"name": "x"}),
            ("GET", f"{Q}/questions", None),
            ("POST", f"{Q}/questions", choice("Câu?", cat)),
            ("POST", f"{Q}/import/aiken", {"category_id": cat, "text": GOOD}),
            ("POST", f"{Q}/import/aiken", {"category_id": cat, "text": GOOD, "preview": True}),
        ):
            r = await c.request(method, url, json=body)
            assert r.status_code == 403, (login, method, url, r.text)
            assert r.json()["extra_permission"] in ("quiz.view_bank", "quiz.manage")
    assert (await anon.get(f"{Q}/questions")).status_code == 401
    assert await Question.all().count() == 0


async def test_import_preview_writes_nothing_then_commit_writes_all(client_for, world):
    lecturer = await client_for("lecturer_a")
    cat = await new_category(lecturer, "Ngân hàng chung")
    r = await lecturer.post(f"{Q}/import/aiken",
                            json={"category_id": cat, "text": GOOD, "preview": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["preview"] is True and body["count"] == 2 and body["errors"] == []
    first = body["questions"][0]
    assert first["name"] == "Thủ đô của Việt Nam là thành phố nào?" and first["answer"] == "A"
    assert [a["fraction"] for a in first["answers"]] == [1.0, 0.0, 0.0]
    assert await Question.all().count() == 0

    r = await lecturer.post(f"{Q}/import/aiken", json={"category_id": cat, "text": GOOD})
    assert r.status_code == 200, r.text
    assert r.json()["preview"] is False and r.json()["count"] == 2
    ids = r.json()["ids"]
    one = (await lecturer.get(f"{Q}/questions/{ids[1]}")).json()
    assert one["type"] == "single_choice" and one["category"] == {"id": cat,
                                                                  "name": "Ngân hàng chung"}
    assert one["answers"] == [{"text": "Nghị quyết 52", "fraction": 1.0, "feedback": ""},
                              {"text": "Nghị quyết 18", "fraction": 0.0, "feedback": ""}]
    assert one["text_html"] == "<p>Nghị quyết nào nói về chuyển đổi số?</p>\n"
    assert one["created_by_id"] == world.users["lecturer_a"] and one["version"] == 1
    rows = await Question.filter(id__in=ids).values("institution_id", "search_key")
    assert {r["institution_id"] for r in rows} == {world.inst["a"]}
    assert any("thu do cua viet nam" in r["search_key"] for r in rows)


async def test_import_is_all_or_nothing(client_for, world):
    lecturer = await client_for("lecturer_a")
    cat = await new_category(lecturer, "Chương 2")
    text = GOOD + "\nCâu lỗi?\nA. x\nB. y\nANSWER: Z\n"
    r = await lecturer.post(f"{Q}/import/aiken", json={"category_id": cat, "text": text})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem")
    problem = r.json()
    assert [(e["line"], e["code"]) for e in problem["errors"]] == [(15, "unknown_answer_letter")]
    assert problem["valid_questions"] == 2 and "15" in problem["detail"]
    assert await Question.all().count() == 0
    preview = (await lecturer.post(f"{Q}/import/aiken", json={
        "category_id": cat, "text": text, "preview": True})).json()
    assert preview["count"] == 2 and [e["line"] for e in preview["errors"]] == [15]
    r = await lecturer.post(f"{Q}/import/aiken", json={"category_id": cat, "text": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "no_questions"


async def test_import_size_is_capped(client_for, world, monkeypatch):
    monkeypatch.setattr(bank, "MAX_IMPORT_QUESTIONS", 1)
    lecturer = await client_for("lecturer_a")
    cat = await new_category(lecturer, "Chương lớn")
    r = await lecturer.post(f"{Q}/import/aiken", json={"category_id": cat, "text": GOOD})
    assert r.status_code == 422 and "tối đa 1 câu" in r.json()["detail_vi"]
    assert await Question.all().count() == 0
    r = await lecturer.post(f"{Q}/import/aiken",
                            json={"category_id": cat, "text": GOOD, "preview": True})
    assert r.status_code == 200 and r.json()["count"] == 2


async def test_import_rolls_back_when_a_write_fails_half_way(app, world, monkeypatch):
    category = await bank.create_category(world.inst["a"], "Chương 3")
    questions = parse_aiken(GOOD + "\nCâu ba?\nA. x\nB. y\nANSWER: B\n").questions
    assert len(questions) == 3
    real_create = Question.create.__func__
    calls = []

    async def failing_create(cls, **kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return await real_create(cls, **kwargs)

    monkeypatch.setattr(Question, "create", classmethod(failing_create))
    with pytest.raises(RuntimeError):
        await bank.import_questions(world.inst["a"], category.id, questions, None)
    monkeypatch.undo()
    assert len(calls) == 2 and await Question.all().count() == 0


async def test_search_ignores_diacritics_and_filters(client_for, world):
    lecturer = await client_for("lecturer_a")
    root = await new_category(lecturer, "Địa lý")
    child = await new_category(lecturer, "Miền Bắc", root)
    grandchild = await new_category(lecturer, "Thủ đô", child)
    other = await new_category(lecturer, "Khác")
    made = {}
    for key, text, cat, comps in (
        ("hn", "Thủ đô **Hà Nội** có bao nhiêu quận?", grandchild, ["DL.01", "HC"]),
        ("hp", "Hải Phòng thuộc miền nào?", child, ["DL.01"]),
        ("hue", "Huế từng là kinh đô?", other, []),
    ):
        r = await lecturer.post(f"{Q}/questions", json=choice(text, cat, competencies=comps))
        assert r.status_code == 201, r.text
        made[key] = r.json()["id"]

    async def ids(**params) -> list[int]:
        r = await lecturer.get(f"{Q}/questions", params=params)
        assert r.status_code == 200, r.text
        assert r.json()["total"] == len(r.json()["items"])
        return sorted(i["id"] for i in r.json()["items"])

    assert await ids(q="ha noi") == [made["hn"]]
    assert await ids(q="HÀ NỘI") == [made["hn"]]
    assert await ids(q="  thu   do ha ") == [made["hn"]]
    assert await ids(q=unicodedata.normalize("NFD", "hà nội")) == [made["hn"]]
    assert await ids(q="hai phong") == [made["hp"]]
    assert await ids(q="ha noi hue") == []
    assert await ids(category_id=root) == sorted([made["hn"], made["hp"]])
    assert await ids(category_id=child) == sorted([made["hn"], made["hp"]])
    assert await ids(category_id=grandchild) == [made["hn"]]
    assert await ids(competency="DL.01") == sorted([made["hn"], made["hp"]])
    assert await ids(competency="HC") == [made["hn"]]
    assert await ids(competency="DL") == []  # whole codes only, not prefixes
    assert await ids(competency="DL.01", q="hai") == [made["hp"]]
    assert await ids() == sorted(made.values())
    r = await lecturer.get(f"{Q}/questions", params={"limit": 1})
    assert r.json()["total"] == 3 and len(r.json()["items"]) == 1
    one = (await lecturer.get(f"{Q}/questions/{made['hn']}")).json()
    assert one["text_html"] == "<p>Thủ đô <strong>Hà Nội</strong> có bao nhiêu quận?</p>"
    assert one["competencies"] == ["DL.01", "HC"]


async def test_category_tree(client_for, world):
    lecturer = await client_for("lecturer_a")
    b = await new_category(lecturer, "Bồi dưỡng")
    a = await new_category(lecturer, "An ninh")
    b1 = await new_category(lecturer, "Chương 1", b)
    b11 = await new_category(lecturer, "Mục 1.1", b1)
    assert (await lecturer.post(f"{Q}/questions", json=choice("Câu?", b11))).status_code == 201
    items = (await lecturer.get(f"{Q}/categories")).json()["items"]
    assert [(i["id"], i["depth"], i["parent_id"]) for i in items] == [
        (a, 0, None), (b, 0, None), (b1, 1, b), (b11, 2, b1)]
    assert [(i["question_count"], i["total_count"]) for i in items] == [
        (0, 0), (0, 1), (0, 1), (1, 1)]
    assert items[3]["path"] == f"/{b}/{b1}/{b11}/"
    r = await lecturer.post(f"{Q}/categories", json={"name": "Chương 1", "parent_id": b})
    assert r.status_code == 409
    assert (await lecturer.post(f"{Q}/categories", json={"name": "Chương 1"})).status_code == 201
    r = await lecturer.post(f"{Q}/categories", json={"name": "x", "parent_id": 999999})
    assert r.status_code == 422


async def test_invalid_question_bodies_are_422_never_500(client_for, world):
    lecturer = await client_for("lecturer_a")
    cat = await new_category(lecturer, "Chương 4")
    ok = choice("Câu?", cat)
    bad_bodies = [
        {**ok, "answers": [{"text": "a", "fraction": 1.0}, {"text": "b", "fraction": 1.0}]},
        {**ok, "answers": [{"text": "a", "fraction": 0.5}, {"text": "b", "fraction": 0.0}]},
        {**ok, "answers": [{"text": "a", "fraction": 1.5}, {"text": "b", "fraction": 0.0}]},
        {**ok, "answers": [{"text": "a", "fraction": "1"}, {"text": "b", "fraction": 0.0}]},
        {**ok, "answers": [{"text": "a", "fraction": True}, {"text": "b", "fraction": 0.0}]},
        {**ok, "answers": [{"text": "a", "fraction": 1.0}]},
        {**ok, "answers": [{"text": "", "fraction": 1.0}, {"text": "b", "fraction": 0.0}]},
        {**ok, "answers": [{"text": "a", "fraction": 1.0, "grade": 1}, {"text": "b",
                                                                         "fraction": 0}]},
        {**ok, "type": "true_false", "answers": [{"text": "Đúng", "fraction": 1.0},
                                                 {"text": "Sai", "fraction": 0.0},
                                                 {"text": "?", "fraction": 0.0}]},
        {**ok, "type": "multiple_response", "answers": [{"text": "a", "fraction": 0.5},
                                                        {"text": "b", "fraction": 0.0}]},
        {**ok, "type": "essay"},
        {**ok, "type": None},
        {**ok, "text": ""},
        {**ok, "text": "có\x00nul"},
        {**ok, "category_id": 0},
        {**ok, "category_id": 2**40},
        {**ok, "competencies": ["có dấu"]},
        {**ok, "unknown": 1},
        {k: v for k, v in ok.items() if k != "answers"},
        [],
        "chuỗi",
    ]
    for body in bad_bodies:
        r = await lecturer.post(f"{Q}/questions", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail_vi"] and r.json()["detail_en"]
    r = await lecturer.post(f"{Q}/questions", json=bad_bodies[0])
    assert "đúng một phương án" in r.json()["detail_vi"]
    assert r.json()["errors"][0]["field"] == "answers"
    for body in ({"category_id": cat, "text": 5}, {"category_id": cat}, {"text": GOOD},
                 {"category_id": cat, "text": GOOD, "preview": "có"},
                 {"category_id": cat, "text": "x\x00"}):
        r = await lecturer.post(f"{Q}/import/aiken", json=body)
        assert r.status_code == 422, (body, r.text)
    r = await lecturer.post(f"{Q}/questions", content=b"null",
                            headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    for raw in (b"{not json", b'{"category_id": 1,'):
        r = await lecturer.post(f"{Q}/questions", content=raw,
                                headers={"Content-Type": "application/json"})
        assert r.status_code == 400
    r = await lecturer.post(f"{Q}/questions", content=b"x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    for params in ({"category_id": "abc"}, {"limit": 0}, {"competency": "có"}, {"type": "x"},
                   {"bogus": "1"}):
        assert (await lecturer.get(f"{Q}/questions", params=params)).status_code == 422
    assert (await lecturer.get(f"{Q}/questions/999999")).status_code == 404
    assert await Question.all().count() == 0
    # and the valid ones are accepted
    good = [ok,
            {**ok, "type": "true_false", "answers": [{"text": "Đúng", "fraction": 1},
                                                     {"text": "Sai", "fraction": 0}]},
            {**ok, "type": "multiple_response", "general_feedback": "Xem Điều 3.",
             "answers": [{"text": "a", "fraction": 0.5, "feedback": "Đúng một nửa"},
                         {"text": "b", "fraction": 0.5}, {"text": "c", "fraction": -1}]}]
    for body in good:
        r = await lecturer.post(f"{Q}/questions", json=body)
        assert r.status_code == 201, r.text
        assert r.json()["type"] == body["type"] and r.json()["name"] == "Câu?"


async def test_institutions_never_see_each_others_bank(client_for, world):
    lect_a, lect_b = await client_for("lecturer_a"), await client_for("lecturer_b")
    admin_b = await client_for("admin_b")
    cat_a = await new_category(lect_a, "Bí mật A")
    r = await lect_a.post(f"{Q}/import/aiken", json={"category_id": cat_a, "text": GOOD})
    assert r.status_code == 200
    q_a = r.json()["ids"][0]
    cat_b = await new_category(lect_b, "Ngân hàng B")
    await lect_b.post(f"{Q}/questions", json=choice("Hà Nội của B?", cat_b))

    for client in (lect_b, admin_b):
        cats = (await client.get(f"{Q}/categories")).json()["items"]
        assert [c["id"] for c in cats] == [cat_b]
        listed = (await client.get(f"{Q}/questions")).json()
        assert listed["total"] == 1 and listed["items"][0]["text"] == "Hà Nội của B?"
        assert (await client.get(f"{Q}/questions", params={"q": "viet nam"})).json() == {
            "total": 0, "items": []}
        assert (await client.get(f"{Q}/questions/{q_a}")).status_code == 404
        r = await client.get(f"{Q}/questions", params={"category_id": cat_a})
        assert r.status_code == 404
        for preview in (True, False):
            r = await client.post(f"{Q}/import/aiken",
                                  json={"category_id": cat_a, "text": GOOD, "preview": preview})
            assert r.status_code == 404, r.text
        r = await client.post(f"{Q}/questions", json=choice("Chen vào A?", cat_a))
        assert r.status_code == 404
        r = await client.post(f"{Q}/categories", json={"name": "Con", "parent_id": cat_a})
        assert r.status_code == 422
    assert await Question.filter(category_id=cat_a).count() == 2
    assert await QuestionCategory.filter(parent_id=cat_a).count() == 0
    assert await Question.filter(institution_id=world.inst["b"]).count() == 1
    # the same names are fine in another institution
    assert (await lect_b.post(f"{Q}/categories", json={"name": "Bí mật A"})).status_code == 201


async def test_quiz_module_is_registered_and_rendered_in_a_course(app, client_for, world):
    from lms_core.models import CourseModule

    mtype = app.state.lms.plugins.registry.module_types["quiz"]
    assert mtype.validate is validate_quiz and mtype.render is render_quiz
    await CourseModule.create(course_id=world.courses["a"], key="kiem-tra", type="quiz",
                              title="Kiểm tra <cuối khoá>", position=9,
                              data={"category": "Chuyển đổi số", "count": 10})
    trainee = await client_for("trainee_a")
    r = await trainee.get(f"/courses/{world.courses['a']}/m/kiem-tra")
    assert r.status_code == 200, r.text
    assert "Kiểm tra &lt;cuối khoá&gt;" in r.text and "<cuối khoá>" not in r.text
    assert "<strong>10</strong> câu hỏi" in r.text and "Chuyển đổi số" in r.text


async def test_routes_are_in_the_openapi_document(anon):
    paths = (await anon.get("/api/v1/openapi.json")).json()["paths"]
    assert set(paths[f"{Q}/questions"]) == {"get", "post"}
    assert "post" in paths[f"{Q}/import/aiken"] and "get" in paths[f"{Q}/questions/{{question_id}}"]
