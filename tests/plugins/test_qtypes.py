"""The canonical question shapes of the quizzes plugin (``lms_quizzes.qtypes``): normalising,
validating every type, reading numbers the Vietnamese way and rendering text safely."""

from __future__ import annotations

import unicodedata
from typing import Any, get_args

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from lms_quizzes import qtypes
from lms_quizzes.models import QUESTION_TYPES as MODEL_TYPES
from lms_quizzes.qtypes import normalise, parse_number, render_text, validate
from lms_quizzes.questions import answer_problems, question_name
from lms_quizzes.schemas import QuestionType

VIETNAMESE = set("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")


def codes(question: dict[str, Any]) -> list[str]:
    problems = validate(normalise(question))
    for p in problems:  # every message is bilingual, Vietnamese first
        assert p.message and p.message_en and p.message != p.message_en
    return [p.code for p in problems]


def q(qtype: str, answers: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": qtype, "text": "Câu hỏi?", "answers": answers or [], **extra}


def choices(*fractions: float) -> list[dict[str, Any]]:
    return [{"text": f"Phương án {i}", "fraction": f} for i, f in enumerate(fractions)]


def test_type_list_agrees_with_the_model_and_the_api_schema():
    assert qtypes.QUESTION_TYPES == MODEL_TYPES
    assert set(get_args(QuestionType)) == set(qtypes.QUESTION_TYPES)
    assert set(qtypes.DEFAULT_OPTIONS) == set(qtypes.QUESTION_TYPES)


# --- normalise ---------------------------------------------------------------------------------


def test_normalise_fills_defaults_and_numbers_answers():
    decomposed = unicodedata.normalize("NFD", "  Hà Nội  ")
    out = normalise({"type": "single_choice", "text": "\r\nThủ đô   của Việt Nam?\r\nChọn một.\n",
                     "answers": [{"text": decomposed, "fraction": 1},
                                 {"text": "Huế", "fraction": 1 / 3, "extra": 1}],
                     "category_id": 7})
    assert out == {
        "type": "single_choice", "name": "Thủ đô của Việt Nam?",
        "text": "Thủ đô   của Việt Nam?\nChọn một.", "text_format": "markdown",
        "answers": [{"id": 1, "text": "Hà Nội", "fraction": 1.0, "feedback": ""},
                    {"id": 2, "text": "Huế", "fraction": 0.3333333, "feedback": "", "extra": 1}],
        "options": {"shuffle_answers": True}, "general_feedback": "",
    }
    assert list(out["answers"][0]) == ["id", "text", "fraction", "feedback"]  # id first
    assert codes(out) == ["unknown_key"]  # "extra" is reported, not silently stored


def test_normalise_keeps_existing_ids_and_numbers_new_ones_after_them():
    out = normalise(q("ordering", [{"id": 7, "text": "a"}, {"text": "b"}, {"id": 7, "text": "c"},
                                   {"id": 0, "text": "d"}, {"id": True, "text": "e"},
                                   {"id": 2, "text": "f"}]))
    assert [a["id"] for a in out["answers"]] == [7, 8, 9, 10, 11, 2]
    assert normalise(out) == out  # idempotent


def test_normalise_names_and_html_text():
    assert normalise(q("essay", name="  Bài   luận\n1 "))["name"] == "Bài luận 1"
    html = normalise({"type": "essay", "text": "<p>Trình bày <b>Nghị quyết</b> &amp; ý nghĩa</p>",
                      "text_format": "HTML"})
    assert html["text_format"] == "html"
    assert html["name"] == "Trình bày Nghị quyết & ý nghĩa"
    assert question_name("\n  Thủ   đô?\nA") == "Thủ đô?"  # questions.py re-exports it


@pytest.mark.parametrize("garbage", [
    None, [], "text", {}, {"type": 5}, {"type": ["x"]}, {"type": "single_choice", "answers": "x"},
    {"type": "single_choice", "answers": [1, None, "a"]}, {"type": "numerical", "options": []},
    {"type": "numerical", "answers": [{"kind": ["x"]}, {"value": "abc"}, {"min": None}]},
    {"type": "true_false", "answers": [{"value": "yes"}]}, {"type": "essay", "name": 3, "text": 4},
    {"type": "matching", "answers": [{"text": None, "match": 5}]},
    {"type": "single_choice", "answers": [{"text": "a", "fraction": float("inf")}]},
])
def test_normalise_and_validate_never_raise(garbage):
    problems = validate(normalise(garbage))
    assert problems and all(p.code for p in problems)
    assert validate(garbage)


@hsettings(max_examples=150, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["type", "text", "answers", "options", "id", "fraction", "value",
                         "kind", "min", "max", "match", "correct", "name", "text_format"]),
        children, max_size=5),
    max_leaves=12), st.sampled_from(qtypes.QUESTION_TYPES))
