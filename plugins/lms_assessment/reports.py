"""The planners' and institutions' report of a scope: the institution, optionally one unit with its
sub-units and one job position, in one year. What each figure means (docs/assessment.md,
"Reports"):

* **trained**: distinct people who completed a class of the year (a class's year is the year it
  ended, see ``report_sql``); **classes**: the year's classes with at least one person of the
  scope enrolled; **enrolled** / **completed**: their enrolments, **completion_rate** =
  completed / enrolled.
* **gain**: the mean over the classes of each class's mean normalised change between pre- and
  post-test (``learning.change``), the class's trainees of the scope who sat both counted.
* **share** meeting the standard: ``standard.py``'s figure at the end of the year (now, for the
  current year): meeting / staff, staff being the people of the scope as they are now and
  their levels those of their profile at that moment.
* **changes**: on-the-job ratings, per rater (supervisor, self) and competency, the mean change
  from the baseline to the last wave rated after the training.
* **quality**: the class-quality survey's means per course (per section) and per lecturer over
  the valid forms of the scope's classes; never who wrote what, never the comments.

Breakdowns: one row per child unit (the drill-down; with the people directly in the unit, or
without a unit, as a row of their own, so rows add up to the total), per position, and per year
for the trend. Everything is a handful of statements whatever the number of people: the
groups of ``report_sql`` are added up here over the unit tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from lms_core import clock
from lms_core.http.problems import Problem
from lms_core.models import Course, CourseModule, Institution, JobPosition, Unit, User
from lms_core.sql import as_date
from lms_core.text import name_sort_key, word_key

from lms_assessment import frameworks, learning, report_sql, standard, survey
from lms_assessment.models import Competency

#: How many years the trend shows, the chosen one last.
TREND_YEARS = 5
#: Years a report may ask for (from ``FIRST_YEAR`` to the current one).
FIRST_YEAR = 2000
#: People listed directly on a unit's page (the rest through the needs page and exports).
PEOPLE_LIMIT = 500
#: People per call of the quiz-results hook (see ``class_gains``).
HOOK_BATCH = 2000
#: The year ends at midnight in Vietnam, whatever the server's zone.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Scope:
    institution_id: int
    year: int
    unit_id: int | None = None
    position_id: int | None = None


def current_year() -> int:
    return clock.now().astimezone(LOCAL_TZ).year


def moment_of(year: int) -> datetime:
    """When "% meeting standard" of a year is read: the end of that year, or now while it runs
    (UTC, the form the profile's segments are compared in)."""
    end = datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ).astimezone(timezone.utc)
    return min(end, clock.now().astimezone(timezone.utc))


def check_year(year: int | None) -> int:
    this = current_year()
    if year is None:
        return this
    if not FIRST_YEAR <= year <= this:
        raise Problem(422, f"Năm phải từ {FIRST_YEAR} đến {this}.",
                      f"The year must be from {FIRST_YEAR} to {this}.",
                      errors=[{"field": "year", "location": "query",
                               "message": f"{FIRST_YEAR}..{this}"}])
    return year


