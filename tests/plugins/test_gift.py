"""Moodle GIFT import and export (``lms_quizzes.gift``): every feature of the format, every
malformed input with its line and code, and ``parse(dump(qs)) == qs`` on generated questions."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings as hsettings, strategies as st

from lms_quizzes import gift
from lms_quizzes.gift import dump, export, parse
from lms_quizzes.qtypes import BLANK, TEXT_FORMATS, normalise, validate


def one(source: str | bytes) -> dict[str, Any]:
    result = parse(source)
    assert result.ok, result.errors
    assert len(result.questions) == 1
    return result.questions[0].question


def errors(source: str | bytes) -> list[tuple[int, str]]:
    result = parse(source)
    for e in result.errors:
        assert e.message.startswith(f"Dòng {e.line}: ") and e.message_en.startswith(
            f"Line {e.line}: ")
    return [(e.line, e.code) for e in result.errors]


# --- names, comments, categories, formats ------------------------------------------------------


def test_names_comments_and_default_names():
    result = parse("// Đề kiểm tra chương 1\n::Câu 1:: Thủ đô? {=Hà Nội ~Huế}\n\n"
                   "Thủ đô của\n// ghi chú giữa câu hỏi\nViệt Nam là? {=Hà Nội ~Huế}\n")
    assert result.ok
    first, second = result.questions
    assert (first.line, first.question["name"], first.question["text"]) == (2, "Câu 1", "Thủ đô?")
    assert (second.line, second.question["name"]) == (4, "Thủ đô của")
    assert second.question["text"] == "Thủ đô của\nViệt Nam là?"  # the comment line is gone


def test_categories_are_reported_per_question():
    result = parse(
        "$CATEGORY: Chuyển đổi số/Chương 1\n\nA {T}\n\n"
        "$CATEGORY: $course$/top/Luật//Nghị định/Phần 2\n\nB {F}\n\n"
        "$CATEGORY:\n\nC {T}\n\n// đầu tệp không có danh mục\n$category: Một\nD {T}\n")
    assert result.ok
    assert [(q.question["text"], q.category) for q in result.questions] == [
        ("A", ("Chuyển đổi số", "Chương 1")), ("B", ("Luật/Nghị định", "Phần 2")), ("C", ()),
        ("D", ("Một",))]
    assert parse("A {T}").questions[0].category == ()


@pytest.mark.parametrize("prefix,fmt", [
    ("", "moodle"), ("[markdown]", "markdown"), ("[html]", "html"), ("[plain]", "plain"),
    ("[moodle]", "moodle"), ("[HTML]", "html"), (" [plain] ", "plain"),
])
def test_text_formats(prefix, fmt):
    question = one(f"::n::{prefix}Văn bản **đậm**{{=a#[{fmt}]nhận xét ~b}}")
    assert (question["text_format"], question["text"]) == (fmt, "Văn bản **đậm**")
    assert question["answers"][0]["feedback"] == "nhận xét"


def test_brackets_that_are_not_a_format():
    assert one("::n::[moodle][Note] a {T}")["text"] == "[Note] a"
    assert one("[Chương 1] Câu hỏi {T}")["text"] == "[Chương 1] Câu hỏi"
    assert one("Q {=[x] a ~b}")["answers"][0]["text"] == "[x] a"


# --- answers ---------------------------------------------------------------------------------


def test_multiple_choice_with_feedback_weights_and_general_feedback():
    question = one("::Thủ đô::Thủ đô của Việt Nam là thành phố nào? {\n"
                   "  =Hà Nội#Chính xác!\n"
                   "  ~%50%Thăng Long # Tên cũ, được một nửa\n"
                   "  ~%-100%Huế#Cố đô triều Nguyễn\n"
                   "  ~Đà Nẵng\n"
                   "  ####Hà Nội là thủ đô từ 1945.\n}")
    assert question == normalise({
        "type": "single_choice", "name": "Thủ đô", "text_format": "moodle",
        "text": "Thủ đô của Việt Nam là thành phố nào?",
        "answers": [
            {"id": 1, "text": "Hà Nội", "fraction": 1.0, "feedback": "Chính xác!"},
            {"id": 2, "text": "Thăng Long", "fraction": 0.5, "feedback": "Tên cũ, được một nửa"},
            {"id": 3, "text": "Huế", "fraction": -1.0, "feedback": "Cố đô triều Nguyễn"},
            {"id": 4, "text": "Đà Nẵng", "fraction": 0.0, "feedback": ""}],
        "general_feedback": "Hà Nội là thủ đô từ 1945."})


def test_weighted_answers_without_equals_make_a_multiple_response_question():
    question = one("Chọn các cơ quan lập pháp, hành pháp: {~%50%Quốc hội ~%50%Chính phủ "
                   "~%-100%Tòa án}")
    assert question["type"] == "multiple_response"
    assert [a["fraction"] for a in question["answers"]] == [0.5, 0.5, -1.0]
    thirds = one("Q {~%33.33333%a ~%33,33333%b ~%33.33333%c ~%-33.33333%d}")
    assert [a["fraction"] for a in thirds["answers"]] == [0.3333333] * 3 + [-0.3333333]
    assert one("Q {~%100%a ~b}")["type"] == "multiple_response"
    assert one("Q {=%50%a ~b =c}")["answers"][0]["fraction"] == 0.5  # a weight after = too


def test_fill_the_blank_keeps_a_marker():
    assert one("Grant được {~chôn =an táng ~sống} ở lăng Grant.")["text"] == \
        f"Grant được {BLANK} ở lăng Grant."
    assert one("{=Hà Nội ~Huế} là thủ đô.")["text"] == f"{BLANK} là thủ đô."
    assert one("Thủ đô là?   {=Hà Nội ~Huế}   ")["text"] == "Thủ đô là?"


def test_escapes():
    question = one(r"::a\:b\:\:c:: 1 \+ 1 \= 2\; \{x\} \~ \# a\\b\nhai\\n {"
                   "\n=\\=\\~\\#\\{\\}\\:#phản\\#hồi ~b\\\\}")
    assert question["name"] == "a:b::c"
    assert question["text"] == "1 \\+ 1 = 2\\; {x} ~ # a\\b\nhai\\n"
    assert question["answers"][0] == {"id": 1, "text": "=~#{}:", "fraction": 1.0,
                                      "feedback": "phản#hồi"}
    assert question["answers"][1]["text"] == "b\\"


def test_multi_line_questions_and_answers():
    result = parse("\n\n::Nhiều dòng::Dòng một\ndòng hai\n{\n=Đáp án\ntrên hai dòng#nhận\nxét\n"
                   "~Sai\n}\n")
    question = result.questions[0]
    assert question.line == 3
    assert question.question["text"] == "Dòng một\ndòng hai"
    assert question.question["answers"][0]["text"] == "Đáp án\ntrên hai dòng"
    assert question.question["answers"][0]["feedback"] == "nhận\nxét"


@pytest.mark.parametrize("block,correct", [
    ("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False), ("{ true }", True),
    ("{False}", False),
])
def test_true_false(block, correct):
    question = one(f"Hà Nội là thủ đô. {block}")
    assert question["type"] == "true_false" and question["options"] == {"correct": correct}
    assert [a["fraction"] for a in question["answers"]] == [float(correct), float(not correct)]


def test_true_false_feedback_is_wrong_then_right():
    question = one("Hà Nội là thủ đô. {TRUE#Sai rồi.#Đúng vậy!####Từ 1945.}")
    assert [a["feedback"] for a in question["answers"]] == ["Đúng vậy!", "Sai rồi."]
    assert question["general_feedback"] == "Từ 1945."
    question = one("Huế là thủ đô. {F#Sai rồi.#Đúng vậy!}")
    # the trainee who answers "true" is wrong: the true answer carries the wrong feedback
    assert [a["feedback"] for a in question["answers"]] == ["Sai rồi.", "Đúng vậy!"]
    assert [a["feedback"] for a in one("X {T##Chỉ đúng}")["answers"]] == ["Chỉ đúng", ""]


def test_short_answer():
    question = one("Thủ đô là {=Hà Nội =%50%Ha Noi#Thiếu dấu =Hà *#Gần đúng}.")
    assert question["type"] == "short_answer"
    assert [(a["text"], a["fraction"], a["feedback"]) for a in question["answers"]] == [
        ("Hà Nội", 1.0, ""), ("Ha Noi", 0.5, "Thiếu dấu"), ("Hà *", 1.0, "Gần đúng")]
    assert question["options"] == {"case_sensitive": False, "accent_sensitive": True}
    assert [a["text"] for a in one("Ai? {Nguyễn Trãi =Ức Trai}")["answers"]] == \
        ["Nguyễn Trãi", "Ức Trai"]  # Moodle reads a first answer written without "="
    assert one("X {=T}")["type"] == "short_answer"


@pytest.mark.parametrize("block,answers", [
    ("{#3.14:0.01}", [{"kind": "tolerance", "value": 3.14, "tolerance": 0.01}]),
    ("{#3,14:0,01}", [{"kind": "tolerance", "value": 3.14, "tolerance": 0.01}]),
    ("{#42}", [{"kind": "tolerance", "value": 42.0, "tolerance": 0.0}]),
    ("{#-5..-1}", [{"kind": "range", "min": -5.0, "max": -1.0}]),
    ("{#1..5}", [{"kind": "range", "min": 1.0, "max": 5.0}]),
    ("{#1e3:1.5e1}", [{"kind": "tolerance", "value": 1000.0, "tolerance": 15.0}]),
    ("{#1890\\:2}", [{"kind": "tolerance", "value": 1890.0, "tolerance": 2.0}]),
])
def test_numerical_forms(block, answers):
    question = one(f"Số? {block}")
    assert question["type"] == "numerical"
    assert [{k: v for k, v in a.items() if k not in ("id", "fraction", "feedback")}
            for a in question["answers"]] == answers


def test_numerical_with_weights_feedback_and_other_numbers():
    question = one("Năm sinh Chủ tịch Hồ Chí Minh? {#\n"
                   "  =1890:0#Chính xác\n"
                   "  =%50%1890:2#Gần đúng\n"
                   "  ~#Xem lại tiểu sử\n"
                   "}")
    assert question["answers"] == [
        {"id": 1, "kind": "tolerance", "value": 1890.0, "tolerance": 0.0, "fraction": 1.0,
         "feedback": "Chính xác"},
        {"id": 2, "kind": "tolerance", "value": 1890.0, "tolerance": 2.0, "fraction": 0.5,
         "feedback": "Gần đúng"},
        {"id": 3, "kind": "any", "fraction": 0.0, "feedback": "Xem lại tiểu sử"}]
    spaced = one("Pi? {# =%100%3.14:0.01 =%50%3.1:0.1 }")
    assert [(a["value"], a["tolerance"], a["fraction"]) for a in spaced["answers"]] == \
        [(3.14, 0.01, 1.0), (3.1, 0.1, 0.5)]


def test_matching_with_a_distractor():
    question = one("Ghép cơ quan với chức năng. {\n =Quốc hội -> Lập pháp\n"
                   " =Chính phủ -> Hành pháp\n = -> Tư pháp\n####Theo Hiến pháp 2013.}")
    assert question["type"] == "matching"
    assert question["answers"] == [{"id": 1, "text": "Quốc hội", "match": "Lập pháp"},
                                   {"id": 2, "text": "Chính phủ", "match": "Hành pháp"},
                                   {"id": 3, "text": "", "match": "Tư pháp"}]
    assert question["general_feedback"] == "Theo Hiến pháp 2013."
    arrows = one(r"Q {=a -\> b -> c -> d =e -> f}")["answers"][0]
    assert (arrows["text"], arrows["match"]) == ("a -> b", "c -> d")


def test_essay_and_description():
    essay = one("::Luận::Trình bày ý nghĩa của chuyển đổi số. {}")
    assert (essay["type"], essay["answers"], essay["general_feedback"]) == ("essay", [], "")
    assert essay["options"] == {"min_words": 0, "max_words": 0, "response_template": ""}
    assert one("Trình bày. {####Gợi ý: nêu 3 ý.}")["general_feedback"] == "Gợi ý: nêu 3 ý."
    description = one("::Giới thiệu::Phần sau gồm 10 câu hỏi về Luật Cán bộ, công chức.")
    assert (description["type"], description["name"]) == ("description", "Giới thiệu")


def test_bytes_bom_and_line_endings():
    assert one("\ufeff::a::Q {T}".encode())["name"] == "a"
    assert len(parse(b"A {T}\r\n\r\nB {F}\rC\r\n").questions) == 2
    decomposed = unicodedata.normalize("NFD", "Hà Nội {T}")
    assert one(decomposed)["text"] == "Hà Nội"
    assert errors(b"A {T}\n\nB \xff {T}") == [(3, "encoding")]


# --- malformed input ---------------------------------------------------------------------------


@pytest.mark.parametrize("source,expected", [
    ("", [(1, "no_questions")]),
    ("// chỉ có ghi chú\n\n$CATEGORY: a", [(1, "no_questions")]),
    ("::Tên chưa đóng Q {T}", [(1, "unclosed_name")]),
    ("Q1\n{=a\n~b", [(2, "unclosed_brace")]),
    ("Q {=a ~b\n\nQ2 {T}", [(1, "unclosed_brace")]),
    ("Q =a ~b}", [(1, "unexpected_brace")]),
    ("Q {=a {~b}", [(1, "unexpected_brace")]),
    ("Q1 {T}\nQ2 {F}", [(2, "unexpected_brace")]),  # the blank line between them is missing
    ("::n::[rtf]Q {T}", [(1, "unknown_format")]),
    ("::n::[Note]Q {T}", [(1, "unknown_format")]),
    ("[html]Q {\n=a\n~[markdown]b}", [(3, "format_mismatch")]),
    ("Q {\n=a\n~%150%b\n}", [(3, "bad_weight")]),
    ("Q {=a ~%abc%b}", [(1, "bad_weight")]),
    ("Q {=a ~%%b}", [(1, "bad_weight")]),
    ("Q {#abc}", [(1, "bad_number")]),
    ("Q {#\n=1..x\n}", [(2, "bad_number")]),
    ("Q {#3.14:0.0.1}", [(1, "bad_number")]),
    ("Q {#=1 ~5}", [(1, "bad_number")]),
    ("Q {#}", [(1, "too_few_answers")]),
    ("Q {#5..1}", [(1, "bad_range")]),
    ("Q {#=%50%5}", [(1, "no_full_marks")]),
    ("Q {\n=a -> b\n}", [(1, "too_few_pairs")]),
    ("Q {=a -> b = -> c}", [(1, "too_few_pairs")]),
    ("Q {\n=a -> b\n=c\n}", [(3, "bad_pair")]),
    ("Q {=a -> b#hay =c -> d}", [(1, "unexpected_feedback")]),
    ("Q {rác =a -> b =c -> d}", [(1, "unexpected_text")]),
    ("Q {rác ~a =b}", [(1, "unexpected_text")]),
    ("Q {\n=a\n=b\n~c\n}", [(1, "single_needs_one_full")]),
    ("Q {~a ~b}", [(1, "no_correct_answer")]),
    ("Q {=a}", []),  # a one-answer short answer is fine...
    ("Q {=a ~}", [(1, "empty_answer")]),
    ("Q {=%50%a}", [(1, "no_full_marks")]),
    ("Q {=%-50%a =b}", [(1, "bad_fraction")]),
    ("::n::{T}", [(1, "missing_text")]),
    ("Q {T}\n\nA\x00 {T}", [(3, "encoding")]),
])
def test_malformed_input(source, expected):
    assert errors(source) == expected


def test_every_error_is_collected_and_nothing_half_imported():
    source = ("::Tốt:: A {T}\n\n"
              "::Hỏng 1:: B {=x ~%200%y}\n\n"
              "::Tốt 2:: C {=Hà Nội}\n\n"
              "::Hỏng 2::\nD\n{#\n=ba phẩy mười bốn\n}\n\n"
              "::Hỏng 3:: E {=a -> b}\n")
    result = parse(source)
    assert not result.ok
    assert [(e.line, e.code) for e in result.errors] == [
        (3, "bad_weight"), (10, "bad_number"), (13, "too_few_pairs")]
    assert [q.question["name"] for q in result.questions] == ["Tốt", "Tốt 2"]
    error = result.errors[0].as_dict()
    assert error["message"] == ("Dòng 3: trọng số «%200%» không hợp lệ; cần một số phần trăm từ "
                                "-100 đến 100, ví dụ «%50%» hoặc «%-100%».")
    assert error["message_en"].startswith("Line 3: weight «%200%» is not valid; expected")


def test_validation_errors_point_at_the_answer_line():
    assert errors("Q {\n=a\n~b#x\n~%150%c\n}") == [(4, "bad_weight")]
    assert errors("Q {\n=a\n~  \n~c\n}") == [(3, "empty_answer")]


# --- export ------------------------------------------------------------------------------------


def test_dump_writes_canonical_gift():
    questions = [
        {"type": "single_choice", "name": "Thủ đô", "text": "Thủ đô là {?}: _____ nhé",
         "text_format": "markdown", "category": ["Địa lý", "Việt Nam/Châu Á"],
         "answers": [{"text": "Hà Nội", "fraction": 1, "feedback": "Đúng#1"},
                     {"text": "%50% Huế", "fraction": 0}, {"text": "~x", "fraction": 0.5}],
         "general_feedback": "a\nb"},
        {"type": "true_false", "name": "TF", "text": "Đúng?", "text_format": "moodle",
         "options": {"correct": False}, "category": ["Địa lý", "Việt Nam/Châu Á"],
         "answers": [{"value": True, "feedback": "Không"}, {"value": False, "feedback": ""}]},
        {"type": "ordering", "name": "Thứ tự", "text": "Sắp xếp", "answers": [{"text": "a"},
                                                                             {"text": "b"}]},
        {"type": "short_answer", "name": "SA", "text": "[Note] Ai?", "text_format": "moodle",
         "answers": [{"text": "a -> b", "fraction": 1}]},
        {"type": "matching", "name": "M", "text": "Ghép", "text_format": "plain",
         "answers": [{"text": "x->y", "match": "1"}, {"text": "z", "match": "2 -> 3"},
                     {"text": "", "match": "4"}]},
        {"type": "numerical", "name": "N", "text": "Số", "text_format": "html",
         "answers": [{"value": 3.14, "tolerance": 0.01, "fraction": 1},
                     {"min": -1, "max": 1e20, "fraction": 0.5}, {"kind": "any", "fraction": 0,
                                                                 "feedback": "Sai"}]},
        {"type": "single_choice", "name": "Hỏng", "text": "x", "answers": []},
        {"type": "essay", "name": "E", "text": "Viết", "text_format": "moodle"},
        {"type": "description", "name": "D", "text": "Giới thiệu", "text_format": "moodle"},
    ]
    out = export(questions)
    assert out.text == (
        "$CATEGORY: Địa lý/Việt Nam//Châu Á\n\n"
        "::Thủ đô::[markdown]Thủ đô là \\{?\\}\\: {\n"
        "\t=Hà Nội#Đúng\\#1\n\t~%0%%50% Huế\n\t~%50%\\~x\n\t####a\\nb\n} nhé\n\n"
        "::TF::Đúng? {FALSE#Không}\n\n"
        "$CATEGORY: \n\n"
        "::SA::[moodle][Note] Ai? {\n\t=a -\\> b\n}\n\n"
        "::M::[plain]Ghép {\n\t=x-\\>y -> 1\n\t=z -> 2 -> 3\n\t= -> 4\n}\n\n"
        "::N::[html]Số {#\n\t=3.14:0.01\n\t=%50%-1..1e+20\n\t~#Sai\n}\n\n"
        "::E::Viết {}\n\n"
        "::D::Giới thiệu\n")
    assert [(s.index, s.name, s.code) for s in out.skipped] == [
        (2, "Thứ tự", "no_gift_syntax"), (6, "Hỏng", "invalid")]
    assert out.skipped[0].message.startswith("Câu hỏi sắp xếp")
    assert dump(questions) == out.text
    back = parse(out.text)
    assert back.ok
    expected = [q for i, q in enumerate(questions) if i not in (2, 6)]
    assert [q.question for q in back.questions] == [normalise(q) for q in expected]
    assert dump([]) == ""


# --- the round trip ----------------------------------------------------------------------------

TOKENS = [
    "Hà", "Nội", "Đúng", unicodedata.normalize("NFD", "Việt"), "ư", "ơ", "đ", "Ả", "a", "B",
    "1", "0,5", " ", " ", "\n", "\t", "\u00a0", "~", "=", "#", "{", "}", ":", "\\", "%", "[",
    "]", "-", ">", "->", BLANK, "_", "*", "/", "//", "$CATEGORY:", "::", "####", "%50%",
    "%-100%", "[html]", "[Markdown]", "[x]", "\\n", "\\:", "..", "T", "TRUE", "<b>", "&amp;",
    "'", '"', "…",
]
texts = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8).map(
    lambda parts: "".join(parts).strip()).filter(bool)
maybe = st.one_of(st.just(""), texts)
fractions = st.sampled_from([0.0, 0.0, 0.5, -0.5, 0.25, -1.0, 0.3333333, 0.1, 0.9, -0.0333333])
numbers = st.one_of(st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False),
                    st.integers(-10**6, 10**6), st.sampled_from([1e-7, 5e-324, 1e20, -0.0]))
categories = st.sampled_from([(), ("Chương 1",), ("Chuyển đổi số", "Luật/Nghị định"),
                              ("Đề thi", "Phần 2", "a")])


@st.composite
def questions(draw) -> dict[str, Any]:
    qtype = draw(st.sampled_from(["single_choice", "multiple_response", "true_false",
                                  "short_answer", "numerical", "matching", "essay",
                                  "description"]))
    answers: list[dict[str, Any]] = []
    options: dict[str, Any] = {}
    answer = st.fixed_dictionaries({"text": texts, "feedback": maybe})
    if qtype == "single_choice":
        answers = [dict(a, fraction=draw(fractions))
                   for a in draw(st.lists(answer, min_size=1, max_size=4))]
        answers.insert(draw(st.integers(0, len(answers))), {**draw(answer), "fraction": 1.0})
    elif qtype == "multiple_response":
        right = draw(st.lists(answer, min_size=1, max_size=3))
        wrong = draw(st.lists(answer, max_size=2))
        answers = [dict(a, fraction=1 / len(right)) for a in right] + [
            dict(a, fraction=draw(st.sampled_from([0.0, -0.5, -1.0]))) for a in wrong]
        answers = draw(st.permutations(answers))
    elif qtype == "true_false":
        options = {"correct": draw(st.booleans())}
        answers = [{"value": True, "feedback": draw(maybe)},
                   {"value": False, "feedback": draw(maybe)}]
    elif qtype == "short_answer":
        answers = [{**draw(answer), "fraction": 1.0}] + [
            dict(a, fraction=draw(st.sampled_from([1.0, 0.5, 0.25, 0.0])))
            for a in draw(st.lists(answer, max_size=2))]
    elif qtype == "numerical":
        for i in range(draw(st.integers(1, 3))):
            fraction = 1.0 if i == 0 else draw(st.sampled_from([1.0, 0.5, 0.0]))
            low, high = sorted([draw(numbers), draw(numbers)])
            answers.append(draw(st.sampled_from([
                {"kind": "tolerance", "value": low, "tolerance": abs(high)},
                {"kind": "range", "min": low, "max": high}])) | {
                "fraction": fraction, "feedback": draw(maybe)})
        if draw(st.booleans()):
            answers.append({"kind": "any", "fraction": draw(st.sampled_from([0.0, 0.5])),
                            "feedback": draw(maybe)})
    elif qtype == "matching":
        lefts = draw(st.lists(texts, min_size=2, max_size=4, unique=True))
        answers = [{"text": left, "match": draw(texts)} for left in lefts] + [
            {"text": "", "match": m} for m in draw(st.lists(texts, max_size=2))]
    return {
        "type": qtype, "name": draw(maybe), "text": draw(texts),
        "text_format": draw(st.sampled_from(TEXT_FORMATS)), "answers": answers,
        "options": options,
        "general_feedback": "" if qtype == "description" else draw(maybe),
        "category": list(draw(categories)),
    }


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(questions(), min_size=1, max_size=4))
def test_parse_of_dump_gives_the_questions_back(raw):
    canonical = [normalise(q) for q in raw]
    for q in canonical:
        assume(not validate(q))  # e.g. two matching stems that normalise to the same text
    text = dump(raw)
    result = parse(text)
    assert result.errors == (), text
    assert [(q.category, q.question) for q in result.questions] == \
        [(tuple(r["category"]), q) for r, q in zip(raw, canonical)], text
    assert dump([q.as_dict() for q in result.questions]) == text  # and writing is stable


def test_moodle_documentation_examples():
    """The examples of Moodle's GIFT page, as a lecturer would copy them."""
    source = """// true/false
::Q1:: 1+1=2 {T}

// multiple choice with specified feedback for right and wrong answers
::Q2:: What's between orange and green in the spectrum?
{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }

// fill-in-the-blank
::Q3:: Two plus {=two =2} equals four.

// matching
::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }

// math range question
::Q5:: What is a number from 1 to 5? {#3:2}

// math range specified with interval end points
::Q6:: What is a number from 1 to 5? {#1..5}

// multiple numeric answers with partial credit and feedback
::Q7:: When was Ulysses S. Grant born? {#
         =1822:0      # Correct! Full credit.
         =%50%1822:2  # He was born in 1822. Half credit for being close.
}

// essay
::Q8:: How are you? {}
"""
    result = parse(source)
    assert result.ok, result.errors
    assert [(q.line, q.question["type"]) for q in result.questions] == [
        (2, "true_false"), (5, "single_choice"), (9, "short_answer"), (12, "matching"),
        (15, "numerical"), (18, "numerical"), (21, "numerical"), (27, "essay")]
    assert result.questions[0].question["text"] == "1+1=2"
    assert result.questions[2].question["text"] == f"Two plus {BLANK} equals four."
    assert result.questions[1].question["answers"][1]["feedback"] == "wrong, it's yellow"
    assert result.questions[6].question["answers"][1]["feedback"] == \
        "He was born in 1822. Half credit for being close."


def test_module_docstring_documents_ordering():
    assert "Ordering questions have no GIFT syntax" in (gift.__doc__ or "")