def test_validate_survives_any_json(data, qtype):
    question = {**data, "type": qtype} if isinstance(data, dict) else data
    validate(normalise(question))
    validate(question)


# --- choice types ----------------------------------------------------------------------------


def test_single_choice_rules():
    assert codes(q("single_choice", choices(1, 0, 0))) == []
    assert codes(q("single_choice", choices(1, 0.5, -0.25))) == []  # Moodle's ~%50% and ~%-25%
    assert codes(q("single_choice", choices(1, 1))) == ["single_needs_one_full"]
    assert codes(q("single_choice", choices(0.5, 0))) == ["single_needs_one_full"]
    assert codes(q("single_choice", choices(0, 0))) == ["no_correct_answer",
                                                        "single_needs_one_full"]
    assert codes(q("single_choice", choices(1, 1.5))) == ["bad_fraction"]
    assert codes(q("single_choice", choices(1, float("nan")))) == ["bad_fraction"]
    assert codes(q("single_choice", [{"text": "a", "fraction": True},
                                     {"text": "b", "fraction": 0}])) == ["bad_fraction"]
    assert codes(q("single_choice", choices(1))) == ["too_few_answers"]
    assert codes(q("single_choice", [{"text": " ", "fraction": 1}, {"text": "x",
                                                                    "fraction": 0}])) \
        == ["empty_answer"]
    problems = validate(normalise(q("single_choice", choices(1, 0, 2))))
    assert (problems[0].field, problems[0].index) == ("answers.2.fraction", 2)
    assert problems[0].as_dict()["message"].startswith("Phương án 3")


def test_multiple_response_rules():
    assert codes(q("multiple_response", choices(0.5, 0.5, -1))) == []
    assert codes(q("multiple_response", choices(1 / 3, 1 / 3, 1 / 3))) == []
    assert codes(q("multiple_response", choices(1, 0))) == []
    assert codes(q("multiple_response", choices(0.5, 0))) == ["sum_not_one"]
    assert codes(q("multiple_response", choices(0.7, 0.7))) == ["sum_not_one"]
    assert codes(q("multiple_response", choices(-1, 0))) == ["no_correct_answer"]
    assert codes(q("multiple_response", choices(1, 0), options={"shuffle_answers": "yes"})) \
        == ["bad_option"]


def test_answer_problems_still_answers_in_both_languages():
    assert answer_problems("single_choice", choices(1, 0)) == []
    assert answer_problems("true_false", choices(1, 0)) == []  # the API's two-answer rows
    assert answer_problems("true_false", choices(1, 0, 0))
    [(vi, en)] = answer_problems("multiple_response", choices(0.5, 0))
    assert "50%" in vi and "50%" in en and set(vi) & VIETNAMESE


# --- true / false ------------------------------------------------------------------------------


def test_true_false_shape():
    out = normalise({"type": "true_false", "text": "Hà Nội là thủ đô.",
                     "options": {"correct": False},
                     "answers": [{"value": False, "feedback": "Đúng rồi, là Sai."}]})
    assert codes(out) == ["true_false_answers"]  # one answer is not a true/false question
    out = normalise({"type": "true_false", "text": "x", "options": {"correct": False}})
    assert out["answers"] == [
        {"id": 1, "value": True, "text": "Đúng", "fraction": 0.0, "feedback": ""},
        {"id": 2, "value": False, "text": "Sai", "fraction": 1.0, "feedback": ""}]
    assert codes(out) == []


@pytest.mark.parametrize("answers,correct", [
    ([{"text": "Đúng", "fraction": 1}, {"text": "Sai", "fraction": 0}], True),
    ([{"text": "Sai", "fraction": 1}, {"text": "Đúng", "fraction": 0}], False),
    ([{"text": "Phải", "fraction": 0}, {"text": "Không", "fraction": 1}], False),  # positional
])
def test_true_false_rows_written_before_qtypes_are_read(answers, correct):
    out = normalise({"type": "true_false", "text": "x",
                     "answers": [{**a, "feedback": f"fb{a['fraction']}"} for a in answers]})
    assert out["options"] == {"correct": correct}
    assert [(a["id"], a["value"], a["fraction"]) for a in out["answers"]] == \
        [(1, True, float(correct)), (2, False, float(not correct))]
    assert out["answers"][0 if correct else 1]["feedback"] == "fb1"
    assert codes(out) == []