def _share(part: int, whole: int, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


# --- the unit tree: which child of the scope's unit each unit rolls up into -------------------

@dataclass(frozen=True)
class Tree:
    units: dict[int, dict[str, Any]]
    top: dict[str, Any] | None

    def ids_of(self, unit: dict[str, Any]) -> list[int]:
        return [int(p) for p in unit["path"].strip("/").split("/") if p.isdigit()]

    def bucket(self, unit_id: int | None) -> int | None | bool:
        """The child of the scope's unit that ``unit_id`` belongs to; None for the scope's own
        people (or, institution-wide, people without a unit); False: outside the scope."""
        if unit_id is None:
            return None if self.top is None else False
        unit = self.units.get(unit_id)
        if unit is None:
            return False
        ids = self.ids_of(unit)
        depth = len(self.ids_of(self.top)) if self.top else 0
        if self.top is not None and ids[:depth] != self.ids_of(self.top):
            return False
        return ids[depth] if len(ids) > depth else None

    def children(self) -> list[dict[str, Any]]:
        """The units one level below the scope's (top-level units for the institution), by
        their materialised paths like every figure here, in Vietnamese order."""
        top = self.ids_of(self.top) if self.top else []
        rows = [u for u in self.units.values()
                if len(ids := self.ids_of(u)) == len(top) + 1 and ids[:len(top)] == top]
        return sorted(rows, key=lambda u: (word_key(u["name"]), u["id"]))

    def has_children(self, unit_id: int) -> bool:
        return any(len(ids := self.ids_of(u)) >= 2 and ids[-2] == unit_id
                   for u in self.units.values())

    def crumbs(self) -> list[dict[str, Any]]:
        if self.top is None:
            return []
        return [{"id": i, "name": self.units[i]["name"]} for i in self.ids_of(self.top)
                if i in self.units]


async def tree(institution_id: int, unit_id: int | None) -> Tree:
    rows = await Unit.filter(institution_id=institution_id).values("id", "name", "path",
                                                                    "parent_id", "depth")
    units = {u["id"]: u for u in rows}
    top = None
    if unit_id is not None:
        top = units.get(unit_id)
        if top is None:
            raise Problem(404, "Không tìm thấy đơn vị.", "Unit not found.")
    return Tree(units, top)


async def position_of(institution_id: int, position_id: int | None) -> dict[str, Any] | None:
    if position_id is None:
        return None
    row = await JobPosition.filter(id=position_id, institution_id=institution_id).values(
        "id", "code", "title")
    if not row:
        raise Problem(404, "Không tìm thấy vị trí việc làm.", "Job position not found.")
    return row[0]


async def _position_titles(institution_id: int, ids: Iterable[int | None]) -> dict[int, str]:
    """id -> title of these positions of the institution (a report's rows name a few of its
    thousands; no sorting of the rest)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return dict(await JobPosition.filter(institution_id=institution_id, id__in=wanted
                                         ).values_list("id", "title"))


async def positions(institution_id: int) -> list[dict[str, Any]]:
    """The institution's positions in Vietnamese order (the filter's choices)."""
    rows = await JobPosition.filter(institution_id=institution_id).values("id", "code", "title")
    return sorted(rows, key=lambda p: (word_key(p["title"]), p["id"]))


# --- % meeting the standard, from standard.py ---------------------------------------------------

_ZERO = {"staff": 0, "with_standard": 0, "meeting": 0}


def _add(into: dict[str, int], figures: dict[str, int]) -> None:
    for key in _ZERO:
        into[key] = into.get(key, 0) + int(figures.get(key, 0) or 0)


def _with_share(figures: dict[str, int]) -> dict[str, Any]:
    return {**figures, "share": _share(figures["meeting"], figures["staff"])}


class Standard:
    """``standard.py``'s figures for one report: each statement (a grouping at a moment) asked
    once however many tables show it. The scope's subtree is ``per_position`` with the unit
    (one statement over the subtree only); child units need ``per_unit`` of the subtree (added
    up here over the tree), or with a position chosen one ``per_position`` per child unit,
    since ``standard.py`` groups by unit or by position, not both."""

    def __init__(self, scope: Scope, t: Tree) -> None:
        self.scope, self.t = scope, t
        self._memo: dict[tuple[Any, ...], dict[int | None, dict[str, int]]] = {}

    async def read_moments(self, moments: list[datetime]) -> None:
        """The scope's figures per position at every moment of the trend in one statement
        (one pass over the people and their segments instead of one per year)."""
        wanted = [m for m in moments if ("position", m, self.scope.unit_id) not in self._memo]
        if not wanted:
            return
        found = await standard.per_position_at(self.scope.institution_id, wanted,
                                               self.scope.unit_id)
        for moment, figures in found.items():
            self._memo[("position", moment, self.scope.unit_id)] = figures

    async def _per_position(self, moment: datetime, unit_id: int | None
                            ) -> dict[int | None, dict[str, int]]:
        key = ("position", moment, unit_id)
        if key not in self._memo:
            self._memo[key] = await standard.per_position(self.scope.institution_id, moment,
                                                          unit_id)
        return self._memo[key]

    async def positions(self, moment: datetime) -> dict[int | None, dict[str, int]]:
        """position -> figures within the scope's subtree."""
        return await self._per_position(moment, self.scope.unit_id)

    async def total(self, moment: datetime) -> dict[str, int]:
        total = dict(_ZERO)
        for position_id, figures in (await self.positions(moment)).items():
            if self.scope.position_id is None or position_id == self.scope.position_id:
                _add(total, figures)
        return total

    async def children(self, moment: datetime) -> dict[int | None, dict[str, int]]:
        """child unit -> figures (None: the unit's own people, or people without a unit)."""
        kids = self.t.children()
        total = await self.total(moment)
        out: dict[int | None, dict[str, int]] = {}
        if not kids:
            return {None: total} if any(total.values()) else {}
        if self.scope.position_id is None:
            for unit_id, figures in (await standard.per_unit(
                    self.scope.institution_id, moment, self.scope.unit_id)).items():
                key = self.t.bucket(unit_id)
                if key is not False:
                    _add(out.setdefault(key, dict(_ZERO)), figures)
            return out
        rest = dict(total)
        for child in kids:
            figures = (await self._per_position(moment, child["id"])).get(self.scope.position_id)
            if figures:
                out[child["id"]] = dict(_ZERO)
                _add(out[child["id"]], figures)
                for key in _ZERO:
                    rest[key] -= int(figures[key])
        if any(rest.values()):
            out[None] = rest
        return out


