"""Grading and the trainee's views (``lms_quizzes.grading``): every type, partial and negative
credit, malformed responses, and a public view that never gives the answer away."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from lms_quizzes.grading import (
    STATES, Grade, essay_length_problem, grade, matches_pattern, public_view, review_view,
)
from lms_quizzes.qtypes import normalise, validate


def make(qtype: str, answers: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    question = normalise({"type": qtype, "text": "Câu hỏi **kiểm tra**?",
                          "answers": answers or [], **extra})
    assert validate(question) == [], validate(question)
    return question


SINGLE = make("single_choice", [
    {"text": "Hà Nội", "fraction": 1, "feedback": "Chính xác."},
    {"text": "Thăng Long", "fraction": 0.5, "feedback": "Tên cũ."},
    {"text": "Huế", "fraction": -0.5, "feedback": "Cố đô."},
    {"text": "Đà Nẵng", "fraction": 0}], general_feedback="Hà Nội là thủ đô từ 1945.")
MULTIPLE = make("multiple_response", [
    {"text": "Quốc hội", "fraction": 0.5, "feedback": "Lập pháp."},
    {"text": "Chính phủ", "fraction": 0.5, "feedback": "Hành pháp."},
    {"text": "Tòa án", "fraction": -1, "feedback": "Tư pháp."},
    {"text": "Mặt trận", "fraction": 0}])
TRUE_FALSE = make("true_false", [{"value": True, "feedback": "Đúng vậy."},
                                 {"value": False, "feedback": "Hà Nội là thủ đô."}],
                  options={"correct": True})
SHORT = make("short_answer", [
    {"text": "Hà Nội", "fraction": 1, "feedback": "Chính xác."},
    {"text": "Thăng Long", "fraction": 0.5, "feedback": "Tên cũ."},
    {"text": "Hà *", "fraction": 0.25, "feedback": "Gần đúng."}])
NUMERICAL = make("numerical", [
    {"value": 3.14, "tolerance": 0.01, "fraction": 1, "feedback": "Chính xác."},
    {"min": 3, "max": 3.5, "fraction": 0.5, "feedback": "Gần đúng."},
    {"kind": "any", "fraction": 0, "feedback": "Xem lại số pi."}])
MATCHING = make("matching", [
    {"text": "Quốc hội", "match": "Lập pháp"}, {"text": "Chính phủ", "match": "Hành pháp"},
    {"text": "Tòa án", "match": "Tư pháp"}, {"text": "", "match": "Giám sát"}])
ORDERING = make("ordering", [{"text": "Lập kế hoạch"}, {"text": "Tổ chức"},
                             {"text": "Thực hiện"}, {"text": "Đánh giá"}])
ESSAY = make("essay", options={"min_words": 3, "max_words": 10})
DESCRIPTION = make("description")


def g(question: dict[str, Any], response: Any) -> tuple[float | None, str, list[str]]:
    result = grade(question, response)
    return result.fraction, result.state, result.feedback


# --- choice types ------------------------------------------------------------------------------


def test_single_choice():
    assert g(SINGLE, {"choice": 1}) == (1.0, "correct", ["Chính xác."])
    assert g(SINGLE, {"choice": 2}) == (0.5, "partial", ["Tên cũ."])
    assert g(SINGLE, {"choice": 3}) == (-0.5, "incorrect", ["Cố đô."])  # negative marking
    assert g(SINGLE, {"choice": 4}) == (0.0, "incorrect", [])
    for bad in ({"choice": 9}, {"choice": "1"}, {"choice": True}, {"choice": [1]},
                {"choice": 1.0}, [1], "1", 1):
        assert g(SINGLE, bad) == (0.0, "invalid", []), bad
    for empty in ({}, None, {"choice": None}, {"other": 1}):
        assert g(SINGLE, empty) == (0.0, "unanswered", [])


def test_multiple_response_adds_fractions_and_clamps():
    assert g(MULTIPLE, {"choices": [2, 1]}) == (1.0, "correct", ["Lập pháp.", "Hành pháp."])
    assert g(MULTIPLE, {"choices": [1]}) == (0.5, "partial", ["Lập pháp."])
    assert g(MULTIPLE, {"choices": [1, 4]})[:2] == (0.5, "partial")
    assert g(MULTIPLE, {"choices": [1, 2, 3]})[:2] == (0.0, "incorrect")  # 0.5 + 0.5 - 1
    assert g(MULTIPLE, {"choices": [1, 3]})[:2] == (0.0, "incorrect")  # -0.5 clamped to 0
    assert g(MULTIPLE, {"choices": [1, 1]})[:2] == (0.5, "partial")  # duplicates count once
    assert g(MULTIPLE, {"choices": []}) == (0.0, "unanswered", [])
    for bad in ({"choices": [1, 9]}, {"choices": 1}, {"choices": ["1"]}, {"choices": [{}]},
                {"choices": {"1": True}}):
        assert g(MULTIPLE, bad)[1] == "invalid", bad


def test_true_false():
    assert g(TRUE_FALSE, {"value": True}) == (1.0, "correct", ["Đúng vậy."])
    assert g(TRUE_FALSE, {"value": False}) == (0.0, "incorrect", ["Hà Nội là thủ đô."])
    false = make("true_false", options={"correct": False})
    assert g(false, {"value": False})[:2] == (1.0, "correct")
    assert g(false, {"value": True})[:2] == (0.0, "incorrect")
    for bad in ({"value": "true"}, {"value": 1}, {"value": [True]}):
        assert g(TRUE_FALSE, bad)[1] == "invalid"
    assert g(TRUE_FALSE, {})[1] == "unanswered"


# --- short answer ------------------------------------------------------------------------------


def test_short_answer_takes_the_best_matching_answer():
    assert g(SHORT, {"text": "Hà Nội"}) == (1.0, "correct", ["Chính xác."])
    assert g(SHORT, {"text": "  hà   nội "})[:2] == (1.0, "correct")  # case and spaces
    assert g(SHORT, {"text": "Thăng Long"}) == (0.5, "partial", ["Tên cũ."])
    assert g(SHORT, {"text": "Hà Tây"}) == (0.25, "partial", ["Gần đúng."])  # the wildcard
    assert g(SHORT, {"text": "Huế"}) == (0.0, "incorrect", [])
    assert g(SHORT, {"text": "ha noi"})[:2] == (0.0, "incorrect")  # accents count by default
    assert g(SHORT, {"text": " "})[1] == "unanswered"
    assert g(SHORT, {"text": 5})[1] == "invalid"


def test_short_answer_accent_and_case_settings():
    def question(case: bool, accent: bool) -> dict[str, Any]:
        return make("short_answer", [{"text": "Hà Nội", "fraction": 1}],
                    options={"case_sensitive": case, "accent_sensitive": accent})

    table = {  # (case_sensitive, accent_sensitive): responses that match "Hà Nội"
        (False, True): {"Hà Nội", "hà nội", "HÀ NỘI"},
        (True, True): {"Hà Nội"},
        (False, False): {"Hà Nội", "hà nội", "HÀ NỘI", "ha noi", "Ha Noi", "HA NOI", "hà noi",
                         "Hà Noi"},
        (True, False): {"Hà Nội", "Ha Noi", "Hà Noi"},
    }
    responses = {"Hà Nội", "hà nội", "HÀ NỘI", "ha noi", "Ha Noi", "HA NOI", "hà noi", "Hà Noi",
                 "Ha Nôi x"}
    for (case, accent), expected in table.items():
        q = question(case, accent)
        assert {r for r in responses if grade(q, {"text": r}).state == "correct"} == expected


def test_pattern_matching_details():
    assert matches_pattern("Đà Nẵng", "da nang", accent_sensitive=False)  # đ is d
    assert matches_pattern("Đà Nẵng", "Da Nang", case_sensitive=True, accent_sensitive=False)
    assert not matches_pattern("Đà Nẵng", "da Nang", case_sensitive=True,
                               accent_sensitive=False)
    decomposed = "Ha\u0300 No\u0302\u0323i"  # the same letters, typed on another keyboard
    assert matches_pattern("Hà Nội", decomposed)
    assert matches_pattern("*Nội", "Thành phố Hà Nội") and matches_pattern("*", "bất kỳ")
    assert matches_pattern("Hà*Nội", "HàNội") and not matches_pattern("Hà*Nội", "Hà Nội x")
    assert matches_pattern("5 \\* 3", "5 * 3") and not matches_pattern("5 \\* 3", "5 x 3")
    assert matches_pattern("a+b (c)?", "A+B (C)?") and not matches_pattern("a+b", "aab")
    assert not matches_pattern("Hà Nội", "Hà Nội\nHuế")


# --- numerical ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value,expected", [
    (3.14, (1.0, "correct", ["Chính xác."])), (3.15, (1.0, "correct", ["Chính xác."])),
    (3.13, (1.0, "correct", ["Chính xác."])), ("3,14", (1.0, "correct", ["Chính xác."])),
    (" 3.141 ", (1.0, "correct", ["Chính xác."])), (3, (0.5, "partial", ["Gần đúng."])),
    ("3,5", (0.5, "partial", ["Gần đúng."])), (3.16, (0.5, "partial", ["Gần đúng."])),
    (3.51, (0.0, "incorrect", ["Xem lại số pi."])), (-3.14, (0.0, "incorrect",
                                                             ["Xem lại số pi."])),
    ("abc", (0.0, "invalid", [])), ("3,14,15", (0.0, "invalid", [])),
    ("3.14 m", (0.0, "invalid", [])), (True, (0.0, "invalid", [])), ([3.14], (0.0, "invalid", [])),
    (float("nan"), (0.0, "invalid", [])), (float("inf"), (0.0, "invalid", [])),
    ("", (0.0, "unanswered", [])), (None, (0.0, "unanswered", [])),
])
def test_numerical(value, expected):
    assert g(NUMERICAL, {"value": value}) == expected


def test_numerical_thousands_separators():
    population = make("numerical", [{"value": 1234567, "tolerance": 0, "fraction": 1}])
    for typed in ("1.234.567", "1,234,567", "1 234 567", "1234567", 1234567):
        assert grade(population, {"value": typed}).state == "correct", typed
    budget = make("numerical", [{"min": 1234.4, "max": 1234.6, "fraction": 1}])
    for typed in ("1.234,5", "1,234.5", "1234,5"):
        assert grade(budget, {"value": typed}).state == "correct", typed


# --- matching and ordering ---------------------------------------------------------------------


def test_matching_scores_correct_pairs_over_pairs():
    right = {"1": "Lập pháp", "2": "Hành pháp", "3": "Tư pháp"}
    assert g(MATCHING, {"pairs": right}) == (1.0, "correct", [])
    assert g(MATCHING, {"pairs": {**right, "3": "Giám sát"}})[:2] == (0.6666667, "partial")
    assert g(MATCHING, {"pairs": {1: "Lập pháp", 2: None}})[:2] == (0.3333333, "partial")
    assert g(MATCHING, {"pairs": {"1": " Lập  pháp "}})[:2] == (0.3333333, "partial")
    assert g(MATCHING, {"pairs": {"1": "Hành pháp", "2": "Lập pháp"}})[:2] == (0.0, "incorrect")
    assert g(MATCHING, {"pairs": {"1": "Không có"}})[:2] == (0.0, "incorrect")
    for empty in ({}, {"pairs": {}}, {"pairs": {"1": None, "2": ""}}):
        assert g(MATCHING, empty)[1] == "unanswered"
    for bad in ({"pairs": {"9": "Lập pháp"}}, {"pairs": {"4": "Giám sát"}},  # 4: distractor
                {"pairs": {"1": 5}}, {"pairs": ["Lập pháp"]}, {"pairs": {"x": "Lập pháp"}}):
        assert g(MATCHING, bad)[1] == "invalid", bad


@pytest.mark.parametrize("grading,order,fraction", [
    ("all_or_nothing", [1, 2, 3, 4], 1.0), ("all_or_nothing", [2, 1, 3, 4], 0.0),
    ("absolute_position", [1, 2, 3, 4], 1.0), ("absolute_position", [2, 1, 3, 4], 0.5),
    ("absolute_position", [2, 3, 4, 1], 0.0), ("absolute_position", [1, 3, 2, 4], 0.5),
    ("relative_next", [1, 2, 3, 4], 1.0), ("relative_next", [2, 1, 3, 4], 0.3333333),
    ("relative_next", [2, 3, 4, 1], 0.6666667), ("relative_next", [4, 3, 2, 1], 0.0),
])
def test_ordering_grading_methods(grading, order, fraction):
    question = {**ORDERING, "options": {"grading": grading}}
    assert grade(question, {"order": order}).fraction == fraction


def test_ordering_malformed_and_default():
    assert grade(ORDERING, {"order": [2, 1, 3, 4]}).fraction == 0.5  # absolute_position
    for bad in ([1, 2, 3], [1, 2, 3, 3], [1, 2, 3, 5], [1, 2, 3, 4, 1], "1234", ["1", 2, 3, 4],
                [1, 2, 3, True]):
        assert grade(ORDERING, {"order": bad}).state == "invalid", bad
    assert grade(ORDERING, {"order": []}).state == "unanswered"


# --- essay and description ---------------------------------------------------------------------


def test_essay_needs_a_grader():
    assert g(ESSAY, {"text": "Chuyển đổi số là quá trình ..."}) == (None, "needs_grading", [])
    assert g(ESSAY, {"text": "  "}) == (0.0, "unanswered", [])
    assert g(ESSAY, {"text": ["x"]}) == (0.0, "invalid", [])
    assert essay_length_problem(ESSAY, "hai từ")[0] == "Bài viết có 2 từ; cần ít nhất 3 từ."
    assert "at most 10" in essay_length_problem(ESSAY, "từ " * 11)[1]
    assert essay_length_problem(ESSAY, "ba từ thôi") is None


def test_description_is_not_graded():
    assert g(DESCRIPTION, {}) == (None, "not_graded", [])
    assert grade({"type": "bogus"}, {}).state == "invalid"
    assert Grade(0.5, "partial", ["x"]).as_dict() == {"fraction": 0.5, "state": "partial",
                                                      "feedback": ["x"]}


ALL = [SINGLE, MULTIPLE, TRUE_FALSE, SHORT, NUMERICAL, MATCHING, ORDERING, ESSAY, DESCRIPTION]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats() | st.text(max_size=4),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["1", "2", "x", "choice", "value"]), children, max_size=3),
    max_leaves=8)


@hsettings(max_examples=150, deadline=None)
@given(st.sampled_from(ALL), st.dictionaries(
    st.sampled_from(["choice", "choices", "value", "text", "pairs", "order", "x"]), json_values,
    max_size=3) | json_values)
def test_grading_never_raises(question, response):
    result = grade(question, response)
    assert result.state in STATES
    assert result.fraction is None or -1.0 <= result.fraction <= 1.0
    review_view(question, response, result, seed=3, shuffle=True)


# --- what the trainee sees ---------------------------------------------------------------------

SECRET_KEYS = {"fraction", "feedback", "correct", "general_feedback", "match", "tolerance",
               "min", "max", "kind", "grading", "case_sensitive", "accent_sensitive", "options",
               "answers", "name", "feedback_html", "correct_value", "correct_order"}


def keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


@pytest.mark.parametrize("question", ALL, ids=lambda q: q["type"])
def test_public_view_gives_nothing_away(question):
    view = public_view(question, seed=42, shuffle=True)
    blob = json.dumps(view, ensure_ascii=False)
    assert not keys(view) & SECRET_KEYS, keys(view) & SECRET_KEYS
    for secret in ("Chính xác", "Tên cũ", "Cố đô", "Lập pháp.", "Hà Nội là thủ đô", "3.14",
                   "Xem lại số pi", "Gần đúng", "Hà *"):
        assert secret not in blob
    assert view["type"] == question["type"]
    assert view["text_html"] == "<p>Câu hỏi <strong>kiểm tra</strong>?</p>"


def test_public_view_does_not_depend_on_the_answer():
    for correct in (True, False):
        other = make("true_false", options={"correct": correct})
        assert public_view(other, 1, True) == public_view(TRUE_FALSE, 1, True)
    rights = [make("single_choice", [{"text": t, "fraction": 1 if t == right else 0}
                                     for t in ("a", "b", "c")]) for right in ("a", "b", "c")]
    assert len({json.dumps(public_view(q, 7, True)) for q in rights}) == 1
    numbers = [make("numerical", [{"value": v, "fraction": 1}]) for v in (1, 2)]
    assert public_view(numbers[0], 1) == public_view(numbers[1], 1) == {
        "type": "numerical", "text_html": "<p>Câu hỏi <strong>kiểm tra</strong>?</p>",
        "input": "number"}


def test_public_view_order_is_seeded_and_stable():
    def order(view: dict[str, Any], key: str = "choices") -> list[Any]:
        return [c.get("id", c.get("text")) for c in view[key]]

    assert order(public_view(SINGLE, 5, True)) == order(public_view(SINGLE, 5, True))
    assert len({tuple(order(public_view(SINGLE, s, True))) for s in range(30)}) > 5
    assert order(public_view(SINGLE, 5, False)) == [1, 2, 3, 4]
    fixed = {**SINGLE, "options": {"shuffle_answers": False}}  # e.g. "all of the above"
    assert {tuple(order(public_view(fixed, s, True))) for s in range(30)} == {(1, 2, 3, 4)}
    view = public_view(SINGLE, 5, True)
    assert {c["id"]: c["html"] for c in view["choices"]}[2] == "Thăng Long"
    assert order(public_view(TRUE_FALSE, 5, True)) == [1, 2]


def test_the_shuffle_never_changes_between_releases():
    """An attempt in progress across an upgrade shows its choices in the order it began with:
    the order is a function of (seed, salt, id) alone, pinned here."""
    from lms_quizzes.grading import _shuffled

    six = [{"id": i} for i in range(1, 7)]
    assert [a["id"] for a in _shuffled(six, 20261203, "answers")] == [5, 4, 2, 3, 1, 6]
    assert [a["id"] for a in _shuffled(six, 42, "items")] == [1, 3, 2, 4, 5, 6]


def test_matching_view_shuffles_the_right_hand_side_always():
    view = public_view(MATCHING, 1, shuffle=False)
    assert [s["id"] for s in view["stems"]] == [1, 2, 3]  # the distractor is no stem
    assert sorted(c["text"] for c in view["choices"]) == sorted(
        ["Lập pháp", "Hành pháp", "Tư pháp", "Giám sát"])
    orders = {tuple(c["text"] for c in public_view(MATCHING, s, False)["choices"])
              for s in range(30)}
    assert len(orders) > 5  # even without shuffling the stems, the options move
    same = make("matching", [{"text": "a", "match": "x"}, {"text": "b", "match": "x"},
                             {"text": "c", "match": "<y>"}])
    assert sorted(c["html"] for c in public_view(same, 1)["choices"]) == ["&lt;y&gt;", "x"]


def test_ordering_view_is_never_already_solved():
    two = make("ordering", [{"text": "Trước"}, {"text": "Sau"}])
    for seed in range(50):
        assert [i["id"] for i in public_view(two, seed, shuffle=False)["items"]] == [2, 1]
        items = [i["id"] for i in public_view(ORDERING, seed, shuffle=False)["items"]]
        assert sorted(items) == [1, 2, 3, 4] and items != [1, 2, 3, 4]


def test_essay_view_has_its_limits():
    assert public_view(ESSAY, 1) == {
        "type": "essay", "text_html": "<p>Câu hỏi <strong>kiểm tra</strong>?</p>",
        "min_words": 3, "max_words": 10, "response_template": ""}


# --- review ------------------------------------------------------------------------------------


def test_review_view_of_a_choice():
    response = {"choice": 2}
    view = review_view(SINGLE, response, grade(SINGLE, response), seed=5, shuffle=True)
    assert [c["id"] for c in view["choices"]] == \
        [c["id"] for c in public_view(SINGLE, 5, True)["choices"]]  # as the trainee saw it
    chosen = next(c for c in view["choices"] if c["selected"])
    assert (chosen["id"], chosen["fraction"], chosen["feedback_html"]) == \
        (2, 0.5, "<p>Tên cũ.</p>")
    assert (view["state"], view["fraction"]) == ("partial", 0.5)
    assert view["feedback_html"] == ["<p>Tên cũ.</p>"]
    assert view["general_feedback_html"] == "<p>Hà Nội là thủ đô từ 1945.</p>"
    tf = review_view(TRUE_FALSE, {"value": False}, grade(TRUE_FALSE, {"value": False}))
    assert tf["correct_value"] is True and [c["selected"] for c in tf["choices"]] == [False, True]


def test_review_view_of_the_other_types():
    view = review_view(NUMERICAL, {"value": "3,2"}, grade(NUMERICAL, {"value": "3,2"}))
    assert view["response_value"] == 3.2 and view["answers"][0]["value"] == 3.14
    assert view["feedback_html"] == ["<p>Gần đúng.</p>"]
    view = review_view(MATCHING, {"pairs": {"1": "Lập pháp", "2": "Tư pháp"}},
                       grade(MATCHING, {"pairs": {"1": "Lập pháp", "2": "Tư pháp"}}))
    assert [(s["id"], s["correct"], s["correct_match"]) for s in view["stems"]] == [
        (1, True, "Lập pháp"), (2, False, "Hành pháp"), (3, False, "Tư pháp")]
    view = review_view(ORDERING, {"order": [2, 1, 3, 4]}, grade(ORDERING, {"order": [2, 1, 3, 4]}))
    assert [i["id"] for i in view["correct_order"]] == [1, 2, 3, 4]
    assert view["response_order"] == [2, 1, 3, 4]
    view = review_view(SHORT, {"text": "Huế"}, grade(SHORT, {"text": "Huế"}))
    assert view["response_text"] == "Huế" and view["answers"][0]["text"] == "Hà Nội"
    view = review_view(ESSAY, {"text": "Bài"}, grade(ESSAY, {"text": "Bài"}))
    assert (view["state"], view["fraction"], view["response_text"]) == \
        ("needs_grading", None, "Bài")
