"""Word lists for realistic Vietnamese benchmark data: people's names with their real frequency
skew (a third of the population is a Nguyễn, which is what makes name search and ordering hard)
and civil-service course titles. Deterministic given the random generator passed in."""

from __future__ import annotations

import random

# Family names with rough population shares (percent).
FAMILY = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 1.5),
    ("Phan", 4.5), ("Vũ", 3), ("Võ", 1.5), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5), ("Đinh", 0.8), ("Trịnh", 0.7), ("Đoàn", 0.6),
    ("Lương", 0.5), ("Mai", 0.4), ("Tạ", 0.3), ("Chu", 0.3), ("Quách", 0.2), ("Âu", 0.1),
]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Xuân", "Công", "Tiến", "Ngọc",
               "Quốc", "Mạnh", "Duy", "Trọng", "Đình", "Anh", "Hoàng", "Bá", "Thế", "Việt"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Minh", "Hồng", "Bích", "Thuỳ", "Phương",
                 "Khánh", "Mai", "Diệu", "Hải", "Quỳnh", "Ánh", "Tuyết", "Lan", "Mỹ", "Bảo"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Đạt", "Đức", "Giang", "Hải", "Hiếu", "Hoàng",
              "Hùng", "Huy", "Khánh", "Khoa", "Kiên", "Long", "Lâm", "Minh", "Nam", "Nghĩa",
              "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn",
              "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Lộc", "Hưng", "Đông", "Trí"]
GIVEN_FEMALE = ["Anh", "Châu", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền",
                "Hoa", "Hồng", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My",
                "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Thơ",
                "Thu", "Thuỷ", "Trang", "Trâm", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Ánh"]

_FAMILY_NAMES = [f for f, _ in FAMILY]
_FAMILY_WEIGHTS = [w for _, w in FAMILY]


def person_name(rng: random.Random) -> str:
    family = rng.choices(_FAMILY_NAMES, _FAMILY_WEIGHTS)[0]
    if rng.random() < 0.5:
        middle, given = MIDDLE_MALE, GIVEN_MALE
    else:
        middle, given = MIDDLE_FEMALE, GIVEN_FEMALE
    parts = [family, rng.choice(middle)]
    if rng.random() < 0.15:  # a second middle name: "Nguyễn Thị Thu Hà"
        parts.append(rng.choice(middle))
    parts.append(rng.choice(given))
    return " ".join(parts)


COURSE_KIND = ["Bồi dưỡng", "Tập huấn", "Cập nhật kiến thức", "Kỹ năng", "Nghiệp vụ",
               "Chuyên đề"]
COURSE_TOPIC = [
    "quản lý nhà nước", "chuyển đổi số", "văn thư lưu trữ", "cải cách hành chính",
    "tiếp công dân", "phòng, chống tham nhũng", "an toàn thông tin", "soạn thảo văn bản",
    "quản lý tài chính công", "đấu thầu", "kế toán hành chính sự nghiệp", "thanh tra",
    "giải quyết khiếu nại, tố cáo", "lãnh đạo, quản lý", "đạo đức công vụ",
    "văn hoá công sở", "quản trị nhân sự khu vực công", "chính phủ điện tử",
    "dịch vụ công trực tuyến", "quản lý dự án đầu tư công", "pháp luật đất đai",
    "bảo vệ môi trường", "ứng phó biến đổi khí hậu", "quốc phòng và an ninh",
    "lý luận chính trị", "công tác dân vận", "công tác Đảng", "kinh tế tập thể",
    "phát triển nông thôn mới", "quản lý đô thị", "xây dựng nông thôn mới",
    "thống kê", "kiểm soát thủ tục hành chính", "hội nhập quốc tế", "tiếng Anh công vụ",
    "kỹ năng giao tiếp", "kỹ năng thuyết trình", "kỹ năng làm việc nhóm",
    "quản lý thời gian", "xây dựng chính sách", "phân tích chính sách",
    "pháp chế", "hộ tịch", "tư pháp cơ sở", "bình đẳng giới", "công tác dân tộc",
    "tôn giáo", "y tế cơ sở", "giáo dục nghề nghiệp", "doanh nghiệp nhà nước",
    "quản lý thị trường", "nghiệp vụ hải quan", "thuế", "kho bạc", "bảo hiểm xã hội",
    "lao động, việc làm", "trẻ em và gia đình", "phòng cháy, chữa cháy",
    "phòng, chống thiên tai", "an toàn giao thông",
]
COURSE_AUDIENCE = ["cho chuyên viên", "cho chuyên viên chính", "cho lãnh đạo cấp phòng",
                   "cho lãnh đạo cấp sở", "cho công chức cấp xã", "cho viên chức",
                   "cho cán bộ mới tuyển dụng", "cho người đứng đầu", "nâng cao",
                   "cơ bản", "trực tuyến", "theo vị trí việc làm"]
TOPIC_EN = "public administration"
LOCATIONS = ["Hội trường A", "Phòng học 204", "Phòng học 305", "Trực tuyến (Zoom)",
             "Trung tâm Hội nghị tỉnh", "Phòng máy 1", "Hội trường B"]


def course_titles(count: int, rng: random.Random) -> list[str]:
    """``count`` titles, unique while the combinations last, then numbered editions."""
    combos = [f"{k} {t} {a}" for k in COURSE_KIND for t in COURSE_TOPIC for a in COURSE_AUDIENCE]
    rng.shuffle(combos)
    titles = []
    for i in range(count):
        base = combos[i % len(combos)]
        edition = i // len(combos)
        titles.append(base if edition == 0 else f"{base} (khoá {edition + 1})")
    return titles


def course_description(title: str, rng: random.Random) -> str:
    hours = rng.choice([8, 16, 24, 40, 80])
    return (f"Khoá học \u201c{title}\u201d trang bị cho học viên kiến thức và kỹ năng cần thiết "
            f"theo khung năng lực vị trí việc làm, gồm {hours} tiết lý thuyết và thực hành, "
            f"kết hợp học trực tuyến và học tập trung tại Trường.")