# --- learning gain, through the quizzes' hook ---------------------------------------------------

async def class_gains(plugins: Any, institution_id: int, pairs: list[dict[str, Any]]
                      ) -> dict[int, dict[str, Any]]:
    """class id -> mean normalised change of its trainees (of the scope) who sat both tests,
    read as ``learning.class_learning`` reads them (quiz modules of the class's course, the
    result of a pre_test and of a post_test module per person), in one call of the hook."""
    if not pairs or plugins is None:
        return {}
    course_of = dict(await CourseModule.filter(
        course_id__in=sorted({p["course_id"] for p in pairs}), type="quiz",
        is_active=True).values_list("id", "course_id"))
    if not course_of:
        return {}
    modules: dict[int, list[int]] = {}
    for module_id, course_id in course_of.items():
        modules.setdefault(course_id, []).append(module_id)
    users: dict[int, set[int]] = {}
    for p in pairs:
        if p["course_id"] in modules:
            users.setdefault(p["course_id"], set()).add(p["user_id"])
    # One call per course and batch of people: the answering plugin reads its attempts with
    # IN lists, which a driver caps (asyncpg: 32,767 parameters), so no call asks for more.
    found: list[dict[str, Any]] = []
    for course_id, people in users.items():
        ordered = sorted(people)
        for i in range(0, len(ordered), HOOK_BATCH):
            found += await plugins.collect(
                "lms_assessment_quiz_results", institution_id, institution_id=institution_id,
                module_ids=modules[course_id], user_ids=ordered[i:i + HOOK_BATCH])
    pre: dict[tuple[int, int], float] = {}
    post: dict[tuple[int, int], float] = {}
    for r in found:
        course = course_of.get(r["module_id"])
        if course is None or r.get("fraction") is None:
            continue
        if r["kind"] == "pre_test":
            pre[(course, r["user_id"])] = r["fraction"]
        elif r["kind"] == "post_test":
            post[(course, r["user_id"])] = r["fraction"]
    changes: dict[int, list[float]] = {}
    for p in pairs:
        key = (p["course_id"], p["user_id"])
        c = learning.change(pre.get(key), post.get(key))
        if c is not None:
            changes.setdefault(p["class_id"], []).append(c)
    return {cid: {"gain": _mean(values), "with_both": len(values)}
            for cid, values in changes.items()}