def test_true_false_rules():
    good = normalise({"type": "true_false", "text": "x", "options": {"correct": True}})
    assert codes(good) == []
    assert [p.code for p in validate({**good, "options": {"correct": "yes"}})] == ["bad_option"]
    # normalise repairs a missing truth from the fractions of the answers
    assert normalise({**good, "options": {}})["options"] == {"correct": True}
    tampered = {**good, "answers": [dict(good["answers"][0], fraction=0.0),
                                    good["answers"][1]]}
    assert [p.code for p in validate(tampered)] == ["true_false_answers"]
    assert normalise(tampered) == good  # the fractions always follow options["correct"]
    assert validate({**good, "answers": [dict(good["answers"][0], value=1),
                                         good["answers"][1]]})


# --- short answer and numerical ----------------------------------------------------------------


def test_short_answer_rules():
    ok = q("short_answer", [{"text": "Hà Nội", "fraction": 1}, {"text": "Ha*", "fraction": 0.5}])
    assert codes(ok) == []
    assert normalise(ok)["options"] == {"case_sensitive": False, "accent_sensitive": True}
    assert codes(q("short_answer")) == ["too_few_answers"]
    assert codes(q("short_answer", [{"text": " ", "fraction": 1}])) == ["empty_answer"]
    assert codes(q("short_answer", [{"text": "a", "fraction": -0.5}])) == ["bad_fraction"]
    assert codes(q("short_answer", [{"text": "a", "fraction": 0.5}])) == ["no_full_marks"]
    assert codes({**ok, "options": {"accent_sensitive": 0}}) == ["bad_option"]
    assert codes({**ok, "options": {"accents": False}}) == ["unknown_option"]


def test_numerical_shapes_and_rules():
    out = normalise(q("numerical", [{"value": "3,14", "tolerance": 0.01, "fraction": 1},
                                    {"min": 1, "max": "5", "fraction": 0.5},
                                    {"value": 7, "fraction": 0.5},
                                    {"value": "*", "fraction": 0, "feedback": "Chưa đúng"}]))
    assert out["answers"] == [
        {"id": 1, "kind": "tolerance", "value": 3.14, "tolerance": 0.01, "fraction": 1.0,
         "feedback": ""},
        {"id": 2, "kind": "range", "min": 1.0, "max": 5.0, "fraction": 0.5, "feedback": ""},
        {"id": 3, "kind": "tolerance", "value": 7.0, "tolerance": 0.0, "fraction": 0.5,
         "feedback": ""},
        {"id": 4, "kind": "any", "fraction": 0.0, "feedback": "Chưa đúng"},
    ]
    assert codes(out) == []
    assert codes(q("numerical")) == ["too_few_answers"]
    assert codes(q("numerical", [{"value": "ba", "fraction": 1}])) == ["bad_number"]
    assert codes(q("numerical", [{"value": 1, "tolerance": -1, "fraction": 1}])) \
        == ["bad_tolerance"]
    assert codes(q("numerical", [{"min": 5, "max": 1, "fraction": 1}])) == ["bad_range"]
    assert codes(q("numerical", [{"kind": "any", "fraction": 0},
                                 {"value": 1, "fraction": 1}])) == ["any_not_last"]
    assert codes(q("numerical", [{"kind": "any", "fraction": 1}])) == ["no_full_marks"]
    assert codes(q("numerical", [{"kind": "exact", "value": 1, "fraction": 1}])) \
        == ["bad_kind"]
    assert codes(q("numerical", [{"value": 1, "min": 0, "fraction": 1, "kind": "tolerance"}])) \
        == ["unknown_key"]


# --- matching, ordering, essay, description ---------------------------------------------------


def test_matching_rules():
    pairs = [{"text": "Hà Nội", "match": "Thủ đô"}, {"text": "Huế", "match": "Cố đô"},
             {"text": "", "match": "Thành phố cảng"}]
    assert codes(q("matching", pairs)) == []
    assert codes(q("matching", pairs[1:])) == ["too_few_pairs"]
    assert codes(q("matching", [pairs[0], {"text": "Huế", "match": " "}])) == ["empty_match"]
    assert codes(q("matching", [pairs[0], pairs[0]])) == ["duplicate_item"]
    assert codes(q("matching", [pairs[0], {**pairs[1], "fraction": 1}])) == ["unknown_key"]


