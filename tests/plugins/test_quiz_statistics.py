"""Moodle's quiz statistics (plugins/lms_quizzes/statistics.py) against figures worked out by
hand or with the standard library here, independently of the implementation: facility is the
share of right answers, discrimination the Pearson correlation of the item with the rest of the
test, CIC is KR-20 / Cronbach's alpha, skewness and kurtosis are Excel's SKEW and KURT."""

from __future__ import annotations

import csv
import io
import math
import statistics as st
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from openpyxl import load_workbook

from lms_quizzes.statistics import (
    AttemptRecord, SlotRecord, answer_label, compute_statistics, histogram, neutralise_formula,
    select_attempts, to_csv, to_xlsx,
)

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
SINGLE_ANSWERS = [{"id": 1, "text": "Hà Nội", "fraction": 1.0},
                  {"id": 2, "text": "Huế", "fraction": 0.0},
                  {"id": 3, "text": "Đà Nẵng", "fraction": -0.5}]


def _attempt(attempt_id: int, user_id: int, marks: list[float | None], *, number: int = 1,
             types: list[str] | None = None, responses: list[Any] | None = None,
             answers: list[list[dict]] | None = None, max_mark: float = 1.0,
             sum_marks: float | None = "auto", minutes: int = 0) -> AttemptRecord:
    """One finished attempt whose slot ``i + 1`` carries ``marks[i]`` out of ``max_mark``;
    ``sum_marks`` follows attempts.total (None while a mark is missing, slots floored at 0)."""
    types = types or ["single_choice"] * len(marks)
    slots = [SlotRecord(slot=i + 1, question_id=100 + i, question_name=f"Câu {i + 1}",
                        question_type=types[i], max_mark=max_mark, mark=m,
                        response=(responses[i] if responses else {}),
                        answers=(answers[i] if answers else []))
             for i, m in enumerate(marks)]
    if sum_marks == "auto":
        sum_marks = None if any(m is None for m in marks) else sum(max(0.0, m) for m in marks)
    return AttemptRecord(attempt_id=attempt_id, user_id=user_id, user_name=f"Học viên {user_id}",
                         attempt_number=number, sum_marks=sum_marks,
                         max_marks=max_mark * len(marks),
                         finished_at=T0 + timedelta(minutes=minutes + attempt_id), slots=slots)


# Five trainees, three right/wrong items (a Guttman-like pattern, so the CIC is positive).
ITEMS = [
    [1, 1, 1],
    [1, 1, 0],
    [1, 0, 0],
    [0, 0, 0],
    [1, 1, 1],
]


def _five() -> list[AttemptRecord]:
    return [_attempt(i + 1, i + 1, [float(m) for m in row]) for i, row in enumerate(ITEMS)]


def _excel_skew(xs: list[float]) -> float:
    n, mean, sd = len(xs), st.mean(xs), st.stdev(xs)
    return n / ((n - 1) * (n - 2)) * sum(((x - mean) / sd) ** 3 for x in xs)