# --- on-the-job change and class quality --------------------------------------------------------

async def _competency_names(institution_id: int, codes: Iterable[str]) -> dict[str, dict]:
    resolve = await frameworks.resolve_codes(institution_id)
    ids = {resolve[c]: c for c in codes if c in resolve}
    rows = await Competency.filter(id__in=list(ids)).values("id", "name", "name_en") \
        if ids else []
    return {ids[r["id"]]: {"name": r["name"], "name_en": r["name_en"]} for r in rows}


async def changes(f: report_sql.Filter) -> dict[str, Any]:
    rows = await report_sql.job_change(f)
    names = await _competency_names(f.institution_id, {r["code"] for r in rows if r["code"]})
    out: dict[str, Any] = {}
    for role in ("supervisor", "self"):
        mine = sorted((r for r in rows if str(r["role"]) == role and r["code"]),
                      key=lambda r: str(r["code"]))
        items = [{"code": r["code"], **names.get(r["code"], {"name": "", "name_en": ""}),
                  "n": int(r["n"]), "baseline": round(_num(r["baseline"]), 2),
                  "last": round(_num(r["last"]), 2), "change": round(_num(r["change"]), 2)}
                 for r in mine]
        n = sum(i["n"] for i in items)
        out[role] = {"n": n, "change": round(sum(_num(r["change"]) * int(r["n"])
                                                 for r in mine) / n, 2) if n else None,
                     "competencies": items}
    return out


_SECTION_OF = {item.key: item.section for item in survey.STANDARD_ITEMS}


def _stat(total: float, n: int) -> dict[str, Any]:
    return {"n": n, "mean": round(total / n, 2) if n else None}


