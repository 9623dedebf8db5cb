"""The city of the assessment benchmark, without people: its unit tree, competency framework, job
positions with their requirements, courses and classes. Pure and deterministic given the random
generator, so a resumed seeding rebuilds exactly the same world in memory without reading it
back (``assessment_seed`` writes it once, then adds the people batch by batch).

The shape is a Vietnamese city's administration (Hà Nội's thirty district-level units, some six
hundred wards and communes): the city People's Committee at the root; departments (sở, ban) with
their offices and public-service units; districts with their offices and wards; each ward with
its sections (tư pháp - hộ tịch, địa chính...) and schools. At full size that is 5,000 units,
depth 0 to 3. Positions belong to a tier (city department, district, ward), so a ward's staff
hold ward positions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from vn_data import COURSE_AUDIENCE, COURSE_KIND, COURSE_TOPIC

CITY = "Uỷ ban nhân dân Thành phố"
DEPARTMENTS = [
    "Sở Nội vụ", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Tư pháp", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Xây dựng", "Sở Giao thông vận tải",
    "Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Công Thương",
    "Sở Lao động - Thương binh và Xã hội", "Sở Văn hoá và Thể thao", "Sở Du lịch",
    "Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ", "Sở Quy hoạch - Kiến trúc",
    "Sở Ngoại vụ", "Thanh tra Thành phố", "Văn phòng Uỷ ban nhân dân Thành phố", "Ban Dân tộc",
    "Ban Quản lý các khu công nghiệp và chế xuất",
    "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng",
    "Ban Quản lý dự án đầu tư xây dựng công trình giao thông",
    "Ban Quản lý dự án đầu tư xây dựng công trình văn hoá - xã hội",
    "Đài Phát thanh và Truyền hình", "Trường Đào tạo cán bộ Lê Hồng Phong",
    "Viện Nghiên cứu phát triển kinh tế - xã hội", "Ban Quản lý các dự án nông nghiệp",
    "Trung tâm Phục vụ hành chính công",
]
DEPARTMENT_OFFICES = ["Văn phòng", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch - Tài chính",
                      "Phòng Pháp chế", "Thanh tra", "Phòng Quản lý chuyên ngành",
                      "Phòng Công nghệ thông tin", "Phòng Cải cách hành chính"]
SERVICE_UNITS = ["Trung tâm Dịch vụ công", "Trung tâm Công nghệ thông tin",
                 "Trung tâm Lưu trữ", "Trung tâm Đào tạo, bồi dưỡng"]
DISTRICTS = [
    "Quận Ba Đình", "Quận Hoàn Kiếm", "Quận Tây Hồ", "Quận Long Biên", "Quận Cầu Giấy",
    "Quận Đống Đa", "Quận Hai Bà Trưng", "Quận Hoàng Mai", "Quận Thanh Xuân",
    "Quận Nam Từ Liêm", "Quận Bắc Từ Liêm", "Quận Hà Đông", "Thị xã Sơn Tây", "Huyện Ba Vì",
    "Huyện Chương Mỹ", "Huyện Đan Phượng", "Huyện Đông Anh", "Huyện Gia Lâm", "Huyện Hoài Đức",
    "Huyện Mê Linh", "Huyện Mỹ Đức", "Huyện Phú Xuyên", "Huyện Phúc Thọ", "Huyện Quốc Oai",
    "Huyện Sóc Sơn", "Huyện Thạch Thất", "Huyện Thanh Oai", "Huyện Thanh Trì",
    "Huyện Thường Tín", "Huyện Ứng Hoà",
]
DISTRICT_OFFICES = ["Văn phòng HĐND và UBND", "Phòng Nội vụ", "Phòng Tư pháp",
                    "Phòng Tài chính - Kế hoạch", "Phòng Tài nguyên và Môi trường",
                    "Phòng Lao động - Thương binh và Xã hội", "Phòng Văn hoá và Thông tin",
                    "Phòng Giáo dục và Đào tạo", "Phòng Y tế", "Thanh tra", "Phòng Kinh tế",
                    "Phòng Quản lý đô thị"]
WARD_NAMES = [
    "Phúc Xá", "Trúc Bạch", "Vĩnh Phúc", "Cống Vị", "Liễu Giai", "Quán Thánh", "Ngọc Hà",
    "Điện Biên", "Đội Cấn", "Ngọc Khánh", "Kim Mã", "Giảng Võ", "Thành Công", "Phúc Tân",
    "Đồng Xuân", "Hàng Mã", "Hàng Buồm", "Hàng Đào", "Hàng Bồ", "Cửa Đông", "Lý Thái Tổ",
    "Hàng Bạc", "Hàng Gai", "Chương Dương", "Hàng Trống", "Cửa Nam", "Hàng Bông", "Tràng Tiền",
    "Trần Hưng Đạo", "Phan Chu Trinh", "Hàng Bài", "Yên Phụ", "Tứ Liên", "Nhật Tân",
    "Quảng An", "Xuân La", "Bưởi", "Thuỵ Khuê", "Phú Thượng", "Dịch Vọng", "Mai Dịch",
    "Nghĩa Đô", "Quan Hoa", "Yên Hoà", "Trung Hoà", "Văn Miếu", "Quốc Tử Giám", "Hàng Bột",
    "Láng Thượng", "Khâm Thiên", "Kim Liên", "Phương Liên", "Trung Tự", "Nam Đồng",
    "Ô Chợ Dừa", "Thịnh Quang", "Bạch Đằng", "Thanh Lương", "Minh Khai", "Vĩnh Tuy",
    "Đồng Tâm", "Tương Mai", "Định Công", "Đại Kim", "Hoàng Liệt", "Lĩnh Nam", "Khương Đình",
    "Hạ Đình", "Kim Giang", "Phú Đô", "Mễ Trì", "Tây Mỗ", "Đại Mỗ", "Xuân Phương", "Cổ Nhuế",
    "Đông Ngạc", "Thượng Cát", "Liên Mạc", "Văn Quán", "Mộ Lao", "Yên Nghĩa", "Vân Nội",
    "Kim Chung", "Hải Bối", "Tiên Dương", "Cổ Loa", "Uy Nỗ", "Xuân Canh", "Tân Lập",
    "Phú Cát", "Hoà Thạch", "Đông Yên", "Cấn Hữu", "Ngọc Liệp", "Sài Sơn", "Phượng Cách",
]
WARD_SECTIONS = ["Văn phòng - Thống kê", "Tư pháp - Hộ tịch",
                 "Địa chính - Xây dựng - Đô thị và Môi trường", "Tài chính - Kế toán",
                 "Văn hoá - Xã hội", "Bộ phận Tiếp nhận và Trả kết quả", "Trạm Y tế",
                 "Trường Mầm non", "Trường Tiểu học", "Trường Trung học cơ sở"]

#: Relative number of people in one unit of each kind (times a random factor per unit): public
#: service units and schools are large, a district's or ward's own office small.
KIND_PEOPLE = {"city": 80, "department": 120, "office": 250, "service": 900, "district": 80,
               "district_office": 150, "ward": 120, "ward_section": 160}
#: Which positions a unit's staff hold.
KIND_TIER = {"city": "so", "department": "so", "office": "so", "service": "so",
             "district": "huyen", "district_office": "huyen", "ward": "xa",
             "ward_section": "xa"}
TIER_NAME = {"so": "cấp sở", "huyen": "cấp huyện", "xa": "cấp xã"}
TIER_SHARE = {"so": 0.5, "huyen": 0.25, "xa": 0.25}
TIER_LEVELS = {
    "so": ["Chuyên viên", "Chuyên viên chính", "Chuyên viên cao cấp", "Phó Trưởng phòng",
           "Trưởng phòng", "Phó Giám đốc"],
    "huyen": ["Chuyên viên", "Chuyên viên chính", "Phó Trưởng phòng", "Trưởng phòng"],
    "xa": ["Công chức", "Cán sự", "Phó Chủ tịch", "Chủ tịch"],
}
LEADER_WORDS = ("Trưởng", "Giám đốc", "Chủ tịch")
DUTIES = ["", " phụ trách tổng hợp", " phụ trách chính sách", " phụ trách kiểm tra",
          " phụ trách một cửa"]

ASPECTS = [("Hiểu biết về", "Knowledge of"), ("Vận dụng quy định về", "Applying the rules of"),
           ("Kỹ năng thực hiện", "Skill in"), ("Tổ chức triển khai", "Organising"),
           ("Hướng dẫn, kiểm tra", "Guiding and checking")]
TOPICS_PER_GROUP = 5
#: Topics every position draws one or two requirements from, and those of leaders.
COMMON_TOPICS = ["soạn thảo văn bản", "đạo đức công vụ", "văn hoá công sở", "kỹ năng giao tiếp",
                 "chuyển đổi số", "cải cách hành chính"]
LEADER_TOPICS = ["lãnh đạo, quản lý", "xây dựng chính sách", "quản trị nhân sự khu vực công",
                 "phân tích chính sách"]
LEVEL_WORDS = ["Biết", "Hiểu", "Vận dụng", "Thành thạo", "Chuyên gia"]


@dataclass
class Unit:
    id: int
    parent_id: int | None
    code: str
    name: str
    path: str
    depth: int
    kind: str
    weight: float = 1.0


@dataclass
class Competency:
    id: int
    code: str
    name: str
    name_en: str
    group: int
    topic: str
    rule: str | None
    priority: list[str]


@dataclass
class Requirement:
    competency_id: int
    code: str
    level: int
    mandatory: bool
    weight: float


@dataclass
class Position:
    id: int
    code: str
    title: str
    level: str
    tier: str
    leader: bool
    requirements: list[Requirement]


@dataclass
class Course:
    id: int
    code: str
    title: str
    topic: str
    develops: list[tuple[int, str, int]]  # (competency id, code, level)
    duration_hours: int
    classes: list[int] = field(default_factory=list)


@dataclass
class Klass:
    id: int
    course_id: int
    code: str
    title: str
    starts_on: date
    ends_on: date
    status: str


@dataclass
class City:
    units: list[Unit]
    competencies: list[Competency]
    groups: list[tuple[int, str, str]]  # (id, code, name)
    positions: list[Position]
    courses: list[Course]
    classes: list[Klass]
    #: tier -> (position ids, cumulative weights): which position a new member of staff holds
    tier_positions: dict[str, tuple[list[int], list[float]]]
    #: position id -> courses developing one of its requirements (training "derived from the
    #: position")
    position_courses: dict[int, list[int]]
    #: cumulative people weights over ``units``
    unit_cum: list[float]


def unit_tree(n_units: int, rng: random.Random) -> list[Unit]:
    """Exactly ``n_units`` units (at least 8), the city's shape scaled down for small runs."""
    f = n_units / 5000
    n_dept = max(1, min(len(DEPARTMENTS), round(30 * f)))
    n_dist = max(1, min(len(DISTRICTS), round(30 * f)))
    units: list[Unit] = [Unit(1, None, "TP", CITY, "/1/", 0, "city")]

    def add(parent: Unit, code: str, name: str, kind: str) -> Unit:
        uid = len(units) + 1
        u = Unit(uid, parent.id, code, name, f"{parent.path}{uid}/", parent.depth + 1, kind)
        units.append(u)
        return u

    for d in range(n_dept):
        dept = add(units[0], f"S{d + 1:02d}", DEPARTMENTS[d], "department")
        for o, oname in enumerate(DEPARTMENT_OFFICES, 1):
            add(dept, f"{dept.code}-P{o:02d}", oname, "office")
        for s, sname in enumerate(SERVICE_UNITS, 1):
            add(dept, f"{dept.code}-T{s:02d}", sname, "service")
    districts = []
    for d in range(n_dist):
        dist = add(units[0], f"Q{d + 1:02d}", DISTRICTS[d], "district")
        districts.append(dist)
        for o, oname in enumerate(DISTRICT_OFFICES, 1):
            add(dist, f"{dist.code}-P{o:02d}", oname, "district_office")
    room = n_units - len(units)
    n_wards = max(1, min(room, round(579 * f)))
    wards = []
    for w in range(n_wards):
        dist = districts[w % len(districts)]
        k = w // len(districts)
        urban = dist.name.startswith("Quận")
        base = WARD_NAMES[(w * 7 + k) % len(WARD_NAMES)] if k < 12 else str(k + 1)
        name = (f"Phường {base}" if urban else (f"Thị trấn {base}" if k == 0 and not
                                                   dist.name.startswith("Thị xã")
                                                   else f"Xã {base}"))
        wards.append(add(dist, f"{dist.code}-X{k + 1:02d}", name, "ward"))
    left = n_units - len(units)
    per_ward = [0] * len(wards)
    for i in range(max(0, left)):
        per_ward[rng.randrange(len(wards))] += 1
    for ward, count in zip(wards, per_ward):
        for s in range(count):
            add(ward, f"{ward.code}-B{s + 1:02d}",
                WARD_SECTIONS[s % len(WARD_SECTIONS)] + ("" if s < len(WARD_SECTIONS)
                                                         else f" {s // len(WARD_SECTIONS) + 1}"),
                "ward_section")
    units = units[:n_units]
    for u in units:
        u.weight = KIND_PEOPLE[u.kind] * rng.lognormvariate(0, 0.45)
    return units


