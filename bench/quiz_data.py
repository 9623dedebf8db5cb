"""Vietnamese civil-service questions of every auto-graded type, each with three responses whose
fraction is known in advance (worked out by hand from the question, not by calling the
grader): ``right``, ``wrong`` and ``partial`` (a second wrong answer where the type has no
partial credit). The quiz benchmark grades them in-process and makes 1,000 trainees answer them
over HTTP, so it can check every stored mark against what it expected.

Responses are JSON-shaped (matching keys are strings), as a browser would send them; answer ids
are the ones ``qtypes.normalise`` gives a new question (1..n in authoring order).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from lms_quizzes import qtypes

VARIANTS = ("right", "wrong", "partial")


@dataclass(frozen=True)
class Spec:
    """A normalised, valid question and its responses: variant -> (response, fraction)."""

    question: dict[str, Any]
    responses: dict[str, tuple[dict[str, Any], float]]

    @property
    def type(self) -> str:
        return self.question["type"]


def _q(body: dict[str, Any], right: Any, wrong: Any, partial: Any) -> Spec:
    question = qtypes.normalise(body)
    problems = qtypes.validate(question)
    if problems:
        raise ValueError(f"{body['text'][:60]}: {[p.code for p in problems]}")
    return Spec(question, {"right": right, "wrong": wrong, "partial": partial})


def templates() -> list[Spec]:
    """Two questions of each of the seven auto-graded types."""
    return [
        # single choice: one full answer, one half answer, negative marking on a wrong one
        _q({"type": "single_choice",
            "text": "Theo Luật Cán bộ, công chức, chất lượng công chức được đánh giá, xếp loại "
                    "hằng năm theo **mấy mức**?",
            "answers": [{"text": "4 mức", "fraction": 1, "feedback": "Đúng."},
                        {"text": "3 mức", "fraction": 0.5},
                        {"text": "5 mức", "fraction": -0.25, "feedback": "Sai: bị trừ điểm."},
                        {"text": "2 mức", "fraction": 0}]},
           ({"choice": 1}, 1.0), ({"choice": 3}, -0.25), ({"choice": 2}, 0.5)),
        _q({"type": "single_choice",
            "text": "Cơ quan nào có thẩm quyền ban hành nghị định?",
            "answers": [{"text": "Chính phủ", "fraction": 1},
                        {"text": "Thủ tướng Chính phủ", "fraction": 0},
                        {"text": "Quốc hội", "fraction": 0},
                        {"text": "Bộ Nội vụ", "fraction": 0}]},
           ({"choice": 1}, 1.0), ({"choice": 3}, 0.0), ({"choice": 2}, 0.0)),
        # multiple response: fractions add up; the sum is clamped to 0..1
        _q({"type": "multiple_response",
            "text": "Những văn bản nào sau đây là văn bản quy phạm pháp luật?",
            "answers": [{"text": "Luật", "fraction": 0.5},
                        {"text": "Nghị định", "fraction": 0.5},
                        {"text": "Công văn", "fraction": -0.5},
                        {"text": "Tờ trình", "fraction": -0.5}]},
           ({"choices": [1, 2]}, 1.0), ({"choices": [1, 3, 4]}, 0.0),
           ({"choices": [2]}, 0.5)),
        _q({"type": "multiple_response",
            "text": "Chọn các hình thức kỷ luật áp dụng đối với công chức không giữ chức vụ "
                    "lãnh đạo, quản lý.",
            "answers": [{"text": "Khiển trách", "fraction": 1 / 3},
                        {"text": "Cảnh cáo", "fraction": 1 / 3},
                        {"text": "Buộc thôi việc", "fraction": 1 / 3},
                        {"text": "Cách chức", "fraction": -1}]},
           # 3 x 0.3333333 = 0.9999999: graded "partial" (threshold 1e-9; Moodle's is 1e-7)
           ({"choices": [1, 2, 3]}, 0.9999999), ({"choices": [4]}, 0.0),
           ({"choices": [1, 2]}, 0.6666666)),
        # true/false: no partial credit
        _q({"type": "true_false",
            "text": "Công chức được đánh giá, xếp loại chất lượng hằng năm.",
            "options": {"correct": True}},
           ({"value": True}, 1.0), ({"value": False}, 0.0), ({"value": False}, 0.0)),
        _q({"type": "true_false",
            "text": "Theo Nghị định 30/2020/NĐ-CP, chữ ký trên văn bản hành chính dùng mực "
                    "màu đen.",
            "options": {"correct": False}},
           ({"value": False}, 1.0), ({"value": True}, 0.0), ({"value": True}, 0.0)),
        # short answer: accents and case ignored, wildcard patterns for partial credit
        _q({"type": "short_answer",
            "text": "Cổng cung cấp dịch vụ công trực tuyến trên toàn quốc có tên là gì?",
            "answers": [{"text": "Cổng Dịch vụ công quốc gia", "fraction": 1},
                        {"text": "*dịch vụ công*", "fraction": 0.5,
                         "feedback": "Gần đúng: đó là cổng cấp quốc gia."}],
            "options": {"accent_sensitive": False}},
           ({"text": "cong dich vu cong quoc gia"}, 1.0),
           ({"text": "Cổng thông tin điện tử Chính phủ"}, 0.0),
           ({"text": "Cổng dịch vụ công của tỉnh"}, 0.5)),
        _q({"type": "short_answer",
            "text": "Thủ đô của nước Cộng hoà xã hội chủ nghĩa Việt Nam là thành phố nào?",
            "answers": [{"text": "Hà Nội", "fraction": 1},
                        {"text": "thành phố Hà Nội", "fraction": 1},
                        {"text": "Hà*", "fraction": 0.25}],
            "options": {"accent_sensitive": False}},
           ({"text": "  thanh pho  HA NOI "}, 1.0), ({"text": "Huế"}, 0.0),
           ({"text": "Hà Đông"}, 0.25)),
        # numerical: exact value, a range for half marks, decimal comma, "any" as the last
        _q({"type": "numerical",
            "text": "Theo Nghị định 30/2020/NĐ-CP, lề trên của trang văn bản hành chính cách "
                    "mép trên tối thiểu bao nhiêu milimét?",
            "answers": [{"kind": "tolerance", "value": 20, "tolerance": 0, "fraction": 1},
                        {"kind": "range", "min": 15, "max": 25, "fraction": 0.5},
                        {"kind": "any", "fraction": 0, "feedback": "Xem Phụ lục I."}]},
           ({"value": 20}, 1.0), ({"value": "50"}, 0.0), ({"value": "25"}, 0.5)),
        _q({"type": "numerical",
            "text": "Một lớp bồi dưỡng có 40 tiết, mỗi ngày học 8 tiết. Lớp học trong bao "
                    "nhiêu ngày?",
            "answers": [{"kind": "tolerance", "value": 5, "tolerance": 0.01, "fraction": 1},
                        {"kind": "range", "min": 4, "max": 6, "fraction": 0.5}]},
           ({"value": "5,0"}, 1.0), ({"value": 8}, 0.0), ({"value": "4,5"}, 0.5)),
        # matching: correct pairs / pairs; a distractor on the right
        _q({"type": "matching",
            "text": "Ghép mỗi cơ quan, người có thẩm quyền với loại văn bản quy phạm pháp luật "
                    "do cơ quan, người đó ban hành.",
            "answers": [{"text": "Quốc hội", "match": "Luật"},
                        {"text": "Chính phủ", "match": "Nghị định"},
                        {"text": "Thủ tướng Chính phủ", "match": "Quyết định"},
                        {"text": "Bộ trưởng", "match": "Thông tư"},
                        {"text": "", "match": "Chỉ thị"}]},
           ({"pairs": {"1": "Luật", "2": "Nghị định", "3": "Quyết định", "4": "Thông tư"}}, 1.0),
           ({"pairs": {"1": "Nghị định", "2": "Luật", "3": "Thông tư", "4": "Chỉ thị"}}, 0.0),
           ({"pairs": {"1": "Luật", "2": "Nghị định", "3": "Thông tư", "4": "Quyết định"}},
            0.5)),
        _q({"type": "matching",
            "text": "Ghép mỗi mức độ với mô tả của dịch vụ công trực tuyến.",
            "answers": [{"text": "Một phần", "match": "Nộp hồ sơ trực tuyến, nhận kết quả "
                                                      "trực tiếp"},
                        {"text": "Toàn trình", "match": "Mọi bước đều trực tuyến"},
                        {"text": "Thông tin trực tuyến", "match": "Chỉ cung cấp thông tin"}]},
           ({"pairs": {"1": "Nộp hồ sơ trực tuyến, nhận kết quả trực tiếp",
                       "2": "Mọi bước đều trực tuyến", "3": "Chỉ cung cấp thông tin"}}, 1.0),
           ({"pairs": {"1": "Mọi bước đều trực tuyến", "2": "Chỉ cung cấp thông tin",
                       "3": "Nộp hồ sơ trực tuyến, nhận kết quả trực tiếp"}}, 0.0),
           ({"pairs": {"2": "Mọi bước đều trực tuyến"}}, 0.3333333)),
        # ordering: absolute position (default) and relative to the next item
        _q({"type": "ordering",
            "text": "Sắp xếp các bước tiếp công dân theo đúng trình tự.",
            "answers": [{"text": "Xác định nhân thân của người đến khiếu nại, tố cáo"},
                        {"text": "Nghe, ghi chép nội dung trình bày"},
                        {"text": "Tiếp nhận thông tin, tài liệu, bằng chứng"},
                        {"text": "Phân loại, xử lý nội dung"}]},
           ({"order": [1, 2, 3, 4]}, 1.0), ({"order": [4, 3, 2, 1]}, 0.0),
           ({"order": [2, 1, 3, 4]}, 0.5)),
        _q({"type": "ordering",
            "text": "Sắp xếp các bước xây dựng một nghị định theo đúng trình tự.",
            "answers": [{"text": "Lập đề nghị xây dựng"}, {"text": "Soạn thảo dự thảo"},
                        {"text": "Lấy ý kiến góp ý"}, {"text": "Thẩm định"},
                        {"text": "Chính phủ xem xét, thông qua"}],
            "options": {"grading": "relative_next"}},
           ({"order": [1, 2, 3, 4, 5]}, 1.0), ({"order": [5, 4, 3, 2, 1]}, 0.0),
           ({"order": [1, 2, 3, 5, 4]}, 0.5)),
    ]


def bank(count: int) -> list[Spec]:
    """``count`` distinct review questions for a random draw: the templates, numbered."""
    base = templates()
    out = []
    for k in range(count):
        t = base[k % len(base)]
        body = {**t.question, "text": f"Câu ôn tập {k + 1}. {t.question['text']}", "name": ""}
        out.append(_q(body, *(t.responses[v] for v in VARIANTS)))
    return out


def variant_for(trainee: int, slot: int) -> str:
    """The kind of answer trainee ``trainee`` gives in ``slot``: about 60 % right, 20 % partial,
    20 % wrong, fixed per (trainee, slot) so the expected mark is known before the run."""
    r = random.Random(trainee * 1_000 + slot).random()
    return "right" if r < 0.6 else "partial" if r < 0.8 else "wrong"