async def quality(institution_id: int, classes: dict[int, dict[str, Any]],
                  courses: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Per course: the mean per section and overall over the valid forms of its classes in the
    scope (the same pooling as ``survey.statistics`` for one class); per lecturer: the mean of
    the lecturer items that name them."""
    answers = await report_sql.survey_answers(institution_id, list(classes))
    forms = {r["class_id"]: r for r in await report_sql.survey_forms(institution_id,
                                                                     list(classes))}
    per_course: dict[int, dict[str, Any]] = {}
    per_lecturer: dict[int, dict[str, Any]] = {}

    def course_entry(class_id: int) -> dict[str, Any] | None:
        klass = classes.get(class_id)
        if klass is None:
            return None
        return per_course.setdefault(klass["course_id"], {
            "course_id": klass["course_id"], "classes": set(), "forms": 0, "valid": 0,
            "sections": {k: [0.0, 0] for k in survey.SECTIONS}, "all": [0.0, 0]})

    for class_id, row in forms.items():
        entry = course_entry(class_id)
        if entry is not None:
            entry["classes"].add(class_id)
            entry["forms"] += int(row["forms"])
            entry["valid"] += int(row["valid"] or 0)
    for r in answers:
        entry = course_entry(r["class_id"])
        key, _, lecturer = str(r["item"]).partition("@")
        section = _SECTION_OF.get(key)
        if entry is None or section is None:
            continue
        total, n = float(r["total"] or 0), int(r["n"])
        entry["classes"].add(r["class_id"])
        entry["sections"][section][0] += total
        entry["sections"][section][1] += n
        entry["all"][0] += total
        entry["all"][1] += n
        if lecturer.isdigit():
            person = per_lecturer.setdefault(int(lecturer), {"classes": set(), "sum": 0.0,
                                                             "n": 0})
            person["classes"].add(r["class_id"])
            person["sum"] += total
            person["n"] += n
    names = dict(await User.filter(id__in=list(per_lecturer)).values_list("id", "full_name")) \
        if per_lecturer else {}
    courses_out = []
    for course_id, e in per_course.items():
        course = courses.get(course_id, {})
        courses_out.append({
            "course_id": course_id, "title": course.get("title", ""),
            "title_en": course.get("title_en", ""), "classes": len(e["classes"]),
            "forms": e["forms"], "valid": e["valid"], "invalid": e["forms"] - e["valid"],
            "overall": _stat(*e["all"]),
            "sections": {k: _stat(*v) for k, v in e["sections"].items()}})
    courses_out.sort(key=lambda c: (word_key(c["title"]), c["course_id"]))
    lecturers_out = sorted(
        ({"lecturer_id": uid, "full_name": names.get(uid, ""), "classes": len(e["classes"]),
          **_stat(e["sum"], e["n"])} for uid, e in per_lecturer.items()),
        key=lambda x: (name_sort_key(x["full_name"]), x["lecturer_id"]))
    return {"sections": [{"key": k, "name": vi, "name_en": en}
                         for k, (vi, en) in survey.SECTIONS.items()],
            "courses": courses_out, "lecturers": lecturers_out}


# --- the report --------------------------------------------------------------------------------

def _training(row: dict[str, Any] | None) -> dict[str, Any]:
    row = row or {}
    enrolled, completed = int(row.get("enrolled") or 0), int(row.get("completed") or 0)
    return {"trained": int(row.get("trained") or 0), "classes": int(row.get("classes") or 0),
            "enrolled": enrolled, "completed": completed,
            "completion_rate": _share(completed, enrolled)}


def _child_key(value: Any) -> int | None:
    return int(value) if value not in (None, "") and str(value).isdigit() else None


async def build(plugins: Any, scope: Scope) -> dict[str, Any]:
    """The whole report of a scope: key figures, the breakdowns per child unit, position and
    year, the year's classes, on-the-job change and class quality."""
    t = await tree(scope.institution_id, scope.unit_id)
    position = await position_of(scope.institution_id, scope.position_id)
    first = max(FIRST_YEAR, scope.year - TREND_YEARS + 1)
    path = t.top["path"] if t.top else None
    years_f = report_sql.Filter(scope.institution_id, first, scope.year, path, scope.position_id)
    year_f = report_sql.Filter(scope.institution_id, scope.year, scope.year, path,
                               scope.position_id)
    moment = moment_of(scope.year)
    std = Standard(scope, t)
    await std.read_moments([moment_of(y) for y in range(first, scope.year)] + [moment])

    by_year = {int(r["key"]): r for r in await report_sql.training(years_f, "year")
               if r["key"] is not None}
    by_child = {_child_key(r["key"]): r for r in await report_sql.training(year_f, "child")}
    by_position = {r["key"]: r for r in await report_sql.training(year_f, "position")}
    class_groups = await report_sql.training(year_f, "class")

    # only the courses of the year's classes (an institution has thousands)
    course_ids = sorted({g["course_id"] for g in class_groups})
    courses = {c["id"]: c for c in await Course.filter(
        institution_id=scope.institution_id, id__in=course_ids).values(
        "id", "title", "title_en")} if course_ids else {}
    # the trainees of the classes whose course has quizzes only: the rest have no gain, and
    # city-wide they are 600,000 pairs to read for nothing
    quiz_courses = sorted(set(await CourseModule.filter(
        course_id__in=course_ids, type="quiz", is_active=True).values_list(
        "course_id", flat=True))) if course_ids and plugins is not None else []
    gains = await class_gains(plugins, scope.institution_id,
                              await report_sql.learners(year_f, quiz_courses)) \
        if quiz_courses else {}
    class_rows = []
    for g in class_groups:
        course = courses.get(g["course_id"], {})
        figures = _training(g)
        class_rows.append({
            "class_id": g["key"], "code": g["code"], "title": g["title"],
            "course_id": g["course_id"], "course_title": course.get("title", ""),
            "course_title_en": course.get("title_en", ""),
            "starts_on": as_date(g["starts_on"]), "ends_on": as_date(g["ends_on"]),
            "enrolled": figures["enrolled"], "completed": figures["completed"],
            "completion_rate": figures["completion_rate"],
            **gains.get(g["key"], {"gain": None, "with_both": 0})})
    class_rows.sort(key=lambda c: (c["ends_on"] or c["starts_on"] or "", word_key(c["title"]),
                                   c["class_id"]))
    class_gain = [c["gain"] for c in class_rows if c["gain"] is not None]

    std_children = await std.children(moment)
    std_total = await std.total(moment)
    unit_rows = []
    keys: list[int | None] = [c["id"] for c in t.children()]
    keys += sorted((k for k in set(by_child) | set(std_children)
                    if k is not None and k not in keys and k in t.units),
                   key=lambda k: (word_key(t.units[k]["name"]), k))
    if None in by_child or None in std_children:
        keys.append(None)
    for key in keys:
        unit = t.units.get(key) if key is not None else None
        unit_rows.append({
            "unit_id": key, "name": unit["name"] if unit else "", "own": key is None,
            "has_children": bool(key and t.has_children(key)),
            **_training(by_child.get(key)), **_with_share(std_children.get(key, dict(_ZERO)))})

    std_positions = await std.positions(moment)
    position_keys = set(by_position) | {k for k, v in std_positions.items() if v["staff"]}
    if scope.position_id is not None:
        position_keys &= {scope.position_id}
    names = await _position_titles(scope.institution_id, position_keys)
    position_rows = []
    for key in position_keys:
        figures = dict(_ZERO)
        _add(figures, std_positions.get(key, {}))
        position_rows.append({
            "position_id": key, "title": names.get(key, "") if key else "",
            **_training(by_position.get(key)), **_with_share(figures)})
    position_rows.sort(key=lambda p: (p["position_id"] is None, word_key(p["title"]),
                                      p["position_id"] or 0))

    year_rows = []
    for year in range(first, scope.year + 1):
        st = std_total if year == scope.year else await std.total(moment_of(year))
        year_rows.append({"year": year, **_training(by_year.get(year)), **_with_share(st)})

    institution = await Institution.get(id=scope.institution_id)
    return {
        "scope": {"institution": {"id": institution.id, "name": institution.name},
                  "unit": {"id": t.top["id"], "name": t.top["name"]} if t.top else None,
                  "crumbs": t.crumbs(), "position": position, "year": scope.year,
                  "moment": moment.isoformat(), "current_year": scope.year == current_year()},
        "figures": {**_training(by_year.get(scope.year)),
                    "gain": _mean(class_gain), "gain_classes": len(class_gain),
                    **_with_share(std_total),
                    "without_standard": std_total["staff"] - std_total["with_standard"]},
        "units": unit_rows, "positions": position_rows, "years": year_rows,
        "classes": class_rows, "changes": await changes(year_f),
        "quality": await quality(scope.institution_id,
                                 {c["class_id"]: c for c in class_rows}, courses),
        "people": await people(scope, moment) if scope.unit_id is not None else [],
    }


# --- people of one unit, and one person ---------------------------------------------------------

async def people(scope: Scope, moment: datetime) -> list[dict[str, Any]]:
    """The people directly in the scope's unit (not its sub-units: those are one click down),
    with whether they meet their position's standard at ``moment`` and how many classes of the
    year they completed; the same arithmetic as the needs report (``gaps.needs``)."""
    from lms_core.models import Enrolment, EnrolmentStatus

    from lms_assessment import gaps, needs, profile

    qs = User.filter(memberships__institution_id=scope.institution_id, is_active=True,
                     unit_id=scope.unit_id)
    if scope.position_id is not None:
        qs = qs.filter(job_position_id=scope.position_id)
    rows = await qs.distinct().order_by("sort_key", "id").limit(PEOPLE_LIMIT).values(
        "id", "full_name", "sort_key", "job_position_id")
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    resolve = await frameworks.resolve_codes(scope.institution_id)
    reqs, _unknown = await needs.requirements_by_position(scope.institution_id, resolve)
    levels = await profile.current_levels(ids, moment)
    titles = await _position_titles(scope.institution_id,
                                    {r["job_position_id"] for r in rows})
    done: dict[int, int] = {}
    start, end = date(scope.year, 1, 1), date(scope.year, 12, 31)
    for user_id, ends_on, starts_on in await Enrolment.filter(
            user_id__in=ids, status=EnrolmentStatus.COMPLETED,
            klass__institution_id=scope.institution_id).values_list(
            "user_id", "klass__ends_on", "klass__starts_on"):
        when = ends_on or starts_on
        if when is not None and start <= when <= end:
            done[user_id] = done.get(user_id, 0) + 1
    out = []
    for r in rows:
        found = gaps.needs(reqs.get(r["job_position_id"] or 0, []), levels.get(r["id"], {}))
        out.append({"user_id": r["id"], "full_name": r["full_name"],
                    "position_id": r["job_position_id"],
                    "position": titles.get(r["job_position_id"], ""),
                    "meets_standard": found.meets_standard, "gaps": len(found.open_gaps),
                    "classes_completed": done.get(r["id"], 0)})
    return out


async def person(institution_id: int, user_id: int) -> dict[str, Any]:
    """One person: the needs API's answer (requirements, current levels, gaps, the classes that
    close them), their valid evidence with its source and expiry, and the classes they took."""
    from lms_core.models import CourseClass, Enrolment

    from lms_assessment import needs
    from lms_assessment.models import Evidence

    found = await needs.person(institution_id, user_id)
    now = clock.now()
    evidence = await Evidence.filter(institution_id=institution_id, user_id=user_id,
                                     withdrawn_at__isnull=True).order_by(
        "-observed_at", "-id").values("id", "competency_id", "level", "source", "observed_at",
                                      "expires_at", "ref", "note")
    comps = {c["id"]: c for c in await Competency.filter(
        id__in={e["competency_id"] for e in evidence}).values("id", "code", "name", "name_en")
    } if evidence else {}
    enrolments = await Enrolment.filter(
        user_id=user_id, klass__institution_id=institution_id).values(
        "klass_id", "status", "completed_at")
    klasses = {k["id"]: k for k in await CourseClass.filter(
        id__in=[e["klass_id"] for e in enrolments]).values(
        "id", "code", "title", "course_id", "starts_on", "ends_on")} if enrolments else {}
    courses = dict(await Course.filter(id__in={k["course_id"] for k in klasses.values()}
                                       ).values_list("id", "title")) if klasses else {}
    user = await User.get(id=user_id)
    unit = await Unit.get_or_none(id=user.unit_id) if user.unit_id else None
    position = await JobPosition.get_or_none(id=user.job_position_id) \
        if user.job_position_id else None

    def valid(e: dict[str, Any]) -> bool:
        expires = e["expires_at"]
        if expires is not None and expires.tzinfo is None:
            expires = expires.replace(tzinfo=timezone.utc)
        return expires is None or expires > now

    classes = []
    for e in enrolments:
        k = klasses.get(e["klass_id"])
        if k is None:
            continue
        classes.append({"class_id": k["id"], "code": k["code"], "title": k["title"],
                        "course_title": courses.get(k["course_id"], ""),
                        "starts_on": k["starts_on"], "ends_on": k["ends_on"],
                        "status": getattr(e["status"], "value", e["status"]),
                        "completed_at": e["completed_at"]})
    classes.sort(key=lambda c: (c["ends_on"] or c["starts_on"] or date.max, c["class_id"]),
                 reverse=True)
    return {**found,
            "unit": {"id": unit.id, "name": unit.name} if unit else None,
            "position": {"id": position.id, "title": position.title} if position else None,
            "evidence": [{"id": e["id"], "competency_id": e["competency_id"],
                          **{k: comps.get(e["competency_id"], {}).get(k, "")
                             for k in ("code", "name", "name_en")},
                          "level": e["level"], "source": getattr(e["source"], "value",
                                                                 e["source"]),
                          "observed_at": e["observed_at"], "expires_at": e["expires_at"],
                          "valid": valid(e), "ref": e["ref"], "note": e["note"]}
                         for e in evidence],
            "classes_taken": classes}