def _excel_kurt(xs: list[float]) -> float:
    n, mean, sd = len(xs), st.mean(xs), st.stdev(xs)
    return (n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * sum(((x - mean) / sd) ** 4 for x in xs)
            - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def test_five_attempts_three_items_match_the_hand_figures():
    stats = compute_statistics(_five(), "all")
    grades = [100.0 * sum(row) / 3 for row in ITEMS]  # 100, 66.7, 33.3, 0, 100
    assert stats.attempts == stats.attempts_selected == 5
    assert stats.excluded_ungraded == stats.excluded_no_max_marks == 0
    assert stats.mean == pytest.approx(60.0)
    assert stats.median == pytest.approx(200 / 3)
    assert stats.standard_deviation == pytest.approx(st.stdev(grades))
    assert (stats.minimum, stats.maximum) == (pytest.approx(0.0), pytest.approx(100.0))
    assert stats.skewness == pytest.approx(_excel_skew(grades))
    assert stats.kurtosis == pytest.approx(_excel_kurt(grades))

    # KR-20 with the textbook p*q item variances over the population variance of the totals.
    totals = [sum(row) for row in ITEMS]
    p = [sum(row[i] for row in ITEMS) / 5 for i in range(3)]
    kr20 = 3 / 2 * (1 - sum(pi * (1 - pi) for pi in p) / st.pvariance(totals))
    assert kr20 == pytest.approx(1.5 * (1 - 0.64 / 1.36))  # worked by hand: 79.4 %
    assert stats.cic == pytest.approx(100 * kr20)
    assert stats.error_ratio == pytest.approx(100 * math.sqrt(1 - kr20))
    assert stats.standard_error == pytest.approx(math.sqrt(1 - kr20) * st.stdev(grades))

    assert [q.slot for q in stats.questions] == [1, 2, 3]
    assert [q.facility for q in stats.questions] == [pytest.approx(80), pytest.approx(60),
                                                     pytest.approx(40)]
    for i, q in enumerate(stats.questions):
        item = [row[i] for row in ITEMS]
        rest = [sum(row) - row[i] for row in ITEMS]
        assert q.responses == q.attempts == q.discrimination_attempts == 5
        assert q.standard_deviation == pytest.approx(100 * st.stdev(item))
        assert q.discrimination_index == pytest.approx(100 * st.correlation(item, rest))
        best = st.covariance(sorted(item), sorted(rest))
        assert q.discriminative_efficiency == pytest.approx(
            100 * st.covariance(item, rest) / best)
    # Item 1: marks 1,1,1,0,1 against rests 2,1,0,0,2, worked by hand: the cross products
    # sum to 1.0, the squares to 0.8 and 4, so r = 1 / sqrt(3.2) = 0.559.
    assert stats.questions[0].discrimination_index == pytest.approx(100 / math.sqrt(3.2))
    assert stats.histogram == [(0.0, 10.0, 1), (10.0, 20.0, 0), (20.0, 30.0, 0),
                               (30.0, 40.0, 1), (40.0, 50.0, 0), (50.0, 60.0, 0),
                               (60.0, 70.0, 1), (70.0, 80.0, 0), (80.0, 90.0, 0),
                               (90.0, 100.0, 2)]


def test_no_attempts_gives_an_empty_report_not_an_error():
    stats = compute_statistics([], "highest")
    assert stats.which_attempts == "highest"
    assert stats.attempts == stats.attempts_selected == 0
    for name in ("mean", "median", "standard_deviation", "minimum", "maximum", "skewness",
                 "kurtosis", "cic", "error_ratio", "standard_error"):
        assert getattr(stats, name) is None, name
    assert stats.questions == []
    assert [c for _, _, c in stats.histogram] == [0] * 10
    assert to_csv(stats).startswith(b"\xef\xbb\xbf") and to_xlsx(stats)[:2] == b"PK"


def test_one_attempt_has_a_mean_but_no_spread():
    stats = compute_statistics([_attempt(1, 1, [1.0, 0.0])], "all")
    assert stats.attempts == 1 and stats.mean == stats.median == pytest.approx(50.0)
    assert stats.standard_deviation is None and stats.skewness is None
    assert stats.kurtosis is None and stats.cic is None and stats.standard_error is None
    first, second = stats.questions
    assert (first.facility, second.facility) == (pytest.approx(100), pytest.approx(0))
    assert first.standard_deviation is None
    assert first.discrimination_index is None and first.discriminative_efficiency is None


def test_all_equal_marks_have_no_discrimination():
    attempts = [_attempt(i, i, [1.0, 0.0, 1.0]) for i in range(1, 5)]
    stats = compute_statistics(attempts, "all")
    assert stats.standard_deviation == 0.0 and stats.cic is None
    assert stats.skewness is None and stats.kurtosis is None
    for q in stats.questions:
        assert q.standard_deviation == 0.0
        assert q.discrimination_index is None and q.discriminative_efficiency is None
    # One constant item among varying ones: only that item has no discrimination.
    mixed = [_attempt(i + 1, i + 1, [1.0, float(row[1]), float(row[2])])
             for i, row in enumerate(ITEMS)]
    constant, varying, _ = compute_statistics(mixed, "all").questions
    assert constant.facility == pytest.approx(100) and constant.discrimination_index is None
    assert varying.discrimination_index is not None


def test_an_ungraded_essay_is_left_out_and_counted():
    types = ["single_choice", "true_false", "essay"]
    essays = [{"text": "Thiếu hạ tầng số ở cấp xã."}] * 4
    attempts = [
        _attempt(1, 1, [1.0, 1.0, 0.5], types=types, responses=[{}, {}, essays[0]]),
        _attempt(2, 2, [1.0, 0.0, 1.0], types=types, responses=[{}, {}, essays[1]]),
        _attempt(3, 3, [0.0, 0.0, 0.0], types=types, responses=[{}, {}, essays[2]]),
        _attempt(4, 4, [0.0, 1.0, None], types=types, responses=[{}, {}, essays[3]]),
    ]
    stats = compute_statistics(attempts, "all")
    assert stats.attempts_selected == 4 and stats.attempts == 3
    assert stats.excluded_ungraded == 1
    assert stats.mean == pytest.approx(st.mean([2.5 / 3, 2 / 3, 0]) * 100)  # not 4 attempts
    single, truefalse, essay = stats.questions
    # The ungraded essay does not hide the attempt's other marks from their facility ...
    assert single.attempts == truefalse.attempts == 4
    assert truefalse.facility == pytest.approx(50)
    # ... but is never read as 0, and no discrimination uses the attempt.
    assert (essay.responses, essay.attempts, essay.excluded_ungraded) == (4, 3, 1)
    assert essay.facility == pytest.approx(50)
    assert single.discrimination_attempts == essay.discrimination_attempts == 3
    assert single.discrimination_index == pytest.approx(
        100 * st.correlation([1, 1, 0], [1.5, 1.0, 0.0]))
    rows = {a.kind: a.count for a in essay.answers}
    assert rows == {"graded": 3, "ungraded": 1}
    assert [answer_label(a, "vi") for a in essay.answers] == ["Đã chấm", "Chưa chấm"]


def _history() -> list[AttemptRecord]:
    """User 1: attempts scoring 1, 3 and 2 (of 3); user 2: 2 then 2 (a tie); user 3: one
    attempt, then a second one still waiting for its essay."""
    return [
        _attempt(11, 1, [1.0, 0.0, 0.0], number=1),
        _attempt(12, 1, [1.0, 1.0, 1.0], number=2),
        _attempt(13, 1, [1.0, 1.0, 0.0], number=3),
        _attempt(21, 2, [1.0, 1.0, 0.0], number=1),
        _attempt(22, 2, [0.0, 1.0, 1.0], number=2),
        _attempt(31, 3, [0.0, 0.0, 1.0], number=1),
        _attempt(32, 3, [1.0, 1.0, None], number=2,
                 types=["single_choice", "single_choice", "essay"]),
    ]


@pytest.mark.parametrize("which, expected", [
    ("first", [11, 21, 31]),
    ("highest", [12, 21, 31]),   # ties go to the earlier attempt, ungraded ranks as 0
    ("last", [13, 22, 32]),
    ("all", [11, 12, 13, 21, 22, 31, 32]),
])
def test_which_attempts_are_selected(which, expected):
    assert [a.attempt_id for a in select_attempts(_history(), which)] == expected


def test_a_last_attempt_waiting_for_a_grade_is_excluded_not_swapped():
    stats = compute_statistics(_history(), "last")
    assert stats.attempts_selected == 3 and stats.attempts == 2 and stats.excluded_ungraded == 1
    assert stats.mean == pytest.approx(st.mean([200 / 3, 200 / 3]))
    highest = compute_statistics(_history(), "highest")
    assert highest.mean == pytest.approx(st.mean([100, 200 / 3, 100 / 3]))
    with pytest.raises(ValueError):
        select_attempts(_history(), "average")


def _one_slot(qtype: str, answers: list[dict], responses: list[Any],
              marks: list[float] | None = None) -> list[AttemptRecord]:
    marks = marks or [0.0] * len(responses)
    return [_attempt(i + 1, i + 1, [marks[i]], types=[qtype], responses=[r],
                     answers=[answers]) for i, r in enumerate(responses)]


def _rows(stats) -> list[tuple[str, str, int]]:
    return [(a.kind, a.key, a.count) for a in stats.questions[0].answers]


def test_single_choice_frequencies_list_every_choice_and_no_answer_last():
    stats = compute_statistics(_one_slot(
        "single_choice", SINGLE_ANSWERS,
        [{"choice": 1}, {"choice": 1}, {"choice": 2}, {}, {"choice": 1}],
        [1.0, 1.0, 0.0, 0.0, 1.0]), "all")
    q = stats.questions[0]
    assert _rows(stats) == [("choice", "1", 3), ("choice", "2", 1), ("choice", "3", 0),
                            ("no_answer", "", 1)]
    assert [a.percent for a in q.answers] == [pytest.approx(60), pytest.approx(20), 0.0,
                                              pytest.approx(20)]
    assert [a.fraction for a in q.answers[:3]] == [1.0, 0.0, -0.5]
    assert [answer_label(a, "vi") for a in q.answers] == ["Hà Nội", "Huế", "Đà Nẵng",
                                                          "(Không trả lời)"]
    assert answer_label(q.answers[-1], "en") == "(No answer)"
    assert q.facility == pytest.approx(60)
    # Moodle's random guess score for single choice: the mean of the answers' fractions.
    assert q.random_guess_score == pytest.approx(100 * (1.0 + 0.0 - 0.5) / 3)


def test_multiple_response_counts_each_choice_ticked():
    answers = [{"id": 1, "text": "Cổng Dịch vụ công", "fraction": 0.5},
               {"id": 2, "text": "Mạng xã hội", "fraction": -1.0},
               {"id": 3, "text": "Một cửa điện tử", "fraction": 0.5}]
    stats = compute_statistics(_one_slot(
        "multiple_response", answers,
        [{"choices": [1, 3]}, {"choices": [1]}, {"choices": [2, 3]}, {"choices": []}]), "all")
    assert _rows(stats) == [("choice", "1", 2), ("choice", "2", 1), ("choice", "3", 2),
                            ("no_answer", "", 1)]
    assert [a.percent for a in stats.questions[0].answers] == [50.0, 25.0, 50.0, 25.0]
    assert stats.questions[0].random_guess_score is None  # as in Moodle


def test_true_false_rows_carry_the_answer_text():
    answers = [{"id": 1, "value": True, "text": "Đúng", "fraction": 1.0},
               {"id": 2, "value": False, "text": "Sai", "fraction": 0.0}]
    stats = compute_statistics(_one_slot(
        "true_false", answers, [{"value": True}, {"value": True}, {"value": False},
                                {"value": "có"}], [1.0, 1.0, 0.0, 0.0]), "all")
    assert _rows(stats) == [("value", "true", 2), ("value", "false", 1), ("invalid", "", 1)]
    assert [answer_label(a, "en") for a in stats.questions[0].answers] == [
        "Đúng", "Sai", "(Invalid response)"]
    assert stats.questions[0].random_guess_score == 50.0


def test_short_answers_group_by_case_keep_accents_and_fold_the_tail():
    answers = [{"id": 1, "text": "Hà Nội", "fraction": 1.0}]
    responses = [{"text": "Hà Nội"}, {"text": "hà  nội"}, {"text": "Ha Noi"}, {"text": "Huế"},
                 {"text": "Hà Nội"}, {"text": ""}]
    marks = [1.0, 1.0, 1.0, 0.0, 1.0, 0.0]
    stats = compute_statistics(_one_slot("short_answer", answers, responses, marks), "all")
    rows = stats.questions[0].answers
    assert [(a.kind, a.label, a.count) for a in rows] == [
        ("text", "Hà Nội", 3), ("text", "Ha Noi", 1), ("text", "Huế", 1), ("no_answer", "", 1)]
    assert rows[0].fraction == 1.0 and rows[2].fraction == 0.0  # the credit observed
    top = compute_statistics(_one_slot("short_answer", answers, responses, marks), "all",
                             top_responses=1).questions[0].answers
    assert [(a.kind, a.count) for a in top] == [("text", 3), ("other", 2), ("no_answer", 1)]
    assert answer_label(top[1], "vi") == "Khác" and answer_label(top[1], "en") == "Other"


def test_numerical_responses_are_read_as_numbers():
    answers = [{"id": 1, "kind": "tolerance", "value": 3.14, "tolerance": 0.01,
                "fraction": 1.0}]
    stats = compute_statistics(_one_slot(
        "numerical", answers, [{"value": "3,14"}, {"value": 3.14}, {"value": 2},
                               {"value": "ba"}], [1.0, 1.0, 0.0, 0.0]), "all")
    assert _rows(stats) == [("number", "3.14", 2), ("number", "2", 1), ("invalid", "", 1)]
    assert stats.questions[0].random_guess_score == 0.0  # no "any" answer


def test_matching_counts_each_pair_given_with_its_correctness():
    answers = [{"id": 1, "text": "Hà Nội", "match": "Thủ đô"},
               {"id": 2, "text": "Huế", "match": "Cố đô"},
               {"id": 3, "text": "", "match": "Cảng biển"}]
    responses = [{"pairs": {"1": "Thủ đô", "2": "Cố đô"}},
                 {"pairs": {"1": "Cố đô", "2": "Thủ đô"}},
                 {"pairs": {"1": "Thủ đô", "2": None}},
                 {"pairs": {}}]
    stats = compute_statistics(_one_slot("matching", answers, responses), "all")
    rows = stats.questions[0].answers
    assert [(a.key, a.count, a.fraction) for a in rows] == [
        ("1:Thủ đô", 2, 1.0), ("1:Cố đô", 1, 0.0), ("2:Cố đô", 1, 1.0), ("2:Thủ đô", 1, 0.0),
        ("", 1, 0.0)]
    assert rows[0].label == "Hà Nội → Thủ đô" and rows[-1].kind == "no_answer"
    assert stats.questions[0].random_guess_score == pytest.approx(100 / 3)  # 3 right sides


def test_ordering_counts_whole_orders_and_items_in_place():
    answers = [{"id": 1, "text": "Tiếp nhận hồ sơ"}, {"id": 2, "text": "Thẩm định"},
               {"id": 3, "text": "Trả kết quả"}]
    stats = compute_statistics(_one_slot(
        "ordering", answers, [{"order": [1, 2, 3]}, {"order": [2, 1, 3]},
                              {"order": [1, 3, 2]}, {"order": [1, 1, 2]}]), "all")
    rows = stats.questions[0].answers
    assert [(a.kind, a.key, a.count) for a in rows] == [
        ("order_correct", "correct", 1), ("order_incorrect", "incorrect", 2),
        ("position", "1", 2), ("position", "2", 1), ("position", "3", 2), ("invalid", "", 1)]
    assert [answer_label(a, "vi") for a in rows[:3]] == [
        "Đúng toàn bộ thứ tự", "Chưa đúng toàn bộ thứ tự", "Đúng vị trí 1: Tiếp nhận hồ sơ"]
    assert answer_label(rows[4], "en") == "Right at position 3: Trả kết quả"
    assert stats.questions[0].random_guess_score == pytest.approx(100 / 3)


def test_a_random_slot_names_each_question_in_its_answer_rows():
    one = _attempt(1, 1, [1.0], answers=[SINGLE_ANSWERS], responses=[{"choice": 1}])
    two = _attempt(2, 2, [0.0], answers=[SINGLE_ANSWERS], responses=[{"choice": 2}])
    two.slots[0].question_id, two.slots[0].question_name = 999, "Cố đô của triều Nguyễn?"
    stats = compute_statistics([one, two], "all")
    q = stats.questions[0]
    assert q.question_ids == [100, 999]
    names = {(a.question_id, a.question_name) for a in q.answers}
    assert names == {(100, "Câu 1"), (999, "Cố đô của triều Nguyễn?")}
    text = to_csv(stats).decode("utf-8-sig")
    assert "999,Cố đô của triều Nguyễn?,Hà Nội" in text


def test_cic_uses_the_sum_of_the_item_marks_under_negative_marking():
    # Slot 1 gives -0.5 for a wrong choice; attempts.total floors it at 0 in sum_marks.
    rows = [[1.0, 1.0, 1.0], [-0.5, 1.0, 0.0], [1.0, 0.0, 0.0], [-0.5, 0.0, 0.0],
            [1.0, 1.0, 1.0]]
    stats = compute_statistics([_attempt(i + 1, i + 1, r) for i, r in enumerate(rows)], "all")
    items = [[r[i] for r in rows] for i in range(3)]
    totals = [sum(r) for r in rows]
    alpha = 3 / 2 * (1 - sum(st.variance(i) for i in items) / st.variance(totals))
    assert stats.cic == pytest.approx(100 * alpha)
    # The grades themselves are the attempts' own (floored) totals.
    assert stats.mean == pytest.approx(st.mean([100, 100 / 3, 100 / 3, 0, 100]))


def test_histogram_bins_count_every_grade_once():
    bins = histogram([0, 9.99, 10, 55, 99.9, 100, -5, 120, None, float("nan")])
    assert [c for _, _, c in bins] == [3, 1, 0, 0, 0, 1, 0, 0, 0, 3]
    assert bins[0][:2] == (0.0, 10.0) and bins[-1][:2] == (90.0, 100.0)
    assert histogram([25, 50, 75, 100], bins=4) == [(0.0, 25.0, 0), (25.0, 50.0, 1),
                                                    (50.0, 75.0, 1), (75.0, 100.0, 2)]
    with pytest.raises(ValueError):
        histogram([1], bins=0)


def _report_with_hostile_text():
    responses = [{"text": "=HYPERLINK(\"http://x\",\"bấm\")"}, {"text": "+1+1"},
                 {"text": "  @SUM(A1)"}, {"text": "Thủ tục hành chính"}]
    attempts = _one_slot("short_answer", [{"id": 1, "text": "Thủ tục hành chính",
                                           "fraction": 1.0}], responses, [0, 0, 0, 1.0])
    for a in attempts:
        a.slots[0].question_name = "Thủ tục nào được số hoá?"
    return compute_statistics(attempts, "all")


def test_neutralise_formula():
    assert neutralise_formula("=1+1") == "'=1+1"
    assert neutralise_formula("  -2") == "'  -2"
    assert neutralise_formula("\tx") == "'\tx"
    assert neutralise_formula("Hà Nội = thủ đô") == "Hà Nội = thủ đô"
    assert neutralise_formula("") == ""


def test_csv_keeps_vietnamese_has_a_bom_and_no_formula():
    stats = _report_with_hostile_text()
    data = to_csv(stats, "vi")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Tổng quan"] and rows[1] == ["Chỉ số", "Giá trị"]
    overview = {r[0]: r[1] for r in rows[2:20] if len(r) == 2}
    assert overview["Lượt làm bài được tính"] == "Tất cả các lượt"
    assert overview["Số lượt được tính"] == "4"
    assert overview["Điểm trung bình (%)"] == "25"
    questions = rows.index(["Câu hỏi"])
    assert rows[questions + 2][2:4] == ["Thủ tục nào được số hoá?", "Trả lời ngắn"]
    cells = [cell for row in rows for cell in row]
    assert not any(c.lstrip(" ").startswith(("=", "+", "-", "@")) for c in cells), cells
    assert "'=HYPERLINK(\"http://x\",\"bấm\")" in cells
    assert "'+1+1" in cells and "'@SUM(A1)" in cells and "Thủ tục hành chính" in cells
    english = to_csv(stats, "en").decode("utf-8-sig")
    assert "Average grade (%),25" in english and "Short answer" in english


def test_xlsx_reads_back_with_numbers_as_numbers_and_text_as_text():
    stats = compute_statistics(_five(), "all")
    book = load_workbook(io.BytesIO(to_xlsx(stats, "vi")))
    assert book.sheetnames == ["Tổng quan", "Câu hỏi", "Phương án"]
    overview = {r[0].value: r[1] for r in book["Tổng quan"].iter_rows(min_row=2)}
    assert overview["Điểm trung bình (%)"].value == pytest.approx(0.6)
    assert overview["Điểm trung bình (%)"].number_format == "0.00%"
    assert overview["Số lượt được tính"].value == 5
    assert overview["Lượt làm bài được tính"].value == "Tất cả các lượt"
    assert overview["Hệ số nhất quán nội tại (%)"].value == pytest.approx(stats.cic / 100)
    sheet = book["Câu hỏi"]
    header = [c.value for c in sheet[1]]
    facility = header.index("Chỉ số dễ (%)")
    assert [row[facility].value for row in sheet.iter_rows(min_row=2)] == [
        pytest.approx(0.8), pytest.approx(0.6), pytest.approx(0.4)]
    assert sheet.freeze_panes == "A2"

    hostile = load_workbook(io.BytesIO(to_xlsx(_report_with_hostile_text(), "en")))
    assert hostile.sheetnames == ["Overview", "Questions", "Answers"]
    answers = hostile["Answers"]
    cells = [c for row in answers.iter_rows(min_row=2) for c in row]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "Thủ tục nào được số hoá?" in texts and "Thủ tục hành chính" in texts
    assert "'=HYPERLINK(\"http://x\",\"bấm\")" in texts
    assert all(c.data_type != "f" for c in cells)