def framework(n_competencies: int) -> tuple[list[tuple[int, str, str]], list[Competency]]:
    """Competencies of the city's shared framework: topics × aspects, five topics per group."""
    groups: list[tuple[int, str, str]] = []
    comps: list[Competency] = []
    n_topics = -(-n_competencies // len(ASPECTS))
    topics = (COMMON_TOPICS + LEADER_TOPICS
              + [t for t in COURSE_TOPIC if t not in COMMON_TOPICS + LEADER_TOPICS])
    for t in range(n_topics):
        topic = topics[t % len(topics)] + ("" if t < len(topics) else f" ({t // len(topics) + 1})")
        g = t // TOPICS_PER_GROUP
        if len(groups) <= g:
            groups.append((g + 1, f"NHOM-{g + 1:02d}", f"Nhóm năng lực {g + 1}: {topic}"))
        for a, (vi, en) in enumerate(ASPECTS):
            cid = len(comps) + 1
            if cid > n_competencies:
                break
            # a tenth follow the latest evidence, a twentieth trust sources in an order
            rule = "latest" if cid % 10 == 3 else ("priority" if cid % 20 == 7 else None)
            comps.append(Competency(cid, f"NL-{cid:03d}", f"{vi} {topic}", f"{en} {topic}",
                                    g + 1, topic, rule,
                                    ["practical", "supervisor"] if rule == "priority" else []))
    return groups, comps


def positions(n_positions: int, comps: list[Competency], rng: random.Random) -> list[Position]:
    by_topic: dict[str, list[Competency]] = {}
    for c in comps:
        by_topic.setdefault(c.topic, []).append(c)
    common = [c for c in comps if c.topic in COMMON_TOPICS]
    leading = [c for c in comps if c.topic in LEADER_TOPICS]
    area_topics = [t for t in by_topic if t not in COMMON_TOPICS + LEADER_TOPICS] or \
        list(by_topic)
    out: list[Position] = []
    for tier, share in TIER_SHARE.items():
        count = max(3, round(n_positions * share))
        combos = [(lv, t, d) for d in DUTIES for t in area_topics for lv in TIER_LEVELS[tier]]
        rng.shuffle(combos)
        for i in range(count):
            level, topic, duty = combos[i % len(combos)]
            pid = len(out) + 1
            leader = any(w in level for w in LEADER_WORDS)
            title = f"{level} về {topic}{duty} ({TIER_NAME[tier]})"
            if i >= len(combos):
                title += f" – nhóm {i // len(combos) + 1}"
            n = rng.randint(4, 10)
            picked: dict[int, Competency] = {}
            for c in rng.sample(common, min(len(common), rng.randint(1, 2))):
                picked[c.id] = c
            if leader and leading:
                for c in rng.sample(leading, min(len(leading), rng.randint(1, 2))):
                    picked[c.id] = c
            pool = by_topic[topic] + [c for c in comps if c.group == by_topic[topic][0].group
                                      and c.topic != topic]
            while len(picked) < n and len(picked) < len(comps):
                c = rng.choice(pool) if rng.random() < 0.85 else rng.choice(comps)
                picked[c.id] = c
            base = 2 + ("chính" in level or leader) + ("cao cấp" in level or "Giám đốc" in level)
            no_standard = rng.random() < 0.04  # a few positions define no mandatory requirement
            reqs = []
            for k, c in enumerate(picked.values()):
                mandatory = not no_standard and (k == 0 or rng.random() < 0.55)
                reqs.append(Requirement(c.id, c.code, max(1, min(5, base + rng.choice(
                    [-1, 0, 0, 0, 1]))), mandatory, rng.choice([1.0, 1.0, 1.5, 2.0, 3.0])))
            out.append(Position(pid, f"VTVL-{pid:04d}", title, level, tier, leader, reqs))
    return out[:max(n_positions, 9)]


def courses(n_courses: int, classes_per_course: int, comps: list[Competency], today: date,
            rng: random.Random) -> tuple[list[Course], list[Klass]]:
    """Each course develops one to three competencies of one topic; its classes run over the
    last six years and the next four months."""
    by_topic: dict[str, list[Competency]] = {}
    for c in comps:
        by_topic.setdefault(c.topic, []).append(c)
    topics = list(by_topic)
    out: list[Course] = []
    klasses: list[Klass] = []
    for i in range(n_courses):
        cid = i + 1
        topic = topics[i % len(topics)]
        kind, audience = rng.choice(COURSE_KIND), rng.choice(COURSE_AUDIENCE)
        edition = i // len(topics)
        title = f"{kind} {topic} {audience}" + (f" (khoá {edition + 1})" if edition else "")
        develops = [(c.id, c.code, rng.choice([2, 3, 3, 4]))
                    for c in rng.sample(by_topic[topic], min(len(by_topic[topic]),
                                                             rng.choice([1, 1, 2])))]
        course = Course(cid, f"KH-{cid:05d}", title, topic, develops,
                        rng.choice([8, 16, 24, 40, 80]))
        for k in range(classes_per_course):
            kid = len(klasses) + 1
            starts = today + timedelta(days=rng.randint(-6 * 365, 120))
            ends = starts + timedelta(days=rng.randint(3, 45))
            status = "planned" if starts > today else ("ended" if ends < today else "running")
            klasses.append(Klass(kid, cid, f"{course.code}-L{k + 1:02d}",
                                 f"{title} – Lớp {k + 1}", starts, ends, status))
            course.classes.append(kid)
        out.append(course)
    return out, klasses


def build(n_units: int, n_competencies: int, n_positions: int, n_courses: int,
          classes_per_course: int, today: date, seed: int) -> City:
    rng = random.Random(seed)
    units = unit_tree(n_units, rng)
    groups, comps = framework(n_competencies)
    pos = positions(n_positions, comps, rng)
    crs, klasses = courses(n_courses, classes_per_course, comps, today, rng)
    tier_positions: dict[str, tuple[list[int], list[float]]] = {}
    for tier in TIER_SHARE:
        mine = [p for p in pos if p.tier == tier]
        rng.shuffle(mine)
        acc, cum = 0.0, []
        for rank, p in enumerate(mine):  # a few positions are very common, leaders are few
            acc += (0.2 if p.leader else 1.0) / (rank + 8) ** 0.8
            cum.append(acc)
        tier_positions[tier] = ([p.id for p in mine], cum)
    developing: dict[int, list[int]] = {}
    for c in crs:
        for comp_id, _, _ in c.develops:
            developing.setdefault(comp_id, []).append(c.id)
    position_courses = {p.id: sorted({k for r in p.requirements
                                      for k in developing.get(r.competency_id, [])})
                        for p in pos}
    acc, unit_cum = 0.0, []
    for u in units:
        acc += u.weight
        unit_cum.append(acc)
    return City(units, comps, groups, pos, crs, klasses, tier_positions, position_courses,
                unit_cum)


def level_descriptor(level: int, name: str) -> str:
    return f"Mức {level} – {LEVEL_WORDS[level - 1]}: {name[0].lower()}{name[1:]}"