def test_ordering_rules():
    items = [{"text": "Lập kế hoạch"}, {"text": "Thực hiện"}, {"text": "Đánh giá"}]
    out = normalise(q("ordering", items))
    assert out["options"] == {"grading": "absolute_position"}
    assert [a["id"] for a in out["answers"]] == [1, 2, 3]
    assert codes(out) == []
    for grading in qtypes.ORDERING_GRADINGS:
        assert codes(q("ordering", items, options={"grading": grading})) == []
    assert codes(q("ordering", items, options={"grading": "partial"})) == ["bad_option"]
    assert codes(q("ordering", items[:1])) == ["too_few_answers"]
    assert codes(q("ordering", [items[0], items[0]])) == ["duplicate_item"]
    assert codes(q("ordering", [items[0], {"text": ""}])) == ["empty_answer"]


def test_essay_and_description_rules():
    assert normalise(q("essay"))["options"] == {"min_words": 0, "max_words": 0,
                                                 "response_template": ""}
    assert codes(q("essay", options={"min_words": 50, "max_words": 300})) == []
    assert codes(q("essay", options={"min_words": 300, "max_words": 50})) == ["bad_word_limits"]
    assert codes(q("essay", options={"min_words": 10, "max_words": 0})) == []  # 0: no limit
    assert codes(q("essay", options={"min_words": -1})) == ["bad_option"]
    assert codes(q("essay", [{"text": "a"}])) == ["unexpected_answers"]
    assert codes(q("description")) == []
    assert codes(q("description", [{"text": "a"}])) == ["unexpected_answers"]
    assert codes(q("description", options={"x": 1})) == ["unknown_option"]


def test_common_rules():
    assert codes(q("multi_choice")) == ["unknown_type"]
    assert codes(q("essay", text="  ")) == ["missing_text"]
    assert codes(q("essay", name=" ", text="")) == ["missing_text"]
    assert [p.code for p in validate({**normalise(q("essay")), "name": ""})] == ["missing_name"]
    assert codes(q("essay", text_format="rtf")) == ["bad_format"]
    assert codes(q("essay", name="x" * 256)) == ["name_too_long"]
    assert codes(q("essay", text="a\x00b")) == ["nul_character"]
    assert codes(q("essay", general_feedback=3)) == ["bad_feedback"]
    problem = validate(normalise(q("bogus")))[0]
    assert set(problem.message) & VIETNAMESE and "not supported" in problem.message_en


# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,value", [
    ("3,14", 3.14), ("3.14", 3.14), (" -3,5 ", -3.5), ("−2", -2.0), ("+7", 7.0), ("42", 42.0),
    ("1.234.567", 1234567.0), ("1,234,567", 1234567.0), ("1 234 567", 1234567.0),
    ("1\u00a0234,5", 1234.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("1.000", 1.0),
    (",5", 0.5), ("12,", 12.0), ("1e3", 1000.0), ("1,5e-3", 0.0015), ("1e+16", 1e16),
    ("", None), ("  ", None), ("abc", None), ("3,14abc", None), ("1,2,3", None),
    ("1.234,5.6", None), ("1..5", None), ("nan", None), ("inf", None), ("1e999", None),
    ("--1", None), ("1_000", None), (".", None), ("-", None), ("0x10", None),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_parse_number_takes_only_strings():
    assert parse_number(3.14) is None  # type: ignore[arg-type]


# --- rendering ---------------------------------------------------------------------------------


def test_render_text_per_format():
    assert render_text("**Hà Nội** là _____.", "markdown") == \
        "<p><strong>Hà Nội</strong> là _____.</p>"
    assert "<hr" not in render_text("Điền vào:\n_____\nhết", "markdown")
    html = render_text('H<sub>2</sub>O <script>alert(1)</script><a href="javascript:x">a</a>'
                       '<img src="https://x/y.png" onerror="z">', "html")
    assert "<sub>2</sub>" in html and "script" not in html and "javascript" not in html
    assert "onerror" not in html
    assert render_text("a < b\nc", "plain") == "<p>a &lt; b<br>\nc</p>"
    assert render_text("<b>a</b>\nb<script>x</script>", "moodle") == "<b>a</b><br>\nb"
    assert render_text("Hà Nội", "markdown", inline=True) == "Hà Nội"
    assert render_text("a\n\nb", "markdown", inline=True) == "<p>a</p>\n<p>b</p>"
